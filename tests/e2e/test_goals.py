"""Goals for the week (agreed by mentor and mentee, asked about in the check-in, reviewed weekly,
shown in /progress) and triggers tagged in the check-in note step."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, text

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program
from tests.helpers import FakeClock, stored_bytes

WALK = "walk 20 minutes every day"
CALL = "call my sister on Sunday"


def current(emu: BotApiEmulator, message: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = emu.chats[message["chat"]["id"]].messages[message["message_id"]]
    return found


async def goal_rows(program: Program) -> list[tuple[str, str]]:
    """(status, proposer pseudonym) of every goal stored, oldest first."""
    async with program.runtime.session_factory() as s:
        rows = await s.execute(
            text(
                "SELECT goals.status, members.pseudonym FROM goals "
                "JOIN members ON members.id = goals.proposed_by ORDER BY goals.id"
            )
        )
        return [(r[0], r[1]) for r in rows]


async def propose(program: Program, who: FakeUser, to: FakeUser, goal: str) -> dict[str, Any]:
    """`who` proposes a goal; returns the proposal as `to` sees it."""
    before = program.emu.last_message_id(to.id)
    reply = await program.scenario.say(who, f"/goals {goal}")
    assert reply is not None and "Sent to" in reply["text"]
    return await program.emu.wait_for_bot_message(to.id, goal.split()[0], after=before)


async def agree(program: Program, who: FakeUser, to: FakeUser, goal: str) -> None:
    proposal = await propose(program, who, to, goal)
    await program.scenario.press_label(to, proposal, "Accept")
    await program.settle()


async def check_in(
    program: Program,
    sam: FakeUser,
    *,
    craving: str = "low",
    goals: tuple[str, ...] = (),
    triggers: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A whole check-in by taps; returns the prompt as it looks at the end."""
    emu = program.emu
    prompt = await program.scenario.say(sam, "/checkin")
    assert prompt is not None and "Daily check-in" in prompt["text"]
    for label in ("🙂", craving, "no", *goals, *triggers, "Done" if triggers else "Skip"):
        await program.settle()
        await program.scenario.press_label(sam, current(emu, prompt), label)
    await program.settle()
    return current(emu, prompt)


