"""Which version of the consent text each member agreed to, and when; messages held until a
member agrees to a new version.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_OLD_REASONS = "reason IN ('unpaired', 'choose', 'unreachable')"
_NEW_REASONS = "reason IN ('unpaired', 'choose', 'unreachable', 'consent')"


def upgrade() -> None:
    # Members who joined before versions were recorded have no row: they are asked again,
    # with what changed, at their next message.
    op.create_table(
        "member_consents",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("agreed_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("member_id"),
    )
    with op.batch_alter_table("enrolment_drafts") as batch:
        batch.add_column(sa.Column("consent_version", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("consented_at", storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("held_messages", recreate="always") as batch:
        batch.drop_constraint("ck_held_messages_reason", type_="check")
        batch.create_check_constraint("ck_held_messages_reason", _NEW_REASONS)


def downgrade() -> None:
    op.execute("DELETE FROM held_messages WHERE reason = 'consent'")
    with op.batch_alter_table("held_messages", recreate="always") as batch:
        batch.drop_constraint("ck_held_messages_reason", type_="check")
        batch.create_check_constraint("ck_held_messages_reason", _OLD_REASONS)
    with op.batch_alter_table("enrolment_drafts") as batch:
        batch.drop_column("consented_at")
        batch.drop_column("consent_version")
    op.drop_table("member_consents")
