"""`python -m bot rotate-keys`: re-encrypt everything stored with the first key.

With the bot stopped (this refuses to run while a bot holds the database), put the new key
first in DATA_ENCRYPTION_KEY, keep the old ones after it, run this, then the old keys can be
dropped. A database started without encryption (ALLOW_UNENCRYPTED) gets encrypted, and its
lookup hashes (made with a public key until then) are made again with DATA_LOOKUP_KEY.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Table, Text, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import ConfigError, Settings, data_cipher
from bot.services.outbox import DEFAULT_MENU_KEY
from storage import crypto, migrate
from storage.crypto import DataCipher
from storage.db import DatabaseLock, create_engine, create_session_factory, transaction
from storage.keycheck import KeyMismatch, record_keys, stored_encrypted, verify_keys
from storage.models import OUTBOX, RELAYED, Base, EnrolmentDraft, Member, table_of
from storage.types import EncryptedInt, EncryptedText

# Lookup-hash columns and the encrypted id column each hashes.
LOOKUP_COLUMNS = [
    (table_of(Member), "telegram_user_key", "telegram_user_id"),
    (table_of(EnrolmentDraft), "telegram_user_key", "telegram_user_id"),
    (RELAYED, "source_chat_key", "source_chat_id"),
    (RELAYED, "dest_chat_key", "dest_chat_id"),
]

BATCH = 500


def encrypted_columns() -> list[tuple[Table, Column[object]]]:
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedInt)
    ]


async def rotate_keys(settings: Settings) -> int:
    try:
        cipher = data_cipher(settings)
    except ConfigError as exc:
        print(f"Configuration error: {exc}")
        return 2
    if not cipher.encrypts:
        print("DATA_ENCRYPTION_KEY is not set: nothing to encrypt with.")
        return 2
    lock = DatabaseLock(settings.database_url)
    if not lock.acquire(exclusive=True):
        print(
            "A bot is running on this database: stop it first, then run rotate-keys, then "
            "start it with the new keys. Nothing was changed."
        )
        return 2
    try:
        return await _rotate(settings, cipher)
    finally:
        lock.release()


async def _rotate(settings: Settings, cipher: DataCipher) -> int:
    crypto.configure(cipher)
    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    total = 0
    try:
        async with transaction(factory) as session:
            was_encrypted = await stored_encrypted(session)
            if was_encrypted is not False:
                try:
                    await verify_keys(session, cipher, None)
                except KeyMismatch as exc:
                    print(f"Configuration error: {exc}. Nothing was changed.")
                    return 2
        for table, column in encrypted_columns():
            total += await _reencrypt(factory, cipher, table, column)
            print(f"{table.name}.{column.name}: done")
        if was_encrypted is False:
            # The hashes were made with the public key of unencrypted mode.
            rehashed = await _rehash(factory, cipher)
            print(f"{rehashed} lookup hashes made again with DATA_LOOKUP_KEY")
        async with transaction(factory) as session:
            await record_keys(session, cipher, datetime.now(UTC))
    finally:
        await engine.dispose()
    print(f"{total} values re-encrypted with the first key.")
    return 0


async def _reencrypt(
    factory: async_sessionmaker[AsyncSession],
    cipher: DataCipher,
    table: Table,
    column: Column[object],
) -> int:
    (key,) = table.primary_key.columns
    raw = type_coerce(column, Text)  # the stored token, not decrypted
    last = None
    total = 0
    while True:
        async with transaction(factory) as session:
            query = select(key, raw).where(column.is_not(None)).order_by(key).limit(BATCH)
            if last is not None:
                query = query.where(key > last)
            rows = (await session.execute(query)).all()
            for row_key, stored in rows:
                await session.execute(
                    update(table)
                    .where(key == row_key)
                    .values({column.name: type_coerce(cipher.rotate(stored), Text)})
                )
        if not rows:
            return total
        last = rows[-1][0]
        total += len(rows)


async def _rehash(factory: async_sessionmaker[AsyncSession], cipher: DataCipher) -> int:
    """Make every lookup hash again with `cipher`'s lookup key, from the ids they hash."""
    total = 0
    async with transaction(factory) as session:
        for table, hashed, source in LOOKUP_COLUMNS:
            (key,) = table.primary_key.columns
            raw = type_coerce(table.c[source], Text)
            for row_key, stored in (await session.execute(select(key, raw))).all():
                value = cipher.lookup(cipher.decrypt_id(str(stored)))
                await session.execute(update(table).where(key == row_key).values({hashed: value}))
                total += 1
        payload = type_coerce(OUTBOX.c.payload, Text)
        for row_id, stored in (await session.execute(select(OUTBOX.c.id, payload))).all():
            content: Any = json.loads(cipher.decrypt(str(stored)) or "{}")
            chat_id = content.get("chat_id") if isinstance(content, dict) else None
            # A sent message's content is gone; its hash is not needed to send it any more.
            value = cipher.lookup(chat_id) if isinstance(chat_id, int) else ""
            scope = content.get("scope") if isinstance(content, dict) else None
            if isinstance(scope, dict):  # a command menu waiting: its own queue, as queued
                menu_chat = scope.get("chat_id")
                value = (
                    cipher.lookup(f"menu:{menu_chat}")
                    if isinstance(menu_chat, int)
                    else DEFAULT_MENU_KEY
                )
            await session.execute(
                update(OUTBOX).where(OUTBOX.c.id == row_id).values(chat_key=value)
            )
            total += 1
    return total
