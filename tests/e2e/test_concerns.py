"""The concern tier: a message that may mean a mentee is struggling (not an emergency) asks
their mentor to check in; nobody answering in time, or no mentor able to, climbs to the
coordinators."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Concern, Escalation, EscalationEvent
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

# How every crisis help message ends (bot/resources/crisis.json, English): the marker that
# the person got it, whichever lines fit their alarm.
CRISIS_HELP = "staff have been told"

STAFF_GROUP = -100500
# A lapse with the craving still pulling, and a plan to talk: the mentor should check in;
# nobody needs waking. (A lapse told calmly, with nothing pulling now, asks nobody: the
# mentor reads the message itself; tests/unit/test_risk_tiers.py.)
LAPSE = "I drank last night and today I want to drink again, not proud of it. can we talk?"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


def staff_cards(emu: BotApiEmulator) -> list[str]:
    return [
        str(m["text"])
        for m in emu.bot_messages(STAFF_GROUP)
        if "Escalation #" in str(m.get("text", ""))
    ]


async def concern_card(program: Program, alex: FakeUser) -> dict[str, object]:
    card = await program.emu.wait_for_bot_message(alex.id, "may mean they are struggling")
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["I'm on it", "They're OK", "Needs staff now"]
    return card


async def stored_concern(program: Program) -> Concern:
    async with program.runtime.session_factory() as s:
        found = await s.scalar(select(Concern))
        assert found is not None
        return found


async def test_a_concern_asks_the_mentor_and_alerts_nobody_else(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, LAPSE)
    await emu.wait_for_bot_message(alex.id, "not proud")  # delivered as always
    card = await concern_card(paired, alex)
    assert "Sam" in str(card["text"]) and "Samantha" not in str(card["text"])
    await paired.settle()
    assert staff_cards(emu) == []
    assert not any(CRISIS_HELP in str(m.get("text")) for m in emu.bot_messages(sam.id))


async def test_im_on_it_stops_the_climb(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    emu.user_sends(sam, LAPSE)
    card = await concern_card(paired, alex)
    toast = await paired.scenario.press_label(alex, card, "I'm on it")
    assert toast == "Thank you for checking in with Sam."
    await paired.settle()
    clock.advance(minutes=30)
    await paired.runtime.run_concern_timers()
    await paired.settle()
    assert staff_cards(emu) == []
    assert (await stored_concern(paired)).status == "on_it"


async def test_theyre_ok_is_recorded_and_nothing_climbs(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    emu.user_sends(sam, LAPSE)
    card = await concern_card(paired, alex)
    assert await paired.scenario.press_label(alex, card, "They're OK") == (
        "Noted: Sam is OK. Thank you."
    )
    again = await paired.scenario.press(alex, card, emu.button_data(card, "They're OK"))
    assert again in ("This was already answered.", "This button has expired.")
    clock.advance(minutes=30)
    await paired.runtime.run_concern_timers()
    await paired.settle()
    assert staff_cards(emu) == []
    assert (await stored_concern(paired)).status == "ok"


async def test_needs_staff_now_alerts_the_coordinators(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, LAPSE)
    card = await concern_card(paired, alex)
    toast = await paired.scenario.press_label(alex, card, "Needs staff now")
    assert toast == "Program staff have been alerted about Sam."
    staff_card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "concern that climbed to staff" in staff_card["text"]
    assert "not proud" in staff_card["text"] and "Sam (M-0001)" in staff_card["text"]
    async with paired.runtime.session_factory() as s:
        opened = await s.scalar(
            select(EscalationEvent.detail).where(EscalationEvent.kind == "opened")
        )
    assert opened is not None and "Needs staff now" in opened


async def test_an_unanswered_concern_climbs_after_the_response_time(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    emu.user_sends(sam, LAPSE)
    card = await concern_card(paired, alex)
    clock.advance(minutes=14)
    await paired.runtime.run_concern_timers()
    await paired.settle()
    assert staff_cards(emu) == []  # not yet
    clock.advance(minutes=2)
    await paired.runtime.run_concern_timers()
    staff_card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "concern that climbed to staff" in staff_card["text"]
    await emu.wait_for_bot_message(alex.id, "Nobody answered in time")
    # The mentor's late answer cannot open a second escalation.
    late = await paired.scenario.press_label(alex, card, "Needs staff now")
    assert late == "This was already answered."
    await paired.settle()
    assert len(staff_cards(emu)) == 1
    async with paired.runtime.session_factory() as s:
        escalation = await s.scalar(select(Escalation))
        assert escalation is not None and escalation.raised_by == "ladder"
        # Re-sent until a coordinator acknowledges it, like every escalation.
        assert escalation.next_notify_at is not None and escalation.next_notify_at > clock.now()


async def test_a_mentor_in_their_quiet_hours_is_not_asked(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    clock.advance(hours=11)  # 23:00 in London, the mentor's timezone
    before = emu.last_message_id(alex.id)  # the consent screen speaks of struggling too
    emu.user_sends(sam, LAPSE)
    staff_card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "concern that climbed to staff" in staff_card["text"]
    await paired.settle()
    assert not any(
        "struggling" in str(m.get("text"))
        for m in emu.bot_messages(alex.id)
        if m["message_id"] > before
    )


async def test_a_mentee_with_no_mentor_goes_to_the_coordinators(
    program: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    emu.user_sends(sam, LAPSE)
    staff_card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "concern that climbed to staff" in staff_card["text"]


async def test_a_check_in_note_goes_through_the_same_tiers(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None
    for label in ("😐", "medium", "yes"):
        await paired.settle()
        current = emu.chats[sam.id].messages[reply["message_id"]]
        await paired.scenario.press_label(sam, current, label)
    await emu.wait_for_bot_message(sam.id, "type a short note")
    await paired.settle()
    emu.user_sends(sam, LAPSE)
    await concern_card(paired, alex)
    assert (await stored_concern(paired)).raised_by == "checkin"


async def test_a_mentors_message_at_the_concern_tier_goes_to_the_coordinators(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    jo: FakeUser,
) -> None:
    """A mentor with two mentees: the message waits for "to whom?", and nobody closer than
    the staff can check on a mentor."""
    await paired.join(jo, "mentee", "Jo")
    assert "Paired" in await paired.pair("Jo", "Alex")
    emu.user_sends(alex, LAPSE)
    await emu.wait_for_bot_message(alex.id, "Whom is this message for?")
    staff_card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Written by: mentor Alex" in staff_card["text"] and "(high)" in staff_card["text"]


async def test_another_mentor_cannot_answer_someone_elses_concern(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    """A forged or forwarded press: only the mentor the card was for can answer it."""
    casey = await paired.join(emu.user(7300000009, "Cassandra"), "mentor", "Casey")
    emu.user_sends(sam, LAPSE)
    card = await concern_card(paired, alex)
    pressed = emu.press_raw(casey, card, emu.button_data(card, "They're OK"))
    await emu.wait_for(lambda: emu.answer_of(pressed) is not None, what="the answer")
    assert emu.answer_of(pressed) == "This button isn't for you."
    assert (await stored_concern(paired)).status == "open"
    clock.advance(minutes=16)  # and the ladder still climbs
    await paired.runtime.run_concern_timers()
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")


async def test_a_climbing_concern_reaches_a_coordinator_when_the_staff_chat_is_broken(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock,
) -> None:  # fmt: skip
    """The bot was removed from the staff group: the ladder's card falls back to the
    coordinators privately, like any escalation's."""
    emu.kicked.add(STAFF_GROUP)
    emu.user_sends(sam, LAPSE)
    await concern_card(paired, alex)
    clock.advance(minutes=16)
    await paired.runtime.run_concern_timers()
    card = await emu.wait_for_bot_message(paired.coordinator.id, "Escalation #1", timeout=10)
    assert "concern that climbed to staff" in card["text"]
    await emu.wait_for_bot_message(alex.id, "Nobody answered in time")


