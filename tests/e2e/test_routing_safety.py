"""Defects an outside attack found in routing and alarms (issue 11, items 1, 2, 3, 6, 10, 11):
a reply never reaches someone it was not meant for, every text is assessed once whatever
happens to it (edits, held, delayed, "to whom?", nowhere to go), a mentor's own crisis is
filed as theirs, help reaches someone marked unreachable who writes again, and a removed
coordinator cannot finish a staff action."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Escalation, EscalationEvent
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

# How every crisis help message ends (bot/resources/crisis.json, English): the marker that
# the person got it, whichever lines fit their alarm.
CRISIS_HELP = "staff have been told"

STAFF_GROUP = -100500
OTHER_COORDINATOR = 1001
DANGER = "i cant do this anymore, tonight im going to end it all"
MENTOR_CRISIS = "I relapsed tonight too and I want to die"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


def cards(emu: BotApiEmulator) -> list[str]:
    return [
        str(m["text"])
        for m in emu.bot_messages(STAFF_GROUP)
        if str(m.get("text", "")).startswith("🚨 Escalation #")
    ]


def received(emu: BotApiEmulator, user: FakeUser, fragment: str) -> list[str]:
    return [
        str(m.get("text") or m.get("caption"))
        for m in emu.bot_messages(user.id)
        if fragment in str(m.get("text") or m.get("caption") or "")
    ]


async def exported_escalations(emu: BotApiEmulator, user: FakeUser) -> list[dict[str, object]]:
    """The escalations in the member's /mydata export."""
    before = emu.last_message_id(user.id)
    emu.user_sends(user, "/mydata")
    document = await emu.wait_for(
        lambda: next(
            (m for m in emu.bot_messages(user.id) if "document" in m and m["message_id"] > before),
            None,
        ),
        what="the export",
    )
    data = json.loads(emu.uploads[(user.id, document["message_id"])])
    return list(data["escalations_about_you"])


async def escalations(program: Program) -> list[Escalation]:
    async with program.runtime.session_factory() as s:
        return list((await s.scalars(select(Escalation).order_by(Escalation.id))).all())


async def trail(program: Program, escalation_id: int) -> list[str]:
    async with program.runtime.session_factory() as s:
        events = await s.scalars(
            select(EscalationEvent)
            .where(EscalationEvent.escalation_id == escalation_id)
            .order_by(EscalationEvent.id)
        )
        return [e.kind for e in events]


@pytest.fixture
async def two_mentees(paired: Program, jo: FakeUser) -> Program:
    """Alex mentors Sam and Jo."""
    await paired.join(jo, "mentee", "Jo")
    assert "Paired" in await paired.pair("Jo", "Alex")
    return paired


# 1. A reply reaches the wrong mentee.


