"""Outbox rows can let go of their chat's keyed hash once sent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("chat_key", existing_type=sa.String(length=64), nullable=True)
    # Rows already sent to a person's chat keep nothing that points to it.
    op.execute("UPDATE outbox SET chat_key = NULL WHERE status = 'sent' AND NOT is_group")


def downgrade() -> None:
    op.execute("UPDATE outbox SET chat_key = '' WHERE chat_key IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("chat_key", existing_type=sa.String(length=64), nullable=False)
