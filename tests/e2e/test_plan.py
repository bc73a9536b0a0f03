"""/plan: the mentee's own recovery plan, built step by step, edited, shared with the mentor,
shown with /sos, exported, erased, and stored encrypted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from bot import texts
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import CopingRun, Escalation, RecoveryPlan
from tests.e2e.conftest import Program
from tests.helpers import stored_bytes

STAFF_GROUP = -100500
WARNING = "I stop answering my phone & skip meals"
COPING = "A walk with the dog, loud music"
PEOPLE = "Maria <3 555-0142, the 7 pm meeting on Main Street"
REASONS = "My daughter Lucy and waking up without shame"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


@pytest.fixture(autouse=True)
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")


def texts_of(emu: BotApiEmulator, user: FakeUser, after: int = 0) -> list[str]:
    return [str(m.get("text") or "") for m in emu.bot_messages(user.id) if m["message_id"] > after]


async def answer(program: Program, user: FakeUser, text: str, expect: str) -> dict[str, Any]:
    before = program.emu.last_message_id(user.id)
    program.emu.user_sends(user, text)
    return await program.emu.wait_for_bot_message(user.id, expect, after=before)


async def build_plan(program: Program, sam: FakeUser) -> dict[str, Any]:
    """Through every step: one answered, one skipped, the rest answered. Returns the plan."""
    intro = await program.scenario.say(sam, "/plan")
    assert intro is not None and "Your recovery plan" in intro["text"]
    step1 = await program.emu.wait_for_bot_message(sam.id, "Step 1 of 5")
    assert "Warning signs" in step1["text"]
    step2 = await answer(program, sam, WARNING, "Step 2 of 5")
    assert "Triggers" in step2["text"]
    before = program.emu.last_message_id(sam.id)
    await program.scenario.press_label(sam, step2, "Skip")
    step3 = await program.emu.wait_for_bot_message(sam.id, "Step 3 of 5", after=before)
    assert "What helps me" in step3["text"]
    await answer(program, sam, COPING, "Step 4 of 5")
    await answer(program, sam, PEOPLE, "Step 5 of 5")
    before = program.emu.last_message_id(sam.id)
    program.emu.user_sends(sam, REASONS)
    await program.emu.wait_for_bot_message(sam.id, "That's your plan", after=before)
    shown = await program.emu.wait_for_bot_message(sam.id, "Crisis lines", after=before)
    await program.settle()
    return shown


async def stored_plan(program: Program) -> RecoveryPlan | None:
    async with program.runtime.session_factory() as s:
        return await s.scalar(select(RecoveryPlan))


async def test_the_plan_is_built_step_by_step_shown_escaped_and_stored_encrypted(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, db_url: str
) -> None:
    shown = await build_plan(paired, sam)
    text = shown["text"]
    for written in (WARNING, COPING, PEOPLE, REASONS):
        assert written in text  # exactly as written: "<3" and "&" escaped, not parsed
    assert "Triggers\n(not written yet)" in text
    assert "988" in text and "have been told" not in text  # the crisis lines only
    buttons = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == [f"✏️ {name}" for name in texts.PLAN_SECTIONS.values()] + [texts.PLAN_SHARE]
    # Plan answers are the mentee's own: nothing reached the mentor.
    assert not any("Maria" in t or "Lucy" in t for t in texts_of(emu, alex))
    plan = await stored_plan(paired)
    assert plan is not None
    assert (plan.warning, plan.triggers, plan.people, plan.awaiting, plan.building) == (
        WARNING, None, PEOPLE, None, False,
    )  # fmt: skip
    async with paired.runtime.session_factory() as s:
        row = (
            await s.execute(sql("SELECT warning, coping, people, reasons FROM recovery_plans"))
        ).one()
    assert all(value and "Maria" not in value for value in row)  # stored, and not as written
    for value, written in zip(row, (WARNING, COPING, PEOPLE, REASONS), strict=True):
        assert written not in value and "Lucy" not in value and "phone" not in value
    raw = await stored_bytes(db_url)
    assert b"Maria" not in raw and b"Lucy" not in raw
    # After the plan is done, a message goes to the mentor again.
    emu.user_sends(sam, "thanks for today")
    await emu.wait_for_bot_message(alex.id, "thanks for today")


async def test_a_section_is_edited_and_an_old_skip_button_does_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    shown = await build_plan(paired, sam)
    before = emu.last_message_id(sam.id)
    await paired.scenario.press_label(sam, shown, "Triggers")
    ask = await emu.wait_for_bot_message(sam.id, "Triggers", after=before)
    assert "keep what you have" in ask["text"]
    updated = await answer(paired, sam, "Payday, Friday nights alone", "Your recovery plan")
    assert "Payday, Friday nights alone" in updated["text"] and WARNING in updated["text"]
    # Keep leaves a section as it is.
    before = emu.last_message_id(sam.id)
    await paired.scenario.press_label(sam, updated, "Warning signs")
    ask = await emu.wait_for_bot_message(sam.id, "What you have now", after=before)
    assert WARNING in ask["text"]
    await paired.scenario.press_label(sam, ask, "Keep it as it is")
    await paired.settle()
    again = emu.press_raw(sam, ask, "pl:keep:warning")
    await emu.wait_for(lambda: emu.answer_of(again) is not None, what="answer")
    assert emu.answer_of(again) == texts.STALE_BUTTON
    forged = emu.press_raw(sam, ask, "pl:edit:bank_details")
    await emu.wait_for(lambda: emu.answer_of(forged) is not None, what="answer")
    assert emu.answer_of(forged) == texts.STALE_BUTTON
    plan = await stored_plan(paired)
    assert plan is not None and (plan.warning, plan.triggers) == (
        WARNING,
        "Payday, Friday nights alone",
    )


async def test_sharing_sends_the_mentor_the_current_plan_by_pseudonym_only(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    shown = await build_plan(paired, sam)
    await paired.scenario.press_label(sam, shown, "Share")
    copy = await emu.wait_for_bot_message(alex.id, "shared their recovery plan")
    assert "Sam" in copy["text"] and PEOPLE in copy["text"]
    await emu.wait_for_bot_message(sam.id, "was sent to your mentor, Alex")
    # Edited, then shared again: the mentor gets the new version.
    before = emu.last_message_id(sam.id)
    await paired.scenario.press_label(sam, shown, "My reasons")
    await emu.wait_for_bot_message(sam.id, "What you have now", after=before)
    updated = await answer(paired, sam, "Lucy, and my own health", "Your recovery plan")
    mentor_before = emu.last_message_id(alex.id)
    await paired.scenario.press_label(sam, updated, "Share")
    second = await emu.wait_for_bot_message(
        alex.id, "shared their recovery plan", after=mentor_before
    )
    assert "Lucy, and my own health" in second["text"] and REASONS not in second["text"]
    await paired.settle()
    for secret in sam.identity_strings():
        assert not any(secret in t for t in texts_of(emu, alex)), secret


async def test_sos_raises_the_alarm_then_shows_the_plan_and_the_exercises(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await build_plan(paired, sam)
    before = emu.last_message_id(sam.id)
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    plan = await emu.wait_for_bot_message(sam.id, "in case it helps right now", after=before)
    offer = await emu.wait_for_bot_message(sam.id, "If you are safe right now", after=before)
    crisis = await emu.wait_for_bot_message(sam.id, "have been told", after=before)
    assert crisis["message_id"] < plan["message_id"] < offer["message_id"]
    assert PEOPLE in plan["text"]
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Escalation)) == 1


async def test_the_plan_is_in_mydata_and_gone_after_deleteme(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, db_url: str
) -> None:
    shown = await build_plan(paired, sam)
    menu = await paired.scenario.say(sam, "/cope")
    assert menu is not None
    await paired.scenario.press_label(sam, menu, "Call someone")
    first = await emu.wait_for_bot_message(sam.id, "people and places you wrote")
    assert PEOPLE in first["text"]  # the plan's people, for the call
    await paired.settle()
    await paired.scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    plan = data["recovery_plan"]
    assert plan["sections"]["warning"] == WARNING and plan["sections"]["triggers"] is None
    assert plan["sections"]["people"] == PEOPLE and plan["shared_with_mentor"] is None
    assert data["coping_exercises"] == [
        {
            "exercise": "call",
            "started": data["coping_exercises"][0]["started"],
            "sent_by_mentor": False,
            "steps_seen": 1,
            "helped": None,
        }
    ]
    assert shown  # (built above)
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(RecoveryPlan)) == 0
        assert await s.scalar(select(func.count()).select_from(CopingRun)) == 0


async def test_a_long_plan_is_split_to_fit_telegram_and_nothing_is_lost(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await paired.scenario.say(sam, "/plan")
    await emu.wait_for_bot_message(sam.id, "Step 1 of 5")
    long_answers = [f"{n}: " + ("a long line & more <words> " * 150)[:4000] for n in range(5)]
    for n, text in enumerate(long_answers):
        before = emu.last_message_id(sam.id)
        emu.user_sends(sam, text)
        await emu.wait_for_bot_message(
            sam.id, "Step" if n < 4 else "That's your plan", after=before
        )
    await emu.wait_for_bot_message(sam.id, "Crisis lines")
    await paired.settle()
    messages = [t for t in texts_of(emu, sam) if "a long line" in t]
    joined = "".join(messages).replace("\n", "").replace(" ", "")
    for text in long_answers:
        assert text.replace(" ", "") in joined
    assert all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in messages)
    async with paired.runtime.session_factory() as s:
        from storage.models import OutboxMessage

        dead = await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "dead")
        )
    assert dead == 0
