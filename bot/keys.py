"""`python -m bot rotate-keys`: re-encrypt everything stored with the first key.

Put the new key first in DATA_ENCRYPTION_KEY, keep the old ones after it, run this, then the
old keys can be dropped. Values stored without encryption (ALLOW_UNENCRYPTED) get encrypted.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, Text, select, type_coerce, update

from bot.config import ConfigError, Settings, data_cipher
from storage import crypto, migrate
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Base
from storage.types import EncryptedInt, EncryptedText

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
    crypto.configure(cipher)
    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    factory = create_session_factory(engine)
    total = 0
    try:
        for table, column in encrypted_columns():
            (key,) = table.primary_key.columns
            raw = type_coerce(column, Text)  # the stored token, not decrypted
            last = None
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
                    break
                last = rows[-1][0]
                total += len(rows)
            print(f"{table.name}.{column.name}: done")
    finally:
        await engine.dispose()
    print(f"{total} values re-encrypted with the first key.")
    return 0
