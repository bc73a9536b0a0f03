"""Escalations record who wrote what raised them, and which of their messages it was.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("writer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("source_message_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            "fk_escalations_writer_id_members", "members", ["writer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_constraint("fk_escalations_writer_id_members", type_="foreignkey")
        batch.drop_column("source_message_id")
        batch.drop_column("writer_id")
