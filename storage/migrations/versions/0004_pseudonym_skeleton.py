"""Members' pseudonyms unique by what they look like (UTS #39 skeleton), not only by case.

Existing rows are backfilled with `storage.names.name_key`. Two existing members whose names
already look alike both keep their names (nobody is renamed behind their back): the one who
enrolled first holds the plain skeleton, so no newcomer can take a third look-alike, and the
later one's key gets its member id appended.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

from storage.names import name_key

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pseudonym_skeleton", sa.String(length=128), nullable=True))
    members = sa.table(
        "members",
        sa.column("id", sa.Integer),
        sa.column("pseudonym", sa.String),
        sa.column("pseudonym_skeleton", sa.String),
    )
    bind = op.get_bind()
    taken: set[str] = set()
    for member_id, pseudonym in bind.execute(
        sa.select(members.c.id, members.c.pseudonym).order_by(members.c.id)
    ).all():
        key = name_key(pseudonym)
        if key in taken:
            log.warning("look-alike pseudonym kept member_id=%s", member_id)
            key = f"{key}#{member_id}"
        taken.add(key)
        bind.execute(
            sa.update(members).where(members.c.id == member_id).values(pseudonym_skeleton=key)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column(
            "pseudonym_skeleton", existing_type=sa.String(length=128), nullable=False
        )
        batch_op.create_unique_constraint("uq_members_pseudonym_skeleton", ["pseudonym_skeleton"])


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint("uq_members_pseudonym_skeleton", type_="unique")
        batch_op.drop_column("pseudonym_skeleton")