async def test_a_mentor_proposes_the_mentee_accepts_and_the_mentor_is_told(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    proposal = await propose(paired, alex, sam, WALK)
    assert "Alex" in proposal["text"] and WALK in proposal["text"]
    await paired.scenario.press_label(sam, proposal, "Accept")
    told = await emu.wait_for_bot_message(alex.id, "accepted")
    assert "Sam" in told["text"] and WALK in told["text"]
    await paired.settle()
    assert "Accept" not in json.dumps(current(emu, proposal).get("reply_markup", {}))
    listed = await paired.scenario.say(sam, "/goals")
    assert listed is not None and WALK in listed["text"] and "agreed" in listed["text"]
    assert await goal_rows(paired) == [("accepted", "Alex")]


async def test_a_mentee_proposes_and_the_mentor_declines(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    proposal = await propose(paired, sam, alex, "<b>no</b> & sleep by 11")
    # User text is escaped: the emulator refuses malformed HTML, so this arrived as written.
    assert "<b>no</b> & sleep by 11" in proposal["text"]
    await paired.scenario.press_label(alex, proposal, "Decline")
    told = await emu.wait_for_bot_message(sam.id, "rather not")
    assert "Alex" in told["text"]
    assert await goal_rows(paired) == [("declined", "Sam")]
    listed = await paired.scenario.say(alex, "/goals")
    assert listed is not None and "sleep by 11" not in listed["text"]


async def test_a_fourth_goal_in_a_week_is_refused(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await agree(paired, alex, sam, WALK)
    await agree(paired, sam, alex, CALL)
    await propose(paired, alex, sam, "go to two meetings")  # waiting for an answer counts
    before = emu.last_message_id(sam.id)
    refused = await paired.scenario.say(alex, "/goals cook dinner twice")
    assert refused is not None and "already has 3 goals" in refused["text"]
    await paired.settle()
    assert not any(
        "cook dinner" in (m.get("text") or "") for m in emu.bot_messages(sam.id)[before:]
    )
    assert len(await goal_rows(paired)) == 3


async def test_the_check_in_asks_about_each_goal_with_one_tap(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await agree(paired, alex, sam, WALK)
    await agree(paired, sam, alex, CALL)
    prompt = await paired.scenario.say(sam, "/checkin")
    assert prompt is not None
    for label in ("🙂", "low", "no"):
        await paired.settle()
        await paired.scenario.press_label(sam, current(emu, prompt), label)
    await paired.settle()
    shown = current(emu, prompt)
    assert WALK in shown["text"] and "How did it go today?" in shown["text"]
    labels = [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Done", "Partly", "Not today"]
    first_done = emu.button_data(shown, "Done")
    await paired.scenario.press_label(sam, shown, "Done")
    await paired.settle()
    shown = current(emu, prompt)
    assert CALL in shown["text"] and f"{WALK}: Done" in shown["text"]  # recorded, shown
    # The first goal's button again (a double tap, a forged client) records nothing more.
    again = emu.press_raw(sam, shown, first_done)
    await emu.wait_for(lambda: emu.answer_of(again) is not None, what="answer")
    assert emu.answer_of(again) == "Already recorded."
    await paired.scenario.press_label(sam, shown, "Not today")
    await paired.settle()
    shown = current(emu, prompt)
    assert "Skip" in json.dumps(shown["reply_markup"])  # then the note step, as before
    emu.user_sends(sam, "a good day")
    await emu.wait_for_bot_message(sam.id, "Note saved")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        answers = (await s.execute(text("SELECT answer FROM goal_checks ORDER BY goal_id"))).all()
        note_count = await s.scalar(text("SELECT count(*) FROM checkins WHERE note IS NOT NULL"))
    assert [a[0] for a in answers] == ["done", "not_today"]
    assert note_count == 1
    assert not any("a good day" in (m.get("text") or "") for m in emu.bot_messages(alex.id))


async def test_the_weekly_review_reaches_both_on_the_mentors_prompt_day(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, alex: FakeUser
) -> None:
    await paired.runtime.run_checkins()  # schedules: Alex's weekly prompt is Sunday 18:00
    await agree(paired, alex, sam, WALK)
    for answer in ("Done", "Partly", "Done"):  # Monday, Tuesday, Wednesday
        await check_in(paired, sam, goals=(answer,))
        clock.advance(days=1)
    clock.advance(days=2, hours=6)  # Saturday 7 March, 18:00 London: not the prompt day
    await paired.runtime.run_checkins()
    await paired.settle()
    for user in (sam, alex):
        for title in ("goal review", "goals this week"):
            assert not any(title in (m.get("text") or "") for m in emu.bot_messages(user.id))
    clock.advance(days=1)  # Sunday 8 March, 18:00
    await paired.runtime.run_checkins()
    for user, other, title in (
        (alex, "Sam", "Weekly goal review"),
        (sam, "Alex", "Your goals this week"),
    ):
        review = await emu.wait_for_bot_message(user.id, title)
        assert other in review["text"] and WALK in review["text"]
        assert "days met: 2 · partly: 1 · not today: 0" in review["text"]
    await paired.runtime.run_checkins()  # another tick the same evening sends nothing more
    await paired.settle()
    assert sum("goals this week" in (m.get("text") or "") for m in emu.bot_messages(sam.id)) == 1


async def test_progress_shows_goals_met_per_week_and_triggers_before_high_cravings(
    paired: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser, alex: FakeUser
) -> None:
    await agree(paired, alex, sam, WALK)
    days: list[tuple[str, str, tuple[str, ...]]] = [
        ("low", "Done", ("Places",)),  # Monday 2 March
        ("high", "Done", ("Places", "Feelings")),  # a high-craving day
        ("none", "Partly", ("People",)),
        ("very high", "Not today", ("Places",)),  # a high-craving day
    ]
    for craving, answer, triggers in days:
        end = await check_in(paired, sam, craving=craving, goals=(answer,), triggers=triggers)
        assert "Tagged" in end["text"] and "Thank you for checking in" in end["text"]
        clock.advance(days=1)
    clock.advance(days=3)  # Monday 9 March: the first goal's week is over; a new one
    await agree(paired, sam, alex, CALL)
    await check_in(paired, sam, goals=("Done",))
    async with paired.runtime.session_factory() as s:
        tags = (await s.execute(text("SELECT count(*) FROM checkin_triggers"))).scalar()
    assert tags == 5
    await paired.scenario.say(sam, "/progress", expect_reply=False)
    summary = await emu.wait_for_bot_message(sam.id, "goals met per week")
    assert "Week of 2026-03-02: 2 done, 1 partly" in summary["text"]
    assert "Week of 2026-03-09: 1 done, 0 partly" in summary["text"]
    triggers = await emu.wait_for_bot_message(sam.id, "Before your high-craving days")
    # Tags of the high-craving day and of the day before, each counted once per such day.
    assert "you most often tagged: places (2), people (1), feelings (1)" in triggers["text"]
    photo = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "photo" in m), None),
        what="Sam's chart",
    )
    assert "goals met" in photo["caption"]
    # The mentor's /progress shows the same about their mentee, by pseudonym.
    await paired.scenario.say(alex, "/progress", expect_reply=False)
    mentor_view = await emu.wait_for_bot_message(alex.id, "Before Sam's high-craving days")
    assert "places (2)" in mentor_view["text"]


async def test_stale_and_forged_goal_buttons_change_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, jo: FakeUser
) -> None:
    await paired.join(jo, "mentee", "Jo")
    proposal = await propose(paired, alex, sam, WALK)
    accept = emu.button_data(proposal, "Accept")
    # The proposer cannot accept their own goal; another mentee cannot either.
    for who in (alex, jo):
        press = emu.press_raw(who, proposal, accept)
        await emu.wait_for(lambda p=press: emu.answer_of(p) is not None, what="answer")  # type: ignore[misc]
        assert emu.answer_of(press) == "This button isn't for you."
    forged = emu.press_raw(sam, proposal, "gl:999:a")
    await emu.wait_for(lambda: emu.answer_of(forged) is not None, what="answer")
    assert emu.answer_of(forged) == "This button has expired."
    # Unpaired before answering: the old Accept button is answered, and nothing happens.
    reply = await paired.scenario.say(paired.coordinator, "/unpair Sam")
    assert reply is not None
    await paired.settle()
    before_alex = emu.last_message_id(alex.id)
    answer = await paired.scenario.press(sam, proposal, accept)
    assert "talk that has ended" in answer
    await paired.settle()
    assert emu.last_message_id(alex.id) == before_alex
    assert await goal_rows(paired) == [("proposed", "Alex")]
    listed = await paired.scenario.say(sam, "/goals")
    assert listed is not None and WALK not in listed["text"]
    # A forged goal button on a check-in records nothing.
    prompt = await paired.scenario.say(sam, "/checkin")
    assert prompt is not None
    for label in ("🙂", "low", "no"):
        await paired.settle()
        await paired.scenario.press_label(sam, current(emu, prompt), label)
    await paired.settle()
    checkin_id = emu.button_data(current(emu, prompt), "Skip").split(":")[1]
    bad = emu.press_raw(sam, prompt, f"cg:{checkin_id}:1:d")
    await emu.wait_for(lambda: emu.answer_of(bad) is not None, what="answer")
    assert emu.answer_of(bad) == "This button has expired."
    async with paired.runtime.session_factory() as s:
        assert await s.scalar(text("SELECT count(*) FROM goal_checks")) == 0


async def test_goal_text_is_encrypted_exported_and_erased(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, db_url: str
) -> None:
    secret = "swim at the quokka pool"
    await agree(paired, alex, sam, secret)
    await check_in(paired, sam, goals=("Done",), triggers=("Times",))
    assert b"quokka" not in await stored_bytes(db_url)
    await paired.scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    [goal] = data["goals"]
    assert goal["goal"] == secret and goal["status"] == "accepted"
    assert goal["proposed_by"] == "Alex" and goal["answers"] == ["done"]
    assert data["check_ins"][0]["triggers"] == ["times"]
    ask = await paired.scenario.say(sam, "/deleteme")
    assert ask is not None
    await paired.scenario.press_label(sam, ask, "Yes, erase")
    await emu.wait_for_bot_message(sam.id, "Your data has been erased")
    await paired.settle()
    from storage.models import Base

    async with paired.runtime.session_factory() as s:
        for table in ("goals", "goal_checks", "checkin_triggers"):
            assert table in Base.metadata.tables
            rows = select(func.count()).select_from(Base.metadata.tables[table])
            assert await s.scalar(rows) == 0


async def test_a_spanish_speaking_mentee_gets_goals_in_spanish(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", language="es")
    await program.join(alex, "mentor", "Alex")
    assert "Paired" in await program.pair("Sam", "Alex")
    await program.settle()
    before = emu.last_message_id(sam.id)
    reply = await program.scenario.say(alex, f"/goals {WALK}")
    assert reply is not None and "Sent to" in reply["text"]  # the mentor reads English
    proposal = await emu.wait_for_bot_message(sam.id, "te propone una meta", after=before)
    assert WALK in proposal["text"]  # their own words, as written
    await program.scenario.press_label(sam, proposal, "Aceptar")
    await emu.wait_for_bot_message(alex.id, "accepted your goal")
    prompt = await program.scenario.say(sam, "/checkin")
    assert prompt is not None
    for label in ("🙂", "pocas", "no"):  # mood, craving "low", used "no"
        await program.settle()
        await program.scenario.press_label(sam, current(emu, prompt), label)
    await program.settle()
    shown = current(emu, prompt)
    assert "¿Cómo te fue hoy?" in shown["text"]
    await program.scenario.press_label(sam, shown, "En parte")
    await program.settle()
    assert "Lugares" in json.dumps(current(emu, prompt)["reply_markup"], ensure_ascii=False)
