"""The mentor's view heard: weekly answers reach the staff, two silent weeks or "worried" open
a case, the mentor hears when staff acknowledged and resolved their alert, and /staff lets a
member write to the staff without an alarm."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Escalation
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

STAFF_GROUP = -100500


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


async def escalations(runtime: BotRuntime) -> list[Escalation]:
    async with runtime.session_factory() as s:
        return list((await s.scalars(select(Escalation).order_by(Escalation.id))).all())


def texts_in(emu: BotApiEmulator, chat_id: int) -> list[str]:
    return [str(m.get("text") or m.get("caption") or "") for m in emu.bot_messages(chat_id)]


async def weekly_answer(
    program: Program, emu: BotApiEmulator, alex: FakeUser, label: str, after: int
) -> int:
    """Run the mentor's weekly check-in due next and answer it; returns the prompt's id."""
    await program.runtime.run_checkins()
    prompt = await emu.wait_for_bot_message(alex.id, "Weekly check-in", after=after)
    await program.scenario.press_label(alex, prompt, label)
    await program.settle()
    return int(prompt["message_id"])


async def test_some_concern_and_no_contact_reach_the_staff_and_two_silent_weeks_open_a_case(
    paired: Program, staff: None, emu: BotApiEmulator, clock: FakeClock, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()  # schedules everyone
    clock.advance(days=6, hours=6)  # Sunday 8 March, 18:00 London
    last = await weekly_answer(paired, emu, alex, "Some concern", 0)
    notice = await emu.wait_for_bot_message(STAFF_GROUP, "weekly check-in")
    assert "Sam (M-0001)" in notice["text"] and "Some concern" in notice["text"]
    assert "Alex" in notice["text"]
    assert await escalations(paired.runtime) == []

    clock.advance(days=7)
    last = await weekly_answer(paired, emu, alex, "Haven't heard", last)
    await emu.wait_for(
        lambda: sum("Haven't heard from them" in t for t in texts_in(emu, STAFF_GROUP)) == 1,
        what="the no-contact notice",
    )
    assert await escalations(paired.runtime) == []
    # Low urgency: never re-sent.
    clock.advance(minutes=30)
    assert await paired.runtime.run_escalation_timers() == 0

    clock.advance(days=7)
    await weekly_answer(paired, emu, alex, "Haven't heard", last)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Sam (M-0001)" in card["text"]
    [case] = await escalations(paired.runtime)
    assert (case.severity, case.raised_by, case.mentee_id) == ("high", "weekly", 1)


async def test_worried_opens_a_high_case(
    paired: Program, staff: None, emu: BotApiEmulator, clock: FakeClock, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()
    clock.advance(days=6, hours=6)
    await weekly_answer(paired, emu, alex, "Worried", 0)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Sam (M-0001)" in card["text"]
    [case] = await escalations(paired.runtime)
    assert (case.severity, case.raised_by) == ("high", "weekly")


async def test_the_mentor_hears_when_staff_acknowledged_and_resolved_without_the_note(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(alex.id, "may mean they are in danger")  # told of it
    await paired.scenario.press_label(coordinator, card, "Acknowledge")
    acked = await emu.wait_for_bot_message(alex.id, "acknowledged")
    assert "Sam" in acked["text"]
    done = await paired.scenario.say(coordinator, "/resolve 1 her sister picked her up, safe")
    assert done is not None
    resolved = await emu.wait_for_bot_message(alex.id, "resolved")
    assert "Sam" in resolved["text"]
    await paired.settle()
    assert not any("sister" in t for t in texts_in(emu, alex.id))
    assert not any("sister" in t for t in texts_in(emu, sam.id))
    # The mentee who pressed /sos is not sent these notices (they were not told of a case).
    assert not any("acknowledged" in t for t in texts_in(emu, sam.id))


async def test_a_flagging_mentor_hears_the_acknowledgement(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    emu.user_sends(sam, "my uncle is visiting this weekend")
    copy = await emu.wait_for_bot_message(alex.id, "uncle")
    await paired.settle()
    emu.user_sends(alex, "/flag worried about this", reply_to=copy["message_id"])
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.scenario.press_label(coordinator, card, "Acknowledge")
    await emu.wait_for_bot_message(alex.id, "acknowledged")


async def test_staff_command_reaches_the_staff_labelled_and_is_assessed(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/staff can someone call me about my housing form?")
    assert reply is not None and "program staff" in reply["text"]
    note = await emu.wait_for_bot_message(STAFF_GROUP, "housing form")
    assert "mentee Sam (M-0001)" in note["text"]
    for secret in sam.identity_strings():
        assert secret not in note["text"]
    reply = await paired.scenario.say(alex, "/staff I'll be away next week")
    assert reply is not None
    note = await emu.wait_for_bot_message(STAFF_GROUP, "away next week")
    assert "mentor Alex (M-0002)" in note["text"]
    await paired.settle()
    assert await escalations(paired.runtime) == []
    # Not relayed to the other side.
    assert not any("housing" in t for t in texts_in(emu, alex.id))
    assert not any("away next week" in t for t in texts_in(emu, sam.id))
    usage = await paired.scenario.say(sam, "/staff")
    assert usage is not None and "/staff" in usage["text"]

    # Words that say someone is in danger raise the alarm like any message.
    await paired.scenario.say(
        sam, "/staff i cant do this anymore, tonight im going to end it all", expect_reply=False
    )
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(sam.id, "988")
    await paired.settle()
    assert len(await escalations(paired.runtime)) == 1

