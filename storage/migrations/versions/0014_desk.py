"""The coordinator's desk: a forum topic per person, who claimed an escalation, where
its cards were shown (to show the claim on each), the on-call rota and out-of-hours notices.

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_threads",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("member_id"),
        sa.UniqueConstraint("chat_id", "thread_id", name="uq_person_threads_topic"),
    )
    op.create_table(
        "escalation_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_cards_escalation_id", "escalation_cards", ["escalation_id"])
    op.create_table(
        "on_call_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coordinator", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("starts_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("set_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_on_call_shifts_window"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_on_call_shifts_window", "on_call_shifts", ["starts_at", "ends_at"])
    op.create_table(
        "out_of_hours_notices",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("notified_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "escalation_claims",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("coordinator", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("escalation_id"),
    )


def downgrade() -> None:
    op.drop_table("escalation_claims")
    op.drop_index("ix_escalation_cards_escalation_id", table_name="escalation_cards")
    op.drop_table("escalation_cards")
    op.drop_table("out_of_hours_notices")
    op.drop_index("ix_on_call_shifts_window", table_name="on_call_shifts")
    op.drop_table("on_call_shifts")
    op.drop_table("person_threads")
