"""Column lengths the code really writes, so PostgreSQL (which enforces VARCHAR lengths, unlike
SQLite) accepts every value: audit-trail kinds of up to 25 characters ("member erased their
data"), case-folded pseudonyms (a character can fold into three: 24 of them, 72) and
look-alike skeletons (a Hangul syllable becomes up to seven: 24 of them, 168).

On PostgreSQL only: the unique constraint 0001 put on members.telegram_user_id goes, as it
went on SQLite when 0002 rebuilt the table (the column holds ciphertext; uniqueness is
kept by the hash beside it, telegram_user_key).

Revision ID: 0013
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0019"
branch_labels = None
depends_on = None

WIDER = [
    ("escalation_events", "kind", 20, 64),
    ("members", "pseudonym_key", 32, 96),
    ("members", "pseudonym_skeleton", 128, 255),
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for unique in sa.inspect(bind).get_unique_constraints("members"):
            if unique["column_names"] == ["telegram_user_id"] and unique["name"]:
                op.drop_constraint(unique["name"], "members", type_="unique")
    for table, column, before, after in WIDER:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(length=after), existing_type=sa.String(length=before)
            )


def downgrade() -> None:
    for table, column, before, after in WIDER:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(length=before), existing_type=sa.String(length=after)
            )
