"""Reminders people set for themselves (and their drafts), and mentors' wellbeing answers
(weekly, and the debrief the day after an escalation about a mentee was resolved).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", storage.types.EncryptedText(), nullable=False),
        sa.Column("weekly", sa.Boolean(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("next_due_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(weekly AND weekday IS NOT NULL) OR (NOT weekly AND weekday IS NULL)",
            name="ck_reminders_weekday",
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminders_member_id", "reminders", ["member_id"])
    op.create_index("ix_reminders_next_due_at", "reminders", ["next_due_at"])
    op.create_table(
        "reminder_drafts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=8), nullable=False),
        sa.Column("text", storage.types.EncryptedText(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=True),
        sa.Column("local_time", sa.String(length=5), nullable=True),
        sa.Column("expires_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("step IN ('what', 'when', 'repeat')", name="ck_reminder_drafts_step"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "mentor_wellbeing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.Column("due_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("answer", sa.String(length=12), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('weekly', 'debrief')", name="ck_mentor_wellbeing_kind"),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('good', 'ok', 'low', 'struggling')",
            name="ck_mentor_wellbeing_answer",
        ),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("escalation_id"),
    )
    op.create_index("ix_mentor_wellbeing_mentor_id", "mentor_wellbeing", ["mentor_id"])
    op.create_index("ix_mentor_wellbeing_due", "mentor_wellbeing", ["sent_at", "due_at"])
    op.create_index(
        "uq_mentor_wellbeing_weekly",
        "mentor_wellbeing",
        ["mentor_id", "due_at"],
        unique=True,
        sqlite_where=sa.text("kind = 'weekly'"),
        postgresql_where=sa.text("kind = 'weekly'"),
    )


def downgrade() -> None:
    op.drop_index("uq_mentor_wellbeing_weekly", table_name="mentor_wellbeing")
    op.drop_index("ix_mentor_wellbeing_due", table_name="mentor_wellbeing")
    op.drop_index("ix_mentor_wellbeing_mentor_id", table_name="mentor_wellbeing")
    op.drop_table("mentor_wellbeing")
    op.drop_table("reminder_drafts")
    op.drop_index("ix_reminders_next_due_at", table_name="reminders")
    op.drop_index("ix_reminders_member_id", table_name="reminders")
    op.drop_table("reminders")
