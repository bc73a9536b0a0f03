"""Goals for the week agreed in a pairing, the mentee's answers about them in check-ins, and
the triggers tagged in a check-in's note step.

Revision ID: 0017
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0017"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_triggers",
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "trigger IN ('people', 'places', 'feelings', 'times')", name="ck_checkin_triggers"
        ),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkins.id"]),
        sa.PrimaryKeyConstraint("checkin_id", "trigger"),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("text", storage.types.EncryptedText(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("ends_at", storage.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'declined')", name="ck_goals_status"
        ),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"]),
        sa.ForeignKeyConstraint(["proposed_by"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_goals_pairing_id", "goals", ["pairing_id"])
    op.create_table(
        "goal_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "answer IN ('done', 'partly', 'not_today')", name="ck_goal_checks_answer"
        ),
        sa.ForeignKeyConstraint(["checkin_id"], ["checkins.id"]),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("goal_id", "checkin_id", name="uq_goal_checks_goal_checkin"),
    )
    op.create_index("ix_goal_checks_goal_id", "goal_checks", ["goal_id"])
    op.create_index("ix_goal_checks_checkin_id", "goal_checks", ["checkin_id"])


def downgrade() -> None:
    op.drop_index("ix_goal_checks_checkin_id", table_name="goal_checks")
    op.drop_index("ix_goal_checks_goal_id", table_name="goal_checks")
    op.drop_table("goal_checks")
    op.drop_index("ix_goals_pairing_id", table_name="goals")
    op.drop_table("goals")
    op.drop_table("checkin_triggers")
