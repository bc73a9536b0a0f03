"""Encryption at rest for what the bot must keep: texts, and the Telegram ids of members.

Encrypted columns hold `enc:` + a Fernet token (AES-128-CBC with HMAC-SHA256); several keys
can be given (MultiFernet): the first encrypts, all decrypt, so a key is rotated by putting the
new one first and running `python -m bot rotate-keys`. Columns that are looked up by a
Telegram id keep a keyed hash of it (HMAC-SHA256 with the separate lookup key), so a copied
database file alone says neither who is enrolled nor what they wrote.

The cipher is set once per process by whoever opens the database for the bot
(`configure`). A process that never configured one cannot read or write an encrypted column
(`CipherNotConfigured`): health data is never stored in clear because someone forgot. Only
the explicit `DataCipher.unencrypted()` (ALLOW_UNENCRYPTED=1, local use only) stores values
as they are, with lookup hashes under a fixed, public key.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "enc:"
CACHE_SIZE = 50_000  # entries in each of the id caches below
_PUBLIC_LOOKUP_KEY = b"recovery-mentor-bot: unencrypted, local use only"

_K = TypeVar("_K")
_V = TypeVar("_V")


class DecryptionError(Exception):
    """A stored value cannot be read with the keys given (wrong or missing key)."""


class CipherNotConfigured(Exception):
    """Encrypted data was read or written before the process configured its data cipher."""


class DataCipher:
    def __init__(self, keys: Sequence[str], lookup_key: str | None) -> None:
        """A cipher with Fernet `keys` (newest first) and a lookup key; empty `keys` and no
        lookup key only through `unencrypted()`."""
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None
        if self._fernet is not None and not lookup_key:
            raise ValueError("a lookup key is needed with encryption keys")
        self._lookup_key = lookup_key.encode() if lookup_key else _PUBLIC_LOOKUP_KEY
        # The same few thousand ids are looked up, stored and read for every message they send
        # or receive. Reusing one id's token says no more than its lookup hash already does.
        self._lookups: dict[str, str] = {}
        self._id_tokens: dict[int, str] = {}
        self._ids: dict[str, int] = {}

    @classmethod
    def unencrypted(cls) -> DataCipher:
        """Values stored as they are (ALLOW_UNENCRYPTED=1: made-up people only)."""
        return cls((), None)

    @property
    def encrypts(self) -> bool:
        return self._fernet is not None

    def encrypt(self, value: str) -> str:
        if self._fernet is None:
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written without encryption
        if self._fernet is None:
            raise DecryptionError("encrypted data, but no DATA_ENCRYPTION_KEY")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise DecryptionError("no key in DATA_ENCRYPTION_KEY opens this data") from None

    def encrypt_id(self, value: int) -> str:
        """A Telegram id, encrypted (the same token each time within this process)."""
        token = self._id_tokens.get(value)
        if token is None:
            token = self.encrypt(str(value))
            _remember(self._id_tokens, value, token)
        return token

    def decrypt_id(self, stored: str) -> int:
        value = self._ids.get(stored)
        if value is None:
            value = int(self.decrypt(stored))
            _remember(self._ids, stored, value)
        return value

    def rotate(self, stored: str) -> str:
        """The value encrypted with the first key (plain values get encrypted)."""
        if self._fernet is None:
            return stored
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise DecryptionError("no key in DATA_ENCRYPTION_KEY opens this data") from None

    def lookup(self, value: int | str) -> str:
        """The keyed hash a Telegram id is found by."""
        text = str(value)
        found = self._lookups.get(text)
        if found is None:
            found = hmac.digest(self._lookup_key, text.encode(), "sha256").hex()
            _remember(self._lookups, text, found)
        return found


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value


_active: DataCipher | None = None


def configure(cipher: DataCipher | None) -> None:
    """Set the process's cipher (None: none again, as before `configure` was first called)."""
    global _active
    _active = cipher


def configured() -> DataCipher | None:
    """The process's cipher if one was set (to put it back after a temporary one)."""
    return _active


def active() -> DataCipher:
    """The process's cipher; CipherNotConfigured if none was set (never a silent fallback to
    storing in clear)."""
    if _active is None:
        raise CipherNotConfigured(
            "no data cipher configured: set DATA_ENCRYPTION_KEY and DATA_LOOKUP_KEY "
            "(or ALLOW_UNENCRYPTED=1 for made-up people) and open the database through the bot"
        )
    return _active


def lookup(value: int | str) -> str:
    """The keyed hash a Telegram id is stored and found by, with the active cipher."""
    return active().lookup(value)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def generate_lookup_key() -> str:
    return secrets.token_urlsafe(48)


def valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True