@pytest.mark.sqlite_only(reason="a full disk is made with SQLite's max_page_count")
async def test_a_full_disk_when_a_concern_climbs_loses_nothing_and_sends_nothing_twice(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser,
    clock: FakeClock, db_url: str,
) -> None:  # fmt: skip
    """The climb and the mentor's notice are one transaction: a write that fails between
    them (a full disk, or the process killed there) leaves the concern open with neither
    sent, and the next run does both, once."""
    from tests.e2e.test_storage_faults import FullDisk

    emu.user_sends(sam, LAPSE)
    await concern_card(paired, alex)
    await paired.settle()
    disk = FullDisk(paired.runtime.engine, db_url.split("///", 1)[1])
    await asyncio.to_thread(disk._vacuum)  # no free pages left inside the file
    await disk.fill()
    clock.advance(minutes=16)
    with pytest.raises(OperationalError, match="full"):
        await paired.runtime.run_concern_timers()
    assert (await stored_concern(paired)).status == "open"
    disk.free()
    assert await paired.runtime.run_concern_timers() == 1
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(alex.id, "Nobody answered in time")
    assert await paired.runtime.run_concern_timers() == 0
    await paired.settle()
    assert len(staff_cards(emu)) == 1
    notices = [
        m for m in emu.bot_messages(alex.id) if "Nobody answered" in str(m.get("text", ""))
    ]
    assert len(notices) == 1
    async with paired.runtime.session_factory() as s:
        assert len((await s.scalars(select(Escalation))).all()) == 1
