"""With the bot's real limits against an emulator that enforces Telegram's: no 429s, and a
flood of low-priority messages does not hold back what mentees and mentors write."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotRuntime
from bot.config import Settings, load_settings
from bot.services.outbox import Priority, enqueue
from emulator import BotApiEmulator, FakeUser
from storage.db import transaction
from tests.conftest import COORDINATOR_ID
from tests.helpers import TEST_KEYS, FakeClock, seed_pair

FLOOD = 10_000


@pytest.fixture
def settings(db_url: str, emu: BotApiEmulator) -> Settings:
    """Default (production) rate limits."""
    return load_settings(
        telegram_bot_token=emu.token,
        telegram_api_base_url=emu.base_url,
        database_url=db_url,
        coordinator_ids=str(COORDINATOR_ID),
        _env_file=None,
        **TEST_KEYS,
    )


@pytest.fixture
async def pair(emu: BotApiEmulator, db_url: str, clock: FakeClock) -> tuple[FakeUser, FakeUser]:
    """A paired mentee and mentor, enrolled directly in the database."""
    pair = await seed_pair(db_url, emu, clock.now())
    emu.enforce_limits = True
    return pair


@pytest.fixture
async def live(
    settings: Settings, pair: tuple[FakeUser, FakeUser], clock: FakeClock
) -> AsyncIterator[BotRuntime]:
    runtime = BotRuntime(
        settings,
        settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else "",
        clock=clock,
        poll_timeout=1,
    )
    await runtime.start()
    yield runtime
    await runtime.stop()


def texts_at(emu: BotApiEmulator, chat_id: int, prefix: str) -> list[str]:
    return [
        m["text"] for m in emu.bot_messages(chat_id) if (m.get("text") or "").startswith(prefix)
    ]


async def test_a_burst_to_one_chat_is_paced_not_refused(
    emu: BotApiEmulator, pair: tuple[FakeUser, FakeUser], live: BotRuntime
) -> None:
    sam, alex = pair
    burst = [f"burst {n}" for n in range(8)]
    for text in burst:
        emu.user_sends(sam, text)
    await emu.wait_for(
        lambda: len(texts_at(emu, alex.id, "burst ")) == 8,
        timeout=30,
        what="the burst at the mentor",
    )
    assert texts_at(emu, alex.id, "burst ") == burst
    assert emu.rate_limited == 0


async def _flood(
    factory: async_sessionmaker[AsyncSession], emu: BotApiEmulator, clock: FakeClock
) -> None:
    """10,000 low-priority messages to 10,000 people: what daily check-in prompts look like."""
    for n in range(FLOOD):
        emu.open_chat(FakeUser(9_000_000_000 + n, f"P{n}"))
    async with transaction(factory) as s:
        for n in range(FLOOD):
            await enqueue(
                s,
                chat_id=9_000_000_000 + n,
                method="sendMessage",
                payload={"text": f"bulk {n}"},
                now=clock.now(),
                priority=Priority.BULK,
            )


async def test_relayed_messages_overtake_a_flood_of_bulk_messages(
    emu: BotApiEmulator, pair: tuple[FakeUser, FakeUser], live: BotRuntime, clock: FakeClock
) -> None:
    sam, alex = pair
    await _flood(live.session_factory, emu, clock)
    live.delivery.wake()
    await emu.wait_for(
        lambda: sum(1 for m, _ in emu.calls if m == "sendMessage") > 30,
        what="the flood to start draining",
    )
    emu.user_sends(sam, "I need to talk")
    await emu.wait_for_bot_message(alex.id, "I need to talk", timeout=15)
    emu.user_sends(alex, "I'm here")
    await emu.wait_for_bot_message(sam.id, "I'm here", timeout=15)
    calls = [(m, p) for m, p in emu.calls if m in ("sendMessage", "copyMessage")]
    positions = [i for i, (m, _) in enumerate(calls) if m == "copyMessage"]
    bulk_before_answer = sum(
        1
        for m, p in calls[: positions[-1]]
        if m == "sendMessage" and str(p.get("text", "")).startswith("bulk")
    )
    # The flood is far from drained, and the conversation did not wait for it.
    assert bulk_before_answer < FLOOD // 10
    assert await live.outbox_pending() > FLOOD // 2
    assert emu.rate_limited == 0
    assert json.dumps(calls[positions[0]][1]).count("from_chat_id") == 1
