"""Attacks on the pairing lifecycle, goals and the other new tools, as an outsider would run
them: a cover that ended, forged or old buttons, odd text."""

from __future__ import annotations

import pytest

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program
from tests.e2e.test_lifecycle import away_with_cover, texts_in

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


async def test_a_former_cover_mentor_cannot_rewrite_their_words_in_the_mentees_chat(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, robin: FakeUser
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    sent = emu.user_sends(robin, "hang in there sam")
    copy = await emu.wait_for_bot_message(sam.id, "hang in there")
    await paired.settle()
    assert (await paired.scenario.say(alex, "/away off")) is not None
    await paired.settle()
    # The cover has ended: a reply from Robin is refused, and so must be an edit.
    emu.user_edits(robin, sent["message_id"], "new words sam should never get")
    await paired.settle()
    assert emu.chats[sam.id].messages[copy["message_id"]]["text"] == "hang in there sam"
    assert not any("should never get" in t for t in texts_in(emu, sam.id))
    assert any("your cover for Sam has ended" in t for t in texts_in(emu, robin.id))


async def test_a_mentees_edit_after_the_cover_ended_does_not_reach_the_former_cover(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, robin: FakeUser
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    sent = emu.user_sends(sam, "robin i am ok")
    copy = await emu.wait_for_bot_message(robin.id, "robin i am ok")
    await paired.settle()
    assert (await paired.scenario.say(alex, "/away off")) is not None
    await paired.settle()
    emu.user_edits(sam, sent["message_id"], "alex, something private for you only")
    await paired.settle()
    assert emu.chats[robin.id].messages[copy["message_id"]]["text"] == "robin i am ok"
    assert not any("private for you" in t for t in texts_in(emu, robin.id))


async def test_a_goal_a_mentee_proposes_during_a_cover_can_be_accepted_by_the_cover(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, robin: FakeUser
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    before = emu.last_message_id(robin.id)
    reply = await paired.scenario.say(sam, "/goals walk every evening")
    assert reply is not None and "Robin" in reply["text"]
    proposal = await emu.wait_for_bot_message(robin.id, "walk every evening", after=before)
    await paired.settle()
    assert not any("walk every evening" in t for t in texts_in(emu, alex.id))
    toast = await paired.scenario.press(robin, proposal, emu.button_data(proposal, "Accept"))
    assert toast is None or "not yours" not in toast.lower()
    told = await emu.wait_for_bot_message(sam.id, "accepted")
    assert "Robin" in told["text"] and "walk every evening" in told["text"]
    listed = await paired.scenario.say(sam, "/goals")
    assert listed is not None and "agreed" in listed["text"]


async def test_a_cover_mentor_who_erases_their_data_leaves_nobody_unanswered(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, robin: FakeUser
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    kim = await paired.join(emu.user(7300000003, "Kimberly", "Hidden"), "mentor", "Kim")
    ask = await paired.scenario.say(robin, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(robin, ask, "Yes, erase")
    await emu.wait_for_bot_message(robin.id, "Your data has been erased")
    await paired.settle()
    # Sam is not left believing Robin reads what they write, and knows where help is.
    told = [t for t in texts_in(emu, sam.id) if "can no longer cover" in t]
    assert len(told) == 1 and "Robin" in told[0] and "Alex" in told[0] and "/sos" in told[0]
    # Staff are asked again to choose a cover for Sam (Alex is still away); never Robin.
    # (The first card now reads "Robin covers for Sam".)
    cards = [m for m in emu.bot_messages(FORUM) if "cover for Sam" in (m.get("text") or "")]
    assert len(cards) == 1
    assert "Robin" not in str(cards[-1].get("reply_markup", {}))
    toast = await paired.scenario.press(
        paired.coordinator, cards[0], emu.button_data(cards[0], "Kim")
    )
    assert "Kim covers for Sam" in toast
    await paired.settle()
    emu.user_sends(sam, "kim, are you there?")
    await emu.wait_for_bot_message(kim.id, "kim, are you there?")


async def test_a_half_set_reminder_does_not_swallow_what_the_mentee_writes_to_their_mentor(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    ask = await paired.scenario.say(sam, "/remind")
    assert ask is not None and "What should I remind you of?" in ask["text"]
    ask_when = await paired.scenario.say(sam, "take my evening dose")
    assert ask_when is not None and "When?" in ask_when["text"]
    # Sam changes their mind and writes to Alex instead: not a time at all.
    answer = await paired.scenario.say(sam, "alex, i had a really hard day")
    assert answer is not None and "No reminder was set" in answer["text"]
    emu.user_sends(sam, "are you there?")
    await emu.wait_for_bot_message(alex.id, "are you there?")
    # A reply to the mentor's message is for the mentor, even while a reminder is being set.
    emu.user_sends(alex, "yes, i am here")
    mine = await emu.wait_for_bot_message(sam.id, "yes, i am here")
    await paired.settle()
    ask = await paired.scenario.say(sam, "/remind")
    assert ask is not None and "What should I remind you of?" in ask["text"]
    emu.user_sends(sam, "see you at 18:30 then", reply_to=mine["message_id"])
    await emu.wait_for_bot_message(alex.id, "see you at 18:30 then")


async def test_a_reply_to_the_mentor_during_plan_is_for_the_mentor_not_the_plan(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(alex, "how is your evening going?")
    mine = await emu.wait_for_bot_message(sam.id, "how is your evening")
    await paired.settle()
    intro = await paired.scenario.say(sam, "/plan", expect_reply=False)
    assert intro is None
    await emu.wait_for_bot_message(sam.id, "Step 1")
    await paired.settle()
    emu.user_sends(sam, "not great, can we talk", reply_to=mine["message_id"])
    await emu.wait_for_bot_message(alex.id, "not great, can we talk")
    await paired.settle()
    assert not any("Step 2" in t for t in texts_in(emu, sam.id))


async def test_a_cover_mentor_who_goes_away_too_hands_the_mentee_back_to_staff(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, robin: FakeUser
) -> None:
    await away_with_cover(paired, emu, alex, robin)
    kim = await paired.join(emu.user(7300000003, "Kimberly", "Hidden"), "mentor", "Kim")
    answer = await paired.scenario.say(robin, "/away 3")
    assert answer is not None
    await paired.settle()
    told = [t for t in texts_in(emu, sam.id) if "can no longer cover" in t]
    assert len(told) == 1 and "Robin" in told[0]
    cards = [m for m in emu.bot_messages(FORUM) if "cover for Sam" in (m.get("text") or "")]
    assert len(cards) == 1 and "Robin" not in str(cards[0].get("reply_markup", {}))
    emu.user_sends(sam, "hello? anyone")
    await emu.wait_for_bot_message(alex.id, "hello? anyone")
    await paired.settle()
    assert not any("hello? anyone" in t for t in texts_in(emu, robin.id))
    await paired.scenario.press(paired.coordinator, cards[0], emu.button_data(cards[0], "Kim"))
    await paired.settle()
    emu.user_sends(sam, "hi kim")
    await emu.wait_for_bot_message(kim.id, "hi kim")
