"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from storage import crypto


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _NotComparable(TypeDecorator.Comparator[Any]):
    """Only IS NULL / IS NOT NULL: an encrypted value never equals another encryption of it
    (each is encrypted differently), so any other comparison in SQL would silently never (or
    always) match. Refused where the statement is built."""

    refusal = "an encrypted column cannot be compared in SQL; compare decrypted values"

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op in (operators.is_, operators.is_not):
            return super().operate(op, *other, **kwargs)
        raise TypeError(self.refusal)

    def reverse_operate(self, op: Any, other: Any, **kwargs: Any) -> Any:
        raise TypeError(self.refusal)


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the process's data cipher (see `storage.crypto`).

    Only IS NULL / IS NOT NULL can be asked of it in SQL (see `_NotComparable`)."""

    impl = Text
    cache_ok = True
    comparator_factory = _NotComparable

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else crypto.active().encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else crypto.active().decrypt(str(value))


class EncryptedInt(TypeDecorator[int]):
    """An integer (a Telegram id) encrypted at rest; found by a separate lookup-hash column.

    Comparing the column in SQL could never match (each value is encrypted differently), so
    it is refused where the statement is built: compare its `*_key` column instead.
    """

    impl = Text
    cache_ok = True

    class comparator_factory(_NotComparable):  # noqa: N801 (SQLAlchemy's name)
        refusal = "an encrypted id column cannot be compared; use its *_key column"

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        return None if value is None else crypto.active().encrypt_id(int(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else crypto.active().decrypt_id(str(value))