async def test_a_reply_to_an_unpaired_mentees_message_reaches_nobody_else(
    two_mentees: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    emu.user_sends(sam, "my ex is back in town and I'm scared")
    copy = await emu.wait_for_bot_message(alex.id, "my ex is back")
    await two_mentees.settle()
    assert "Sam" in await two_mentees.scenario.press_label(alex, copy, "Sam")
    unpaired = await two_mentees.scenario.say(two_mentees.coordinator, "/unpair Sam")
    assert unpaired is not None and "Ended the pairing" in unpaired["text"]
    await two_mentees.settle()

    emu.user_sends(alex, "stay at your sister's tonight, ok?", reply_to=copy["message_id"])
    told = await emu.wait_for_bot_message(alex.id, "Not sent")
    assert "conversation that has ended" in told["text"]
    await two_mentees.settle()
    assert received(emu, jo, "sister's") == [] and received(emu, sam, "sister's") == []
    # The label of the old copy no longer says "reply to this message to answer Sam".
    hint = await two_mentees.scenario.press_label(alex, copy, "Sam")
    assert hint == "This conversation has ended. Replies to its messages are not passed on."


async def test_a_reply_to_an_erased_mentees_message_is_never_guessed(
    two_mentees: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    emu.user_sends(sam, "my ex is back in town and I'm scared")
    copy = await emu.wait_for_bot_message(alex.id, "my ex is back")
    ask = await two_mentees.scenario.say(sam, "/deleteme")
    assert ask is not None
    await two_mentees.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(alex.id, "Sam has left the program")
    await two_mentees.settle()

    # The routing record went with Sam's data, so the bot cannot place the reply: it asks,
    # and the only choice left is Jo, named on the button. Nothing goes out by itself.
    emu.user_sends(alex, "stay at your sister's tonight, ok?", reply_to=copy["message_id"])
    question = await emu.wait_for_bot_message(alex.id, "Whom is this message for?")
    await two_mentees.settle()
    assert received(emu, jo, "sister's") == []
    buttons = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Jo", "Don't send"]
    assert await two_mentees.scenario.press_label(alex, question, "Don't send") == "Not sent."
    await two_mentees.settle()
    assert received(emu, jo, "sister's") == []
    assert (
        await two_mentees.scenario.press_label(alex, copy, "Sam")
        == "This conversation has ended. Replies to its messages are not passed on."
    )


async def test_a_mentees_reply_to_a_former_mentors_message_is_not_passed_to_the_new_one(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    casey = emu.user(7300000002, "Casey")
    await paired.join(casey, "mentor", "Casey")
    emu.user_sends(alex, "tell me about your week")
    from_alex = await emu.wait_for_bot_message(sam.id, "your week")
    await paired.settle()
    await paired.scenario.say(paired.coordinator, "/unpair Sam")
    assert "Paired" in await paired.pair("Sam", "Casey")
    await paired.settle()
    emu.user_sends(sam, "honestly it was rough, my brother", reply_to=from_alex["message_id"])
    await emu.wait_for_bot_message(sam.id, "conversation that has ended")
    emu.user_sends(sam, "hi Casey")
    await emu.wait_for_bot_message(casey.id, "hi Casey")
    await paired.settle()
    assert received(emu, casey, "rough") == [] and received(emu, alex, "rough") == []


# 2. Edits and delayed messages are assessed.


async def test_an_edit_that_becomes_dangerous_opens_an_escalation_once(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    original = emu.user_sends(sam, "rough day, going to bed early")
    copy = await emu.wait_for_bot_message(alex.id, "rough day")
    await paired.settle()
    assert cards(emu) == []

    emu.user_edits(sam, original["message_id"], DANGER)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "end it all" in card["text"] and "Sam (M-0001)" in card["text"]
    await emu.wait_for_bot_message(sam.id, CRISIS_HELP)
    await emu.wait_for_bot_message(alex.id, "may mean they are in danger")
    await emu.wait_for(
        lambda: emu.chats[alex.id].messages[copy["message_id"]]["text"] == DANGER,
        what="the edit mirrored at the mentor",
    )
    # Edited again: the staff see the new words on the same escalation, not a second card.
    emu.user_edits(sam, original["message_id"], DANGER + ", i have the pills here")
    update = await emu.wait_for_bot_message(STAFF_GROUP, "edited the flagged message")
    assert "Escalation #1" in update["text"] and "pills here" in update["text"]
    await paired.settle()
    assert len(cards(emu)) == 1
    assert "message edited" in await trail(paired, 1)


async def test_a_kept_message_edited_before_pairing_is_assessed(
    program: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    kept = emu.user_sends(sam, "is anyone there?")
    await emu.wait_for_bot_message(sam.id, "A coordinator is finding you a mentor")
    await program.settle()
    emu.user_edits(sam, kept["message_id"], DANGER)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "end it all" in card["text"] and "Mentor: —" in card["text"]
    await emu.wait_for_bot_message(sam.id, CRISIS_HELP)


async def test_an_edited_caption_is_assessed(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    photo = emu.user_sends(sam, kind="photo", caption="view from the bridge")
    await paired.settle()
    emu.user_edits(sam, photo["message_id"], caption="im going to jump off this bridge tonight")
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "jump off this bridge" in card["text"]


class TestDelayedByFloodControl:
    LIMIT = 2

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"flood_messages_per_minute": self.LIMIT})

    @pytest.fixture
    async def runtime(self, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRuntime]:
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

    async def test_a_delayed_message_edited_before_it_goes_is_assessed(
        self,
        paired: Program,
        staff: None,
        emu: BotApiEmulator,
        sam: FakeUser,
        alex: FakeUser,
        clock: FakeClock,
    ) -> None:
        for n in range(self.LIMIT):
            emu.user_sends(sam, f"burst {n}")
        delayed = emu.user_sends(sam, "see you at group tonight")
        await emu.wait_for_bot_message(sam.id, "faster than")
        assert received(emu, alex, "group tonight") == []  # waiting for its turn
        emu.user_edits(sam, delayed["message_id"], DANGER)
        card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
        assert "end it all" in card["text"]
        clock.advance(minutes=1)
        paired.runtime.delivery.wake()
        await emu.wait_for_bot_message(alex.id, "end it all")  # copied as it reads now


# 3. A mentor's message is assessed before routing, wherever it goes.


async def test_a_mentors_message_waiting_for_to_whom_is_assessed(
    two_mentees: Program, staff: None, emu: BotApiEmulator, alex: FakeUser, jo: FakeUser
) -> None:
    emu.user_sends(alex, MENTOR_CRISIS)
    await emu.wait_for_bot_message(alex.id, "Whom is this message for?")
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "want to die" in card["text"] and "Written by: mentor Alex (M-0002)" in card["text"]
    await emu.wait_for_bot_message(alex.id, CRISIS_HELP)
    await two_mentees.settle()
    assert received(emu, jo, "want to die") == []  # still held until Alex chooses


async def test_a_mentor_with_no_mentees_who_writes_something_dangerous_is_heard(
    program: Program, staff: None, emu: BotApiEmulator, alex: FakeUser
) -> None:
    await program.join(alex, "mentor", "Alex")
    emu.user_sends(alex, MENTOR_CRISIS)
    await emu.wait_for_bot_message(alex.id, "no mentees at the moment")
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Written by: mentor Alex (M-0001)" in card["text"]
    await emu.wait_for_bot_message(alex.id, CRISIS_HELP)


# 6. A mentor's own crisis is filed as the mentor's.


async def test_a_mentors_own_crisis_is_theirs_not_their_mentees(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    emu.user_sends(alex, MENTOR_CRISIS)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Written by: mentor Alex (M-0002)" in card["text"]
    assert "Mentee: —" in card["text"] and "Sam" not in card["text"]
    await emu.wait_for_bot_message(alex.id, CRISIS_HELP)  # the writer gets the help
    await emu.wait_for_bot_message(sam.id, "want to die")  # peer support is not blocked
    await paired.settle()
    assert received(emu, alex, "may mean they are in danger") == []
    assert received(emu, sam, CRISIS_HELP) == []
    [filed] = await escalations(paired)
    assert filed.mentee_id is None and filed.mentor_id == filed.writer_id == 2
    # Whose data it is: the mentor's export lists it, the mentee's does not.
    assert [e["category"] for e in await exported_escalations(emu, alex)] == [
        "suicide or self-harm"  # in words, not the internal code
    ]
    assert await exported_escalations(emu, sam) == []
    # Staff can write to the person concerned: the mentor.
    await paired.scenario.press_label(coordinator, emu.last_bot_message(STAFF_GROUP), "Message")
    await emu.wait_for_bot_message(COORDINATOR_ID, "goes to Alex through the bot")
    await paired.scenario.say(coordinator, "Alex, we are here. Can we call you?")
    await emu.wait_for_bot_message(alex.id, "Can we call you?")
    await paired.settle()
    assert received(emu, sam, "Can we call you?") == []


# 10. Help reaches someone marked unreachable who writes again; nothing reported as sent
# that was not queued.


async def test_sos_from_a_mentee_marked_unreachable_gets_crisis_help(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await paired.settle()
    emu.blocked.add(sam.id)
    emu.user_sends(alex, "how are you doing?")
    await emu.wait_for_bot_message(COORDINATOR_ID, "can no longer reach mentee")
    await paired.settle()
    await paired.scenario.say(sam, "/sos", expect_reply=False)  # unblocks, like Telegram
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await emu.wait_for_bot_message(sam.id, CRISIS_HELP)
    await emu.wait_for_bot_message(sam.id, "how are you doing?")  # what waited for them
    assert "crisis help sent" in await trail(paired, 1)


async def test_a_staff_message_to_an_unreachable_mentee_is_not_reported_as_sent(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.scenario.press_label(coordinator, card, "Message the mentee")
    await emu.wait_for_bot_message(COORDINATOR_ID, "labelled as program staff")
    await paired.settle()
    emu.blocked.add(sam.id)
    emu.user_sends(alex, "how are you doing?")
    await emu.wait_for_bot_message(COORDINATOR_ID, "can no longer reach mentee")
    await paired.settle()
    reply = await paired.scenario.say(coordinator, "Sam, please call us")
    assert reply is not None and reply["text"].startswith("Not sent")
    assert "as program staff" not in reply["text"]
    assert "staff msg not sent" in await trail(paired, 1)


# 11. A removed coordinator cannot complete a staff action.


async def test_a_removed_coordinator_cannot_write_as_program_staff(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    robin = emu.user(OTHER_COORDINATOR, "Robin")
    emu.open_chat(robin)
    added = await paired.scenario.say(coordinator, f"/coordinators add {OTHER_COORDINATOR}")
    assert added is not None and "is now a coordinator" in added["text"]
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.scenario.press_label(robin, card, "Message the mentee")
    await emu.wait_for_bot_message(OTHER_COORDINATOR, "labelled as program staff")
    removed = await paired.scenario.say(coordinator, f"/coordinators remove {OTHER_COORDINATOR}")
    assert removed is not None and "no longer a coordinator" in removed["text"]

    await paired.scenario.say(robin, "this is staff, give me your address")
    await paired.settle()
    assert received(emu, sam, "give me your address") == []
    assert "staff wrote" not in await trail(paired, 1)


# Issue 12: mentors have /sos for themselves; a risky message and a /sos make one alarm.


async def test_a_mentors_sos_is_about_the_mentor(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await paired.scenario.say(alex, "/sos relapsed and scared", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "Written by: mentor Alex (M-0002)" in card["text"] and "Mentee: —" in card["text"]
    assert "relapsed and scared" in card["text"]
    await emu.wait_for_bot_message(alex.id, CRISIS_HELP)
    await paired.settle()
    assert received(emu, sam, CRISIS_HELP) == []
    assert received(emu, alex, "may mean they are in danger") == []


async def test_a_risky_message_and_an_sos_minutes_apart_are_one_alarm(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, clock: FakeClock
) -> None:
    emu.user_sends(sam, DANGER)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    clock.advance(minutes=3)
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    joined = await emu.wait_for_bot_message(STAFF_GROUP, "also pressed /sos")
    assert "Escalation #1" in joined["text"]
    await paired.settle()
    assert len(await escalations(paired)) == 1
    assert "/sos pressed" in await trail(paired, 1)


async def test_an_sos_then_a_risky_message_are_one_alarm(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, clock: FakeClock
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    clock.advance(minutes=2)
    emu.user_sends(sam, DANGER)
    joined = await emu.wait_for_bot_message(STAFF_GROUP, "minutes after their /sos")
    assert "end it all" in joined["text"]
    await paired.settle()
    assert len(await escalations(paired)) == 1
    # Much later, a new message is a new alarm.
    clock.advance(minutes=30)
    emu.user_sends(sam, DANGER + " for real this time")
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #2")
