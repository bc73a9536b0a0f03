"""A mentor's low weekly wellbeing answer lands in their own topic of the staff forum."""

from __future__ import annotations

import pytest

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

FORUM = -1007001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": FORUM})


@pytest.fixture(autouse=True)
def forum(emu: BotApiEmulator) -> None:
    # Before the bot starts: it asks Telegram at start whether the staff chat is a forum.
    emu.add_forum(FORUM, "Program staff")


async def test_a_low_wellbeing_answer_goes_to_the_mentors_topic(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()
    clock.advance(days=6, hours=6)  # Sunday 8 March, 18:00 London
    await paired.runtime.run_checkins()
    asked = await emu.wait_for_bot_message(alex.id, "how are you doing this week")
    await paired.scenario.press_label(alex, asked, "Low")
    await paired.settle()
    [thread] = [i for i, t in emu.topics(FORUM).items() if t.name == "Alex · M-0002"]
    [card] = [
        m for m in emu.topic_messages(FORUM, thread) if "wellbeing" in str(m.get("text", ""))
    ]
    assert "😕 Low" in card["text"]
    general = [m for m in emu.bot_messages(FORUM) if m.get("message_thread_id") != thread]
    assert not any("wellbeing" in str(m.get("text", "")) for m in general)
