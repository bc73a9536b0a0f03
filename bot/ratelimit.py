"""Token buckets that keep the bot under Telegram's limits instead of running into 429s.

Telegram allows about 30 messages a second overall, about 1 a second to one private chat
(short bursts are tolerated) and 20 a minute to one group. PTB's AIORateLimiter covers the
overall and group limits only, so the delivery worker keeps all three itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


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


class RateLimiter:
    """Decides which chats may be sent to now; one instance per delivery worker."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._monotonic = monotonic
        now = monotonic()
        self._global = TokenBucket(limits.global_per_s, max(1.0, limits.global_burst), now)
        self._chats: dict[str, TokenBucket] = {}  # by chat lookup key
        self._paused_until = 0.0

    def pause_for(self, seconds: float) -> None:
        """Telegram answered 429: send nothing at all for exactly `retry_after`."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    def _bucket(self, chat: str, group: bool, now: float) -> TokenBucket:
        bucket = self._chats.get(chat)
        if bucket is None:
            if group:  # groups and channels
                bucket = TokenBucket(self.limits.group_per_min / 60, self.limits.group_burst, now)
            else:
                bucket = TokenBucket(self.limits.chat_per_s, self.limits.chat_burst, now)
            self._chats[chat] = bucket
        return bucket

    def try_acquire(self, chat: str, *, group: bool = False) -> bool:
        """Take a slot for one message to this chat if both the chat and the bot have one."""
        now = self._monotonic()
        if now < self._paused_until or not self._global.available(now):
            return False
        bucket = self._bucket(chat, group, now)
        if not bucket.available(now):
            return False
        bucket.take(now)
        self._global.take(now)
        return True

    def global_available(self) -> bool:
        now = self._monotonic()
        return now >= self._paused_until and self._global.available(now)

    def wait_s(self) -> float:
        """How long until the bot as a whole may send again."""
        now = self._monotonic()
        return max(self._paused_until - now, self._global.wait_s(now))

    def forget_idle(self) -> None:
        """Drop full buckets so memory stays bounded with many chats."""
        now = self._monotonic()
        for chat_id in [c for c, b in self._chats.items() if b.full(now)]:
            del self._chats[chat_id]
