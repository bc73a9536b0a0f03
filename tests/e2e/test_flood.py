"""Per-person flood control: a burst is slowed down politely, and nothing is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

LIMIT = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"flood_messages_per_minute": LIMIT})


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[BotRuntime]:
    """Delayed sends wait on the test's clock, so a minute passes when the test says so."""
    assert settings.telegram_bot_token is not None
    rt = BotRuntime(
        settings,
        settings.telegram_bot_token.get_secret_value(),
        clock=clock,
        delivery_clock=clock,
        poll_timeout=1,
    )
    await rt.start()
    yield rt
    await rt.stop()


def texts_from(emu: BotApiEmulator, sender: FakeUser, chat_id: int) -> list[str]:
    """What `chat_id` has received that `sender` wrote (copies keep the original's text)."""
    return [str(m.get("text")) for m in emu.bot_messages(chat_id) if "burst" in str(m.get("text"))]


async def test_a_burst_is_slowed_down_and_every_message_arrives_in_order(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, clock: FakeClock
) -> None:
    sent = [f"burst {n}" for n in range(1, 9)]
    for text in sent:
        emu.user_sends(sam, text)
    notice = texts.SLOW_DOWN.format(limit=LIMIT, pseudonym="Alex")
    await emu.wait_for_bot_message(sam.id, "faster than")
    await emu.wait_for(lambda: len(texts_from(emu, sam, alex.id)) == LIMIT, what="the first five")
    await emu.wait_for(lambda: emu.pending_updates() == 0, what="all eight taken in")
    await paired.runtime.delivery.drain_once()
    # Over the limit: held back, not dropped; the writer was told once.
    assert texts_from(emu, sam, alex.id) == sent[:LIMIT]
    assert [m["text"] for m in emu.bot_messages(sam.id) if "faster than" in m["text"]] == [notice]

    clock.advance(seconds=61)
    await emu.wait_for(lambda: len(texts_from(emu, sam, alex.id)) == len(sent), what="the rest")
    assert texts_from(emu, sam, alex.id) == sent  # all of them, once each, in order
    await paired.settle()
    assert [m["text"] for m in emu.bot_messages(sam.id) if "faster than" in m["text"]] == [notice]


async def test_an_alarm_in_a_burst_still_reaches_staff_at_once(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    for n in range(LIMIT):
        emu.user_sends(sam, f"burst {n}")
    emu.user_sends(sam, "i cant do this anymore, tonight im going to end it all")
    await emu.wait_for_bot_message(paired.coordinator.id, "Escalation #1")
