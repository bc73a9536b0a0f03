"""Token buckets that keep the bot under Telegram's limits instead of running into 429s.

Telegram allows about 30 messages a second overall, about 1 a second to one private chat
(short bursts are tolerated) and 20 a minute to one group. PTB's AIORateLimiter covers the
overall and group limits only, so the delivery worker keeps all three itself. With several
workers the limits are for all of them together: the buckets are rows in the database
(`SharedRateLimiter`), taken in the transaction that claims the messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RATE_BUCKETS


@dataclass(frozen=True)
class Limits:
    global_per_s: float = 28.0
    # Small: a full-second burst at start-up, plus network jitter, would run into Telegram's
    # own bucket before the 2/s headroom builds up.
    global_burst: float = 5.0
    chat_per_s: float = 1.0
    chat_burst: float = 3.0
    group_per_min: float = 19.0
    group_burst: float = 3.0


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: float, now: float) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def available(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= 1.0

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def wait_s(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.burst


GLOBAL_BUCKET = "global"


class SharedBudget:
    """The buckets as one claim transaction sees them: the `global` row locked (FOR UPDATE),
    so that the claims of different workers take turns; chats' rows read as needed. Changes
    are kept here and written by `save`, in the same transaction."""

    def __init__(
        self, limits: Limits, now: float, tokens: float, stamp: float, paused_until: float
    ) -> None:
        self.limits = limits
        self.now = now
        self.paused_until = paused_until
        self._global = TokenBucket(limits.global_per_s, max(1.0, limits.global_burst), stamp)
        self._global.tokens = tokens
        self._global._refill(now)
        self._chats: dict[str, TokenBucket] = {}
        self._taken: set[str] = set()

    @property
    def paused(self) -> bool:
        return self.now < self.paused_until

    def global_available(self) -> bool:
        return not self.paused and self._global.available(self.now)

    def wait_s(self) -> float:
        """How long until the bot as a whole may send again."""
        return max(self.paused_until - self.now, self._global.wait_s(self.now), 0.0)

    async def load_chats(self, session: AsyncSession, chats: dict[str, bool]) -> None:
        """Read the buckets of these chats (chat key -> is a group)."""
        wanted = [c for c in chats if c not in self._chats]
        stored = {
            key: (tokens, stamp)
            for key, tokens, stamp in (
                await session.execute(
                    select(RATE_BUCKETS.c.key, RATE_BUCKETS.c.tokens, RATE_BUCKETS.c.stamp).where(
                        RATE_BUCKETS.c.key.in_(wanted)
                    )
                )
            ).all()
        } if wanted else {}
        for chat in wanted:
            limits = self.limits
            if chats[chat]:
                bucket = TokenBucket(limits.group_per_min / 60, limits.group_burst, self.now)
            else:
                bucket = TokenBucket(limits.chat_per_s, limits.chat_burst, self.now)
            if chat in stored:
                bucket.tokens, bucket.stamp = stored[chat]
                bucket._refill(self.now)
            self._chats[chat] = bucket

    def can_send(self, chat: str) -> bool:
        """Whether one more message to this chat (its bucket loaded) fits both limits."""
        return self.global_available() and self._chats[chat].available(self.now)

    def take(self, chat: str) -> None:
        self._chats[chat].take(self.now)
        self._global.take(self.now)
        self._taken.add(chat)

    def idle_after_s(self) -> float:
        """After this long without a message, any chat's bucket is full again."""
        limits = self.limits
        chat = limits.chat_burst / limits.chat_per_s
        return max(chat, limits.group_burst * 60 / limits.group_per_min)

    async def save(self, session: AsyncSession) -> None:
        """Write what was taken; drop chats' rows that are full again (nothing to remember)."""
        await session.execute(
            update(RATE_BUCKETS)
            .where(RATE_BUCKETS.c.key == GLOBAL_BUCKET)
            .values(tokens=self._global.tokens, stamp=self.now)
        )
        if self._taken:
            rows = [
                {"key": c, "tokens": self._chats[c].tokens, "stamp": self.now}
                for c in sorted(self._taken)
            ]
            statement = _insert_for(session)(RATE_BUCKETS)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["key"],
                    set_={"tokens": statement.excluded.tokens, "stamp": statement.excluded.stamp},
                ),
                rows,
            )
        await session.execute(
            delete(RATE_BUCKETS).where(
                RATE_BUCKETS.c.key != GLOBAL_BUCKET,
                RATE_BUCKETS.c.stamp < self.now - self.idle_after_s(),
            )
        )


class SharedRateLimiter:
    """Telegram's limits kept by every delivery worker together, through the database.

    Time is wall-clock seconds, which processes (and machines, with NTP) share; a little
    skew only shifts when a token is back."""

    def __init__(self, limits: Limits, wall: Callable[[], float] = time.time) -> None:
        self.limits = limits
        self._wall = wall

    async def open(self, session: AsyncSession) -> SharedBudget:
        """Lock the bot's bucket for this transaction (claims by other workers wait)."""
        query = (
            select(RATE_BUCKETS.c.tokens, RATE_BUCKETS.c.stamp, RATE_BUCKETS.c.paused_until)
            .where(RATE_BUCKETS.c.key == GLOBAL_BUCKET)
            .with_for_update()
        )
        row = (await session.execute(query)).first()
        now = self._wall()
        if row is None:
            await session.execute(
                _insert_for(session)(RATE_BUCKETS)
                .values(key=GLOBAL_BUCKET, tokens=self.limits.global_burst, stamp=now)
                .on_conflict_do_nothing(index_elements=["key"])
            )
            row = (await session.execute(query)).one()
        tokens, stamp, paused_until = row
        return SharedBudget(
            self.limits, now, float(tokens), float(stamp), float(paused_until or 0.0)
        )

    async def pause_for(self, session: AsyncSession, seconds: float) -> None:
        """Telegram answered 429: no worker sends anything for exactly `retry_after`."""
        until = self._wall() + seconds
        await session.execute(
            update(RATE_BUCKETS)
            .where(
                RATE_BUCKETS.c.key == GLOBAL_BUCKET,
                or_(RATE_BUCKETS.c.paused_until.is_(None), RATE_BUCKETS.c.paused_until < until),
            )
            .values(paused_until=until)
        )


def _insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT (both have ON CONFLICT)."""
    bind = session.bind
    name = bind.dialect.name if bind is not None else "sqlite"
    return pg_insert if name == "postgresql" else sqlite_insert
