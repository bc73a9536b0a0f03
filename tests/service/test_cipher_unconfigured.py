"""A process that never configured the data cipher cannot write health data in clear: writing
an encrypted column raises and stores nothing. Only an explicit ALLOW_UNENCRYPTED cipher
stores plaintext."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.crypto import DataCipher
from storage.models import Member
from tests.helpers import clean_env

TELEGRAM_ID = 7_345_678_901

# A fresh process, as a script or a new entry point would be: it opens the database and writes
# a member without ever calling `crypto.configure`.
WRITER = f"""
import asyncio, sys
from datetime import UTC, datetime
from storage.db import create_engine, create_session_factory, transaction
from storage.models import Member

async def main() -> None:
    engine = create_engine(sys.argv[1])
    try:
        async with transaction(create_session_factory(engine)) as s:
            s.add(Member(
                telegram_user_id={TELEGRAM_ID}, chat_id={TELEGRAM_ID}, role="mentee",
                pseudonym="Quokka", pseudonym_key="quokka", timezone="UTC", tags="",
                reachable=True, created_at=datetime.now(UTC),
            ))
    except Exception as exc:
        cause = getattr(exc, "orig", None) or exc
        print("refused:", type(cause).__name__, cause)
        sys.exit(3)
    finally:
        await engine.dispose()

asyncio.run(main())
"""


async def test_writing_an_encrypted_column_without_a_configured_cipher_raises(
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    tmp_path: Path,
) -> None:
    await engine.dispose()  # the writer below is the only process with the file open
    result = subprocess.run(
        [sys.executable, "-c", WRITER, db_url],
        cwd=Path(__file__).resolve().parents[2],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "refused: CipherNotConfigured" in result.stdout
    assert "DATA_ENCRYPTION_KEY" in result.stdout
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Member)) == 0
    if db_url.startswith("sqlite"):  # and on PostgreSQL, the count above says nothing is there
        path = Path(db_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert str(TELEGRAM_ID).encode() not in raw and b"Quokka" not in raw


def test_only_an_explicitly_unencrypted_cipher_stores_plaintext() -> None:
    plain = DataCipher.unencrypted()
    assert not plain.encrypts and plain.encrypt("note") == "note"
