"""/cope: short exercises for a hard moment, offered by the person, after a high craving,
after a concern and after /sos (beside the human steps), or sent by a mentor."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.config import Settings
from bot.services import coping
from emulator import BotApiEmulator, FakeUser
from storage.models import CopingRun, Escalation
from tests.e2e.conftest import Program

STAFF_GROUP = -100500
# A calm lapse with a plan to talk (the concern tier, see test_concerns.py).
# A lapse with the pull still there: a concern (a calm report of a past lapse asks nobody:
# the mentor reads it in the conversation, see docs/risk.md).
LAPSE = "I drank last night and today I want to drink again, not proud of it. can we talk?"


def plain(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def texts_of(emu: BotApiEmulator, user: FakeUser, after: int = 0) -> list[str]:
    return [str(m.get("text") or "") for m in emu.bot_messages(user.id) if m["message_id"] > after]


async def runs(program: Program) -> list[CopingRun]:
    async with program.runtime.session_factory() as s:
        return list((await s.scalars(select(CopingRun).order_by(CopingRun.id))).all())


async def _press_and_wait(
    program: Program, user: FakeUser, message: dict[str, Any], label: str, contains: str
) -> dict[str, Any]:
    before = program.emu.last_message_id(user.id)
    await program.scenario.press_label(user, message, label)
    return await program.emu.wait_for_bot_message(user.id, contains, after=before)


async def test_cope_goes_step_by_step_to_did_that_help_and_the_answer_is_counted(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    menu = await paired.scenario.say(sam, "/cope")
    assert menu is not None and "Tools for a hard moment" in menu["text"]
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == list(texts.COPE_EXERCISES.values())
    step = await _press_and_wait(paired, sam, menu, "Slow breathing", "Slow breathing")
    assert "count to 4" in step["text"]
    seen = [step]
    for _ in range(len(texts.COPE_STEPS_BREATHE) - 2):
        seen.append(await _press_and_wait(paired, sam, seen[-1], "Next", ""))
    await paired.scenario.press_label(sam, seen[-1], "Next")
    question = await emu.wait_for_bot_message(sam.id, "Did that help?")
    await paired.settle()
    # Every step, once each, in order.
    shown = [t for t in texts_of(emu, sam) if any(t == plain(s) for s in texts.COPE_STEPS_BREATHE)]
    assert shown == [plain(s) for s in texts.COPE_STEPS_BREATHE]
    # An old Next does nothing more.
    before = emu.last_message_id(sam.id)
    again = emu.press_raw(sam, seen[0], emu.button_data(seen[0], "Next"))
    await emu.wait_for(lambda: emu.answer_of(again) is not None, what="answer")
    assert emu.answer_of(again) == texts.CHECKIN_ALREADY
    await paired.settle()
    assert emu.last_message_id(sam.id) == before

    await paired.scenario.press_label(sam, question, "A bit")
    await emu.wait_for_bot_message(sam.id, "Every bit counts")
    await paired.settle()
    assert "You said: A bit" in emu.chats[sam.id].messages[question["message_id"]]["text"]
    # A second answer is not counted twice.
    twice = emu.press_raw(sam, question, f"ch:{(await runs(paired))[0].id}:yes")
    await emu.wait_for(lambda: emu.answer_of(twice) is not None, what="answer")
    assert emu.answer_of(twice) == texts.CHECKIN_ALREADY
    [run] = await runs(paired)
    assert (run.exercise, run.step, run.helped) == ("breathe", 4, "bit")
    async with paired.runtime.session_factory() as s:
        counts = await coping.helped_counts(s)
        mine = await coping.helped_counts(s, member_id=run.member_id)
    assert counts["breathe"] == {"yes": 0, "bit": 1, "no": 0} == mine["breathe"]
    assert counts["urge"] == {"yes": 0, "bit": 0, "no": 0}
    # Nothing of it went to the mentor.
    assert not any("breath" in t.lower() for t in texts_of(emu, alex))
    # The program's /stats counts it (counts only, no one named).
    stats = await paired.scenario.say(paired.coordinator, "/stats")
    assert stats is not None
    assert "Coping exercises in the last 30 days" in stats["text"]
    assert "• 🌬 Slow breathing: 0 · 1 · 0" in stats["text"].splitlines()
    assert "Ride the urge" not in stats["text"]  # nobody answered for that one


async def _checkin_with_craving(program: Program, sam: FakeUser, craving: str) -> None:
    reply = await program.scenario.say(sam, "/checkin")
    assert reply is not None
    await program.settle()
    await program.scenario.press(sam, reply, program.emu.button_data(reply, "🙂"))
    await program.settle()
    current = program.emu.chats[sam.id].messages[reply["message_id"]]
    await program.scenario.press_label(sam, current, craving)
    await program.settle()


async def test_a_high_craving_check_in_offers_the_exercises_and_the_plan_at_once(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await paired.scenario.say(sam, "/plan")
    emu.user_sends(sam, "I stop answering my phone")
    await emu.wait_for_bot_message(sam.id, "Step 2 of 5")
    await paired.settle()
    before = emu.last_message_id(sam.id)
    await _checkin_with_craving(paired, sam, "high")
    offer = await emu.wait_for_bot_message(sam.id, "strong craving", after=before)
    assert [b["text"] for row in offer["reply_markup"]["inline_keyboard"] for b in row] == list(
        texts.COPE_EXERCISES.values()
    )
    shown = await emu.wait_for_bot_message(sam.id, "in case it helps right now", after=before)
    assert "I stop answering my phone" in shown["text"]
    # The check-in goes on as before (the next question).
    assert not any("strong craving" in t for t in texts_of(emu, alex))


async def test_a_low_craving_check_in_offers_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    before = emu.last_message_id(sam.id)
    await _checkin_with_craving(paired, sam, "low")
    assert not any("craving" in t and "Pick one" in t for t in texts_of(emu, sam, before))
    assert not any("in case it helps" in t for t in texts_of(emu, sam, before))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture(autouse=True)
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


async def test_a_concern_offers_the_exercises_and_the_mentor_is_still_asked(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, LAPSE)
    card = await emu.wait_for_bot_message(alex.id, "may mean they are struggling")
    assert "Sam" in card["text"]
    offer = await emu.wait_for_bot_message(sam.id, "things may be hard right now")
    assert len(offer["reply_markup"]["inline_keyboard"]) == len(texts.COPE_EXERCISES)
    # A second worrying message minutes later: the mentor is asked again, no second offer.
    emu.user_sends(sam, "I drank again tonight, I feel like a failure, not proud")
    await paired.settle()
    assert sum("things may be hard" in t for t in texts_of(emu, sam)) == 1


async def test_sos_still_alerts_staff_and_then_offers_the_exercises(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    offer = await emu.wait_for_bot_message(sam.id, "If you are safe right now")
    crisis = await emu.wait_for_bot_message(sam.id, "988")
    assert crisis["message_id"] < offer["message_id"]  # after, never instead of, the crisis text
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Escalation)) == 1


async def test_a_mentor_sends_an_exercise_and_neither_side_sees_the_others_identity(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    pick = await paired.scenario.say(alex, "/cope")
    assert pick is not None
    labels = [b["text"] for row in pick["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Sam", texts.COPE_MENTOR_SELF]
    which = await _press_and_wait(paired, alex, pick, "Sam", "Which exercise")
    before = emu.last_message_id(sam.id)
    await paired.scenario.press_label(alex, which, "HALT")
    invite = await emu.wait_for_bot_message(sam.id, "sent you a short exercise", after=before)
    assert "Alex" in invite["text"] and "HALT check" in invite["text"]
    await paired.settle()
    assert "Sent to Sam" in emu.chats[alex.id].messages[which["message_id"]]["text"]
    first = await _press_and_wait(paired, sam, invite, "Start", "Hungry?")
    assert first["reply_markup"]["inline_keyboard"][0][0]["text"] == texts.COPE_NEXT
    [run] = await runs(paired)
    assert (run.exercise, run.sent_by_mentor, run.step) == ("halt", True, 1)
    await paired.settle()
    for secret in sam.identity_strings():
        assert not any(secret in t for t in texts_of(emu, alex)), secret
        assert secret not in str(pick) + str(which)
    for secret in alex.identity_strings():
        assert not any(secret in t for t in texts_of(emu, sam)), secret


async def test_forged_and_stale_cope_buttons_are_answered_harmlessly(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    await paired.join(jo, "mentee", "Jo")  # not Alex's mentee
    menu = await paired.scenario.say(sam, "/cope")
    assert menu is not None
    step = await _press_and_wait(paired, sam, menu, "Play the tape", "Play the tape")
    [run] = await runs(paired)
    async with paired.runtime.session_factory() as s:
        from storage.models import Member

        jo_id = await s.scalar(select(Member.id).where(Member.pseudonym == "Jo"))
    pick = await paired.scenario.say(alex, "/cope")
    assert pick is not None
    forged = [
        (jo, step, f"cr:{run.id}:1", texts.NOT_YOUR_BUTTON),  # not the run's owner
        (alex, pick, f"cr:{run.id}:1", texts.NOT_YOUR_BUTTON),
        (sam, step, "cr:999999:0", texts.NOT_YOUR_BUTTON),
        (sam, step, f"ch:{run.id}:yes", texts.STALE_BUTTON),  # before the last step
        (sam, step, "cp:vodka", texts.STALE_BUTTON),
        (sam, step, f"cr:{run.id}:99", texts.CHECKIN_ALREADY),
        (sam, step, "cr:1:1:1", texts.STALE_BUTTON),
        (sam, step, f"cs:{jo_id}:halt", texts.BUTTON_FOR_MENTORS),
        (alex, pick, f"cs:{jo_id}:halt", texts.COPE_NOT_YOUR_MENTEE),
        (alex, pick, f"cm:{jo_id}", texts.COPE_NOT_YOUR_MENTEE),
        (alex, pick, "cs:1:vodka", texts.STALE_BUTTON),
    ]
    before = {u.id: emu.last_message_id(u.id) for u in (sam, alex, jo)}
    for user, message, data, expected in forged:
        query = emu.press_raw(user, message, data)
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None, what=data)  # type: ignore[misc]
        assert emu.answer_of(query) == expected, data
    await paired.settle()
    # Nothing was sent to anyone, and no run was started or answered.
    assert {u.id: emu.last_message_id(u.id) for u in (sam, alex, jo)} == before
    [same] = await runs(paired)
    assert (same.step, same.helped) == (1, None)


async def test_cope_flows_in_spanish_for_a_mentee_who_chose_it(
    program: Program, emu: BotApiEmulator, jo: FakeUser
) -> None:
    from bot.i18n import t, t_item

    def es(template: str) -> str:
        return plain(t(template).render("es"))

    await program.join(jo, "mentee", "Jo", language="es")
    menu = await program.scenario.say(jo, "/cope")
    assert menu is not None and menu["text"] == es(texts.COPE_MENU)
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [t_item(texts.COPE_EXERCISES, k).render("es") for k in texts.COPE_EXERCISES]
    step = await _press_and_wait(program, jo, menu, "Anclaje", "5 cosas que puedes ver")
    for _ in range(len(texts.COPE_STEPS_GROUND) - 1):
        before = emu.last_message_id(jo.id)
        await program.scenario.press_label(jo, step, "Siguiente")
        step = await emu.wait_for_bot_message(jo.id, None, after=before)
    question = await emu.wait_for_bot_message(jo.id, "¿Te ayudó?")
    await program.scenario.press_label(jo, question, "Sí")
    await emu.wait_for_bot_message(jo.id, "Me alegra")
    [run] = await runs(program)
    assert (run.exercise, run.helped) == ("ground", "yes")
    assert not any("Did that help" in t for t in texts_of(emu, jo))


async def test_a_mentor_can_try_one_themself_without_the_plan_only_exercise(
    paired: Program, emu: BotApiEmulator, alex: FakeUser
) -> None:
    pick = await paired.scenario.say(alex, "/cope")
    assert pick is not None
    menu = await _press_and_wait(paired, alex, pick, "For me", "Tools for a hard moment")
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == [v for k, v in texts.COPE_EXERCISES.items() if k != "call"]
    step = await _press_and_wait(paired, alex, menu, "Slow breathing", "Slow breathing")
    assert step["reply_markup"]["inline_keyboard"][0][0]["text"] == texts.COPE_NEXT
