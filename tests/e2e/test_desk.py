"""The coordinator's desk: a forum topic per person in the staff chat, staff writing to a
person from their topic or with /reply, and the emulator's topics as strict as Telegram's."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.error import BadRequest

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import PersonThread
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

FORUM = -1007001
DANGER = "i cant do this anymore, tonight im going to end it all"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "coordinator_chat_id": FORUM,
            "missed_alert_after": 2,
            "missed_nudge_after": 9,
            # Many cards and notes to one group in a few seconds; the limits have their tests.
            "rate_limit_group_per_min": 600,
        }
    )


@pytest.fixture(autouse=True)
def forum(emu: BotApiEmulator) -> None:
    # Before the bot starts: it asks Telegram at start whether the staff chat is a forum.
    emu.add_forum(FORUM, "Program staff")


def create_calls(emu: BotApiEmulator) -> list[dict[str, Any]]:
    return [params for method, params in emu.calls if method == "createForumTopic"]


def topic_named(emu: BotApiEmulator, name: str) -> int:
    found = [i for i, t in emu.topics(FORUM).items() if t.name == name]
    assert len(found) == 1, f"topics: {emu.topics(FORUM)}"
    return found[0]


async def restart(runtime: BotRuntime, settings: Settings, clock: FakeClock) -> BotRuntime:
    await runtime.stop()
    assert settings.telegram_bot_token is not None
    again = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await again.start()
    return again


async def test_a_mentee_gets_one_topic_where_their_cards_land_even_after_a_restart(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    settings: Settings,
    clock: FakeClock,
) -> None:
    emu.user_sends(sam, "hi alex, just checking in")
    await paired.settle()
    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    thread = topic_named(emu, "Sam · M-0001")
    card = next(m for m in emu.bot_messages(FORUM) if "Escalation #1" in m.get("text", ""))
    assert card["message_thread_id"] == thread and card["is_topic_message"]
    # The pairing's last messages follow the card in the same topic.
    assert any("checking in" in m.get("text", "") for m in emu.topic_messages(FORUM, thread))
    runtime = await restart(paired.runtime, settings, clock)
    try:
        emu.user_sends(sam, "/sos")
        await emu.wait_for(
            lambda: sum("Escalation #" in m.get("text", "") for m in emu.bot_messages(FORUM)) == 2,
            what="the second card",
        )
        await runtime.wait_until_idle()
        second = [m for m in emu.bot_messages(FORUM) if "Escalation #" in m.get("text", "")][1]
        assert second["message_thread_id"] == thread
        assert len(create_calls(emu)) == 1  # created once, not again after the restart
        async with runtime.session_factory() as s:
            stored = await s.get(PersonThread, 1)
            assert stored is not None and stored.thread_id == thread
    finally:
        await runtime.stop()


async def test_missed_check_ins_and_a_risky_check_in_land_in_the_mentees_topic(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, clock: FakeClock
) -> None:
    await paired.runtime.run_checkins()
    clock.advance(hours=7)  # 19:00 in London
    for day in range(3):  # three daily prompts at 19:00, the first two never answered
        if day:
            clock.advance(days=1)
        await paired.runtime.run_checkins()
    alert = await emu.wait_for_bot_message(FORUM, "missed 2 check-ins")
    await paired.settle()
    thread = topic_named(emu, "Sam · M-0001")
    assert alert["message_thread_id"] == thread
    assert not [m for m in emu.bot_messages(COORDINATOR_ID) if "missed 2" in m.get("text", "")]
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None
    await paired.settle()
    await paired.scenario.press(sam, reply, emu.button_data(reply, "🙁"))
    await paired.settle()
    current = emu.chats[sam.id].messages[reply["message_id"]]
    await paired.scenario.press_label(sam, current, "very high")
    risky = await emu.wait_for_bot_message(FORUM, "risky check-in")
    assert risky["message_thread_id"] == thread and "Sam" in risky["text"]
    assert len(create_calls(emu)) == 1


async def test_a_coordinator_writing_in_the_topic_reaches_the_mentee_as_staff_only(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    emu.user_sends(sam, "/sos")
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    thread = topic_named(emu, "Sam · M-0001")
    emu.user_sends(coordinator, "We saw your message. Can we call you?", chat_id=FORUM,
                   thread_id=thread)  # fmt: skip
    got = await emu.wait_for_bot_message(sam.id, "Can we call you?")
    await paired.settle()
    assert "Program staff" in got["text"]
    assert got["from"]["is_bot"] and "forward_origin" not in got
    for secret in coordinator.identity_strings():
        assert secret not in got["text"]
    assert not [m for m in emu.bot_messages(alex.id) if "call you" in m.get("text", "")]
    confirm = await emu.wait_for_bot_message(FORUM, "Sent to")
    assert confirm["message_thread_id"] == thread
    # General chat among staff, and a topic of their own, reach nobody.
    emu.user_sends(coordinator, "lunch at one?", chat_id=FORUM)
    await paired.settle()
    assert not [m for m in emu.bot_messages(sam.id) if "lunch" in m.get("text", "")]


async def test_reply_command_writes_as_staff_and_notes_it_in_the_topic(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    emu.user_sends(coordinator, "/reply M-0001 Thinking of you today\nCall us any time")
    got = await emu.wait_for_bot_message(sam.id, "Thinking of you")
    await paired.settle()
    assert "Program staff" in got["text"] and "Call us any time" in got["text"]
    assert "Casey" not in str(got) and "casey_staff" not in str(got)
    await emu.wait_for_bot_message(COORDINATOR_ID, "Sent to")
    thread = topic_named(emu, "Sam · M-0001")
    note = await emu.wait_for_bot_message(FORUM, "Thinking of you")
    assert note["message_thread_id"] == thread


async def test_a_deleted_topic_is_recreated_and_a_closed_one_reopened(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    emu.user_sends(sam, "/sos")
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    first = topic_named(emu, "Sam · M-0001")
    emu.delete_topic(FORUM, first)
    emu.user_sends(sam, DANGER)  # minutes later: the same alarm, the card again
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    second = topic_named(emu, "Sam · M-0001")
    assert second != first and len(create_calls(emu)) == 2
    assert [m["message_thread_id"] for m in emu.bot_messages(FORUM) if "Escalation" in
            m.get("text", "")] == [second]  # fmt: skip
    emu.close_topic(FORUM, second)
    emu.user_sends(sam, "/sos i am scared")
    await emu.wait_for(
        lambda: len(emu.topic_messages(FORUM, second)) >= 2, what="the card in the topic"
    )
    await paired.settle()
    assert not emu.topics(FORUM)[second].closed
    assert len(create_calls(emu)) == 2


async def test_without_rights_to_manage_topics_cards_go_to_general(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    emu.chats[FORUM].bot_manages_topics = False
    await program.join(sam, "mentee", "Sam")
    emu.user_sends(sam, "/sos")
    card = await emu.wait_for_bot_message(FORUM, "Escalation #1")
    assert "message_thread_id" not in card


async def test_emulator_topics_are_as_strict_as_telegram(
    emu: BotApiEmulator, runtime: BotRuntime
) -> None:
    api = runtime.delivery._api
    hello = {"chat_id": FORUM, "text": "hi"}
    emu.add_group(-55, "Plain group")
    with pytest.raises(BadRequest, match="(?i)not a forum"):
        await api.call("createForumTopic", {"chat_id": -55, "name": "x"})
    with pytest.raises(BadRequest, match="(?i)TOPIC_NAME"):
        await api.call("createForumTopic", {"chat_id": FORUM, "name": "x" * 129})
    topic = await api.call("createForumTopic", {"chat_id": FORUM, "name": "A · M-0001"})
    thread = topic["message_thread_id"]
    with pytest.raises(BadRequest, match="(?i)message thread not found"):
        await api.call("sendMessage", {**hello, "message_thread_id": 999})
    await api.call("closeForumTopic", {"chat_id": FORUM, "message_thread_id": thread})
    with pytest.raises(BadRequest, match="(?i)TOPIC_CLOSED"):
        await api.call("sendMessage", {**hello, "message_thread_id": thread})
    await api.call("reopenForumTopic", {"chat_id": FORUM, "message_thread_id": thread})
    sent = await api.call("sendMessage", {**hello, "message_thread_id": thread})
    assert sent["message_thread_id"] == thread and sent["is_topic_message"]
    await api.call("deleteForumTopic", {"chat_id": FORUM, "message_thread_id": thread})
    with pytest.raises(BadRequest, match="(?i)message thread not found"):
        await api.call("sendMessage", {**hello, "message_thread_id": thread})
    emu.chats[FORUM].bot_manages_topics = False
    with pytest.raises(BadRequest, match="(?i)not enough rights"):
        await api.call("createForumTopic", {"chat_id": FORUM, "name": "B"})


async def test_reply_without_a_text_or_to_nobody_says_how(
    program: Program, emu: BotApiEmulator, coordinator: FakeUser
) -> None:
    usage = await program.scenario.say(coordinator, "/reply")
    assert usage is not None and "Usage: /reply" in usage["text"]
    nobody = await program.scenario.say(coordinator, "/reply M-0099 hello")
    assert nobody is not None and "Nobody enrolled" in nobody["text"]
