"""Concerns (the tier a mentor answers), and escalations that say whose danger it is, how
sure the models were, what decided it and how it ended.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("probability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("evidence", storage.types.EncryptedText(), nullable=True))
        batch.add_column(sa.Column("outcome_kind", sa.String(length=16), nullable=True))
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("pairing_id", sa.Integer(), nullable=True),
        sa.Column("source_message_id", sa.BigInteger(), nullable=True),
        sa.Column("raised_by", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("flagged_text", storage.types.EncryptedText(), nullable=True),
        sa.Column("evidence", storage.types.EncryptedText(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("escalation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'on_it', 'ok', 'escalated')", name="ck_concerns_status"
        ),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["mentee_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["mentor_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["pairing_id"], ["pairings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_concerns_due", "concerns", ["status", "due_at"])
    op.create_index("ix_concerns_mentee_id", "concerns", ["mentee_id"])


def downgrade() -> None:
    op.drop_index("ix_concerns_mentee_id", table_name="concerns")
    op.drop_index("ix_concerns_due", table_name="concerns")
    op.drop_table("concerns")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("outcome_kind")
        batch.drop_column("evidence")
        batch.drop_column("probability")
        batch.drop_column("subject")
