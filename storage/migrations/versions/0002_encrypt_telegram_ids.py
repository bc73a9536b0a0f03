"""Members' Telegram ids encrypted, with keyed-hash columns for look-ups.

Existing rows are converted with the keys the bot starts with (DATA_ENCRYPTION_KEY and
DATA_LOOKUP_KEY); enrolment drafts, which live minutes, are dropped (an unfinished enrolment
starts again from the same invite link).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types
from storage import crypto

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _convert(table: str, key: str, ids: list[str], keys: dict[str, str]) -> None:
    """Encrypt the id columns `ids` of every row; set each `keys[column]` to its hash."""
    columns = [sa.column(key), *(sa.column(c, sa.String) for c in ids + list(keys.values()))]
    rows = sa.table(table, *columns)
    bind = op.get_bind()
    for row in bind.execute(sa.select(rows.c[key], *(rows.c[c] for c in ids))).all():
        plain = {c: int(row[i + 1]) for i, c in enumerate(ids)}
        # The cipher is asked for only when there is something to convert (a fresh database
        # needs none); unconfigured, it raises rather than store ids in clear.
        cipher = crypto.active()
        values = {c: cipher.encrypt(str(v)) for c, v in plain.items()}
        values.update({hashed: cipher.lookup(plain[source]) for source, hashed in keys.items()})
        bind.execute(sa.update(rows).where(rows.c[key] == row[0]).values(**values))


def upgrade() -> None:
    op.drop_table("enrolment_drafts")
    op.create_table(
        "enrolment_drafts",
        sa.Column("telegram_user_key", sa.String(length=64), nullable=False),
        sa.Column("telegram_user_id", storage.types.EncryptedInt(), nullable=False),
        sa.Column("chat_id", storage.types.EncryptedInt(), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("pseudonym", sa.String(length=32), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("tags", sa.String(length=200), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["invite_id"], ["invites.id"]),
        sa.PrimaryKeyConstraint("telegram_user_key"),
    )

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("telegram_user_key", sa.String(length=64), nullable=True))
        for column in ("telegram_user_id", "chat_id"):
            batch_op.alter_column(
                column,
                existing_type=sa.BIGINT(),
                type_=storage.types.EncryptedInt(),
                existing_nullable=False,
            )
    _convert(
        "members", "id", ["telegram_user_id", "chat_id"], {"telegram_user_id": "telegram_user_key"}
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column(
            "telegram_user_key", existing_type=sa.String(length=64), nullable=False
        )
        batch_op.create_unique_constraint("uq_members_telegram_user_key", ["telegram_user_key"])

    with op.batch_alter_table("held_messages", schema=None) as batch_op:
        batch_op.alter_column(
            "source_chat_id",
            existing_type=sa.BIGINT(),
            type_=storage.types.EncryptedInt(),
            existing_nullable=False,
        )
    _convert("held_messages", "id", ["source_chat_id"], {})

    with op.batch_alter_table("relayed_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_chat_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("dest_chat_key", sa.String(length=64), nullable=True))
        for column in ("source_chat_id", "dest_chat_id"):
            batch_op.alter_column(
                column,
                existing_type=sa.BIGINT(),
                type_=storage.types.EncryptedInt(),
                existing_nullable=False,
            )
        batch_op.drop_index("ix_relayed_dest")
        batch_op.drop_index("ix_relayed_source")
    _convert(
        "relayed_messages",
        "id",
        ["source_chat_id", "dest_chat_id"],
        {"source_chat_id": "source_chat_key", "dest_chat_id": "dest_chat_key"},
    )
    with op.batch_alter_table("relayed_messages", schema=None) as batch_op:
        for column in ("source_chat_key", "dest_chat_key"):
            batch_op.alter_column(column, existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ix_relayed_dest", ["dest_chat_key", "dest_message_id"])
        batch_op.create_index("ix_relayed_source", ["source_chat_key", "source_message_id"])

    # The outbox keeps only the chat's hash; its id is in the (encrypted) payload already.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("is_group", sa.Boolean(), nullable=True))
        batch_op.drop_index("ix_outbox_chat")
    outbox = sa.table(
        "outbox",
        sa.column("id"),
        sa.column("chat_id"),
        sa.column("chat_key"),
        sa.column("is_group"),
    )
    bind = op.get_bind()
    for row_id, chat_id in bind.execute(sa.select(outbox.c.id, outbox.c.chat_id)).all():
        bind.execute(
            sa.update(outbox)
            .where(outbox.c.id == row_id)
            .values(chat_key=crypto.active().lookup(int(chat_id)), is_group=int(chat_id) < 0)
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("chat_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("is_group", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column("chat_id")
        batch_op.create_index("ix_outbox_chat", ["chat_key", "status", "id"])


def downgrade() -> None:
    raise NotImplementedError("ids cannot be turned back into plain numbers by a migration")
