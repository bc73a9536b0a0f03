"""Outbox ids are never reused (SQLite AUTOINCREMENT).

The delivery worker marks a row sent by its id once Telegram accepted it. Without
AUTOINCREMENT SQLite gives a new row the highest id plus one, so when the row being sent is
deleted meanwhile (an erasure cancels what is queued for the member), the next message queued
takes its id and is then marked sent without ever being sent. Seen as a lost "your data has
been erased" notice. PostgreSQL sequences never reuse ids.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
