"""Whether the configured data keys are the ones this database was written with.

A wrong lookup key finds nobody (members are told to ask for an invite, `/mydata` says
nothing is stored, a person can enrol twice); a wrong encryption key reads nothing. So the
database keeps a check value of its keys (`KeyCheck`), recorded at the first start, and the
bot, `doctor` and `rotate-keys` compare the configured keys with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import DataCipher, DecryptionError
from storage.models import KeyCheck, Member

CHECK_TEXT = "recovery-mentor-bot: key check"


class KeyMismatch(Exception):
    """The configured keys do not open this database; one line naming the key, no secret."""


def check_row(cipher: DataCipher, now: datetime) -> KeyCheck:
    return KeyCheck(
        id=1,
        encrypted=cipher.encrypts,
        lookup_check=cipher.lookup(CHECK_TEXT),
        encryption_check=cipher.encrypt(CHECK_TEXT) if cipher.encrypts else None,
        recorded_at=now,
    )


async def stored_encrypted(session: AsyncSession) -> bool | None:
    """Whether the database says it holds encrypted data (None: nothing says either way)."""
    row = await session.get(KeyCheck, 1)
    if row is not None:
        return row.encrypted
    stored = await session.scalar(select(type_coerce(Member.telegram_user_id, Text)).limit(1))
    return None if stored is None else str(stored).startswith("enc:")


async def verify_keys(session: AsyncSession, cipher: DataCipher, now: datetime | None) -> None:
    """Raise KeyMismatch unless `cipher` opens this database. With `now`, record the check
    value when there is none yet (a fresh database, or one from before the check)."""
    row = await session.get(KeyCheck, 1)
    if row is None:
        await _verify_against_a_member(session, cipher)
        if now is not None:
            session.add(check_row(cipher, now))
        return
    if row.encrypted and not cipher.encrypts:
        raise KeyMismatch(
            "DATA_ENCRYPTION_KEY: not set, but this database holds encrypted data; "
            "start with the keys it was written with"
        )
    if not row.encrypted and cipher.encrypts:
        raise KeyMismatch(
            "DATA_ENCRYPTION_KEY: this database was started without encryption "
            "(ALLOW_UNENCRYPTED=1); run `python -m bot rotate-keys` once to encrypt it "
            "with the configured keys"
        )
    if cipher.lookup(CHECK_TEXT) != row.lookup_check:
        raise KeyMismatch(
            "DATA_LOOKUP_KEY: not the key this database was written with "
            "(nobody enrolled could be found); it cannot be changed"
        )
    if row.encryption_check is not None:
        _open(cipher, row.encryption_check)


async def _verify_against_a_member(session: AsyncSession, cipher: DataCipher) -> None:
    """A database from before the check value: a member's stored id must open and hash to
    the stored lookup hash."""
    found = (
        await session.execute(
            select(type_coerce(Member.telegram_user_id, Text), Member.telegram_user_key).limit(1)
        )
    ).first()
    if found is None:
        return
    stored, key = str(found[0]), str(found[1])
    if stored.startswith("enc:") and not cipher.encrypts:
        raise KeyMismatch("DATA_ENCRYPTION_KEY: not set, but this database holds encrypted data")
    if not stored.startswith("enc:") and cipher.encrypts:
        raise KeyMismatch(
            "DATA_ENCRYPTION_KEY: this database was started without encryption "
            "(ALLOW_UNENCRYPTED=1); run `python -m bot rotate-keys` once to encrypt it "
            "with the configured keys"
        )
    if cipher.lookup(int(_open(cipher, stored))) != key:
        raise KeyMismatch("DATA_LOOKUP_KEY: not the key this database was written with")


def _open(cipher: DataCipher, stored: str) -> str:
    try:
        return cipher.decrypt(stored)
    except DecryptionError:
        raise KeyMismatch(
            "DATA_ENCRYPTION_KEY: none of the keys opens this database's data "
            "(after a rotation, the newest key must be among them)"
        ) from None


async def record_keys(session: AsyncSession, cipher: DataCipher, now: datetime) -> None:
    """Make the check value say `cipher` (after rotate-keys)."""
    row = await session.get(KeyCheck, 1)
    fresh = check_row(cipher, now)
    if row is None:
        session.add(fresh)
        return
    row.encrypted = fresh.encrypted
    row.lookup_check = fresh.lookup_check
    row.encryption_check = fresh.encryption_check
    row.recorded_at = now
