"""A pairing's lifecycle: a mentor away and the cover mentor, /newmentor, idle pairings,
graduation, and the desk's leftovers (weekly answers in the topic, erased members' topics)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import texts
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Member, MentorChangeRequest, Pairing
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

FORUM = -1007001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"coordinator_chat_id": FORUM, "rate_limit_group_per_min": 600}
    )


@pytest.fixture(autouse=True)
def forum(emu: BotApiEmulator) -> None:
    emu.add_forum(FORUM, "Program staff")


@pytest.fixture
def robin(emu: BotApiEmulator) -> FakeUser:
    return emu.user(7300000002, "Roberta", "Hidden", username="roberta_hidden")


def topic_named(emu: BotApiEmulator, name: str) -> int:
    found = [i for i, t in emu.topics(FORUM).items() if t.name == name]
    assert len(found) == 1, f"topics: {emu.topics(FORUM)}"
    return found[0]


def texts_in(emu: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in emu.bot_messages(chat_id)]


async def away_with_cover(
    paired: Program, emu: BotApiEmulator, alex: FakeUser, robin: FakeUser
) -> dict[str, Any]:
    """Alex goes away for 7 days and the coordinator picks Robin to cover; returns the card."""
    await paired.join(robin, "mentor", "Robin")
    answer = await paired.scenario.say(alex, "/away 7")
    assert answer is not None and "away until" in answer["text"]
    card = await emu.wait_for_bot_message(FORUM, "Who should cover")
    await paired.settle()
    assert card["message_thread_id"] == topic_named(emu, "Alex · M-0002")
    assert "Sam" in card["text"] and "Robin" in card["text"]
    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Cover: Robin"]  # never Alex himself
    toast = await paired.scenario.press(paired.coordinator, card, emu.button_data(card, "Robin"))
    assert "Robin covers for Sam" in toast
    await paired.settle()
    return card


async def test_away_a_cover_relays_both_ways_and_everything_returns_when_time_is_up(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    robin: FakeUser,
    clock: FakeClock,
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    told = [t for t in texts_in(emu, sam.id) if "is away until" in t]
    assert len(told) == 1 and "Robin" in told[0] and "Alex" in told[0]
    assert any("you are also the mentor of Sam" in t for t in texts_in(emu, robin.id))
    emu.user_sends(sam, "rough day, robin")
    copy = await emu.wait_for_bot_message(robin.id, "rough day")
    await paired.settle()
    assert not any("rough day" in t for t in texts_in(emu, alex.id))
    emu.user_sends(robin, "I am listening, sam", reply_to=copy["message_id"])
    got = await emu.wait_for_bot_message(sam.id, "listening, sam")
    await paired.settle()
    for secret in robin.identity_strings():
        assert secret not in str(got)
    clock.advance(days=7, minutes=1)
    assert await paired.runtime.run_lifecycle() == (1, 0)
    await paired.settle()
    assert any("Alex is back" in t for t in texts_in(emu, sam.id))
    assert any("Your cover for Sam has ended" in t for t in texts_in(emu, robin.id))
    assert texts.AWAY_BACK in texts_in(emu, alex.id)
    # The time is up only once.
    assert await paired.runtime.run_lifecycle() == (0, 0)
    emu.user_sends(sam, "alex are you back?")
    await emu.wait_for_bot_message(alex.id, "are you back")
    await paired.settle()
    assert not any("are you back" in t for t in texts_in(emu, robin.id))


async def test_a_reply_from_the_cover_mentor_after_the_mentor_came_back_early_is_refused(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    robin: FakeUser,
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    emu.user_sends(sam, "can we talk tonight")
    copy = await emu.wait_for_bot_message(robin.id, "talk tonight")
    await paired.settle()
    answer = await paired.scenario.say(alex, "/away off")
    assert answer is not None and answer["text"] == texts.AWAY_BACK
    await paired.settle()
    sam_before = len(emu.bot_messages(sam.id))
    alex_before = len(emu.bot_messages(alex.id))
    # Mid-conversation: Robin answers the copy after the cover ended.
    refusal = await paired.scenario.say(robin, "sure, at 8?", reply_to=copy["message_id"])
    assert refusal is not None and "your cover for Sam has ended" in refusal["text"]
    refusal = await paired.scenario.say(robin, "sam? still there?")
    assert refusal is not None and "has ended" in refusal["text"]
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == sam_before
    assert len(emu.bot_messages(alex.id)) == alex_before
    # While away, Alex's own reply was refused too (a cover had the conversation).


async def test_the_away_mentor_is_refused_while_covered_and_bad_numbers_explained(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    robin: FakeUser,
) -> None:
    for bad in ("/away 0", "/away 61", "/away soon", "/away"):
        answer = await paired.scenario.say(alex, bad)
        assert answer is not None and "up to 60" in answer["text"]
    answer = await paired.scenario.say(alex, "/away off")
    assert answer is not None and "not marked as away" in answer["text"]
    await away_with_cover(paired, emu, alex, robin)
    before = len(emu.bot_messages(sam.id))
    refusal = await paired.scenario.say(alex, "hey sam, checking from the beach")
    assert refusal is not None and "another mentor is covering" in refusal["text"]
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == before


async def test_forged_cover_buttons_change_nothing(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    robin: FakeUser,
) -> None:
    await paired.join(robin, "mentor", "Robin")
    await paired.scenario.say(alex, "/away 7")
    card = await emu.wait_for_bot_message(FORUM, "Who should cover")
    await paired.settle()
    # A mentee as the cover, the away mentor himself, a cover that does not exist.
    for data in ("cw:1:1", "cw:1:2", "cw:99:3"):
        query = emu.press_raw(paired.coordinator, card, data)
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None)  # type: ignore[misc]
        assert "Done" not in (emu.answer_of(query) or "")
    # A member (even the would-be cover) may not press it at all.
    query = emu.press_raw(robin, card, "cw:1:3")
    await emu.wait_for(lambda: emu.answer_of(query) is not None)
    assert emu.answer_of(query) == texts.BUTTON_FOR_COORDINATORS
    await paired.settle()
    assert not any("is away until" in t for t in texts_in(emu, sam.id))
    emu.user_sends(sam, "still alex?")
    await emu.wait_for_bot_message(alex.id, "still alex")
    await paired.settle()
    assert not any("still alex" in t for t in texts_in(emu, robin.id))


@pytest.mark.parametrize("kind", ["different", "concern"])
async def test_newmentor_goes_to_staff_in_the_mentees_topic_and_never_to_the_mentor(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, kind: str
) -> None:
    alex_before = len(emu.bot_messages(alex.id))
    ask = await paired.scenario.say(sam, "/newmentor he keeps cancelling on me")
    assert ask is not None and "Your mentor is not told" in ask["text"]
    label = "different mentor" if kind == "different" else "concern"
    toast = await paired.scenario.press(sam, ask, emu.button_data(ask, label))
    assert "has not been told" in toast
    heading = "asks for a different mentor" if kind == "different" else "has a concern"
    note = await emu.wait_for_bot_message(FORUM, heading)
    await paired.settle()
    assert note["message_thread_id"] == topic_named(emu, "Sam · M-0001")
    assert "keeps cancelling" in note["text"] and "Alex" in note["text"]
    assert len(emu.bot_messages(alex.id)) == alex_before
    # Pressed again (an old client still showing the buttons): sent once.
    query = emu.press_raw(sam, ask, f"nm:1:{kind}")
    await emu.wait_for(lambda: emu.answer_of(query) is not None)
    await paired.settle()
    assert sum(heading in t for t in texts_in(emu, FORUM)) == 1
    async with paired.runtime.session_factory() as s:
        request = await s.get(MentorChangeRequest, 1)
        assert request is not None and request.kind == kind and request.text is None


async def test_an_idle_pairing_prompts_the_mentor_and_staff_once_per_quiet_stretch(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, clock: FakeClock
) -> None:
    clock.advance(days=29)
    assert await paired.runtime.run_lifecycle() == (0, 0)
    clock.advance(days=1, minutes=1)
    assert await paired.runtime.run_lifecycle() == (0, 1)
    await paired.settle()
    assert sum("no messages with Sam for 30 days" in t for t in texts_in(emu, alex.id)) == 1
    note = await emu.wait_for_bot_message(FORUM, "for 30 days")
    assert note["message_thread_id"] == topic_named(emu, "Sam · M-0001")
    for _ in range(3):  # the next days: not again
        clock.advance(days=1)
        assert await paired.runtime.run_lifecycle() == (0, 0)
    emu.user_sends(sam, "sorry, busy month")  # a new quiet stretch starts after this
    await emu.wait_for_bot_message(alex.id, "busy month")
    await paired.settle()
    clock.advance(days=29)
    assert await paired.runtime.run_lifecycle() == (0, 0)
    clock.advance(days=1, minutes=1)
    assert await paired.runtime.run_lifecycle() == (0, 1)


async def test_graduation_ends_the_pairing_stops_check_ins_and_keeps_the_mentees_data(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
    clock: FakeClock,
) -> None:
    answer = await paired.scenario.say(coordinator, "/graduate M-0001")
    assert answer is not None and "completed the program" in answer["text"]
    await paired.settle()
    assert any("Congratulations" in t and "/mydata" in t for t in texts_in(emu, sam.id))
    assert any("Sam has completed the program" in t for t in texts_in(emu, alex.id))
    async with paired.runtime.session_factory() as s:
        pairing = await s.get(Pairing, 1)
        member = await s.get(Member, 1)
        assert pairing is not None and pairing.ended_at is not None
        assert member is not None and member.graduated_at is not None
    again = await paired.scenario.say(coordinator, "/graduate Sam")
    assert again is not None and "already completed" in again["text"]
    refused = await paired.scenario.say(coordinator, "/pair Sam Alex")
    assert refused is not None and "can't be paired again" in refused["text"]
    # No more check-ins, day after day.
    before = len(emu.bot_messages(sam.id))
    for _ in range(3):
        clock.advance(days=1)
        await paired.runtime.run_checkins()
    await paired.settle()
    assert len(emu.bot_messages(sam.id)) == before
    # A message goes to nobody, and says so; their own data stays theirs.
    told = await paired.scenario.say(sam, "hi alex?")
    assert told is not None and "was not passed on" in told["text"]
    await paired.settle()
    assert not any("hi alex?" in t for t in texts_in(emu, alex.id))
    emu.user_sends(sam, "/mydata")
    documents = await emu.wait_for(
        lambda: [m for m in emu.bot_messages(sam.id) if "document" in m], what="the JSON file"
    )
    data = json.loads(emu.uploads[(sam.id, documents[0]["message_id"])])
    assert data["member"]["completed_the_program"] is not None
    assert data["pairings"][0]["until"] is not None


async def test_weekly_concern_answers_land_in_the_mentees_topic(
    paired: Program, emu: BotApiEmulator, alex: FakeUser, clock: FakeClock
) -> None:
    await paired.runtime.run_checkins()
    prompt = None
    for _ in range(8 * 24):  # until the weekly mentor check-in arrives
        clock.advance(hours=1)
        await paired.runtime.run_checkins()
        found = [m for m in emu.bot_messages(alex.id) if "reply_markup" in m and
                 any("concern" in b["text"].lower() for row in m["reply_markup"]["inline_keyboard"]
                     for b in row)]  # fmt: skip
        if found:
            prompt = found[0]
            break
    assert prompt is not None
    await paired.settle()
    await paired.scenario.press_label(alex, prompt, "concern")
    note = await emu.wait_for_bot_message(FORUM, "weekly check-in")
    await paired.settle()
    assert note["message_thread_id"] == topic_named(emu, "Sam · M-0001")
    assert not [
        m for m in emu.bot_messages(COORDINATOR_ID) if "weekly check-in" in m.get("text", "")
    ]


async def test_erasure_renames_the_topic_and_staff_words_there_reach_nobody(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, coordinator: FakeUser
) -> None:
    emu.user_sends(sam, "/sos")
    await emu.wait_for_bot_message(FORUM, "Escalation #1")
    await paired.settle()
    thread = topic_named(emu, "Sam · M-0001")
    confirm = await paired.scenario.say(sam, "/deleteme")
    assert confirm is not None
    await paired.scenario.press(sam, confirm, emu.button_data(confirm, texts.ERASE_YES))
    await paired.settle()
    assert emu.topics(FORUM)[thread].name == "erased member #1"
    assert not [t for t in emu.topics(FORUM).values() if "Sam" in t.name]
    sam_before = len(emu.all_messages(sam.id))
    alex_before = len(emu.bot_messages(alex.id))
    emu.user_sends(coordinator, "Sam, are you safe?", chat_id=FORUM, thread_id=thread)
    note = await emu.wait_for_bot_message(FORUM, "erased their data")
    await paired.settle()
    assert note["message_thread_id"] == thread
    assert len(emu.all_messages(sam.id)) == sam_before
    assert len(emu.bot_messages(alex.id)) == alex_before
