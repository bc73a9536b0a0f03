"""/cope: short exercises for a craving or a hard moment, a few messages each with a button
to go on, and "did that help?" at the end (counted per exercise).

Offered by the person's own /cope, at once after a high-craving check-in, after a concern
from the risk assessor and after /sos: always beside the human steps, never instead of them.
A mentor can send one to a mentee, who gets an invitation naming the mentor by pseudonym.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t, t_item
from bot.services.members import active_mentees
from bot.services.outbox import Button, edit_text, h, notify_member, send_text
from storage.models import Concern, CopingRun, Member, RecoveryPlan

# The steps of each exercise, in order; "call" is built from the person's plan.
STEPS: dict[str, tuple[str, ...]] = {
    "urge": texts.COPE_STEPS_URGE,
    "ddd": texts.COPE_STEPS_DDD,
    "halt": texts.COPE_STEPS_HALT,
    "breathe": texts.COPE_STEPS_BREATHE,
    "ground": texts.COPE_STEPS_GROUND,
    "tape": texts.COPE_STEPS_TAPE,
    "call": (),
}
assert set(STEPS) == set(texts.COPE_EXERCISES)
HELPED = tuple(texts.COPE_HELPED)
# A check-in craving at or above this ("high", "very high") is met with the offer at once.
HIGH_CRAVING = 3
# Several worrying messages in a row get one offer, not one each.
CONCERN_OFFER_GAP = timedelta(minutes=30)


def exercise_buttons(member: Member) -> list[list[Button]]:
    """One button per exercise. "Call someone from my plan" only for mentees: only they
    have a /plan to take the names from."""
    return [
        [(t_item(texts.COPE_EXERCISES, key), f"cp:{key}")]
        for key in texts.COPE_EXERCISES
        if key != "call" or member.role == "mentee"
    ]


async def offer(session: AsyncSession, *, member: Member, intro: Text, now: datetime) -> bool:
    """The exercises, each a button, after `intro`. Returns whether it was queued."""
    return await notify_member(session, member, intro, buttons=exercise_buttons(member), now=now)


async def open_menu(session: AsyncSession, *, member: Member, now: datetime) -> None:
    """/cope: a mentee picks an exercise; a mentor picks a mentee to send one to, or
    themself."""
    if member.role == "mentor":
        mentees = await active_mentees(session, member.id)
        if mentees:
            rows: list[list[Button]] = [
                [(mentee.pseudonym, f"cm:{mentee.id}")] for _, mentee in mentees
            ]
            rows.append([(t(texts.COPE_MENTOR_SELF), "cm:me")])
            await send_text(
                session, member.chat_id, t(texts.COPE_MENTOR_PICK), buttons=rows, now=now
            )
            return
    await send_text(
        session, member.chat_id, t(texts.COPE_MENU), buttons=exercise_buttons(member), now=now
    )


async def offer_after_concern(
    session: AsyncSession, *, mentee: Member, concern: Concern, now: datetime
) -> None:
    """Beside the mentor's card (or the climb to staff): the exercises, once per stretch of
    worrying messages."""
    earlier = await session.scalar(
        select(func.count())
        .select_from(Concern)
        .where(
            Concern.mentee_id == mentee.id,
            Concern.id != concern.id,
            Concern.created_at >= now - CONCERN_OFFER_GAP,
        )
    )
    if not earlier:
        await offer(session, member=mentee, intro=t(texts.COPE_OFFER_CONCERN), now=now)


async def _steps(session: AsyncSession, member: Member, exercise: str) -> tuple[Text, ...]:
    if exercise != "call":
        return tuple(t_item(STEPS[exercise], index) for index in range(len(STEPS[exercise])))
    plan = await session.get(RecoveryPlan, member.id)
    if plan is not None and plan.people:
        first = t(texts.COPE_CALL_PEOPLE, people=h(plan.people))
    else:
        first = t(texts.COPE_CALL_NO_PEOPLE)
    return (first, t(texts.COPE_CALL_AFTER))


async def start(
    session: AsyncSession, *, member: Member, exercise: str, now: datetime
) -> Text | None:
    """A press on an exercise's name: its first step. Returns a toast, or None."""
    if exercise not in STEPS:
        return t(texts.STALE_BUTTON)
    run = CopingRun(
        member_id=member.id, exercise=exercise, step=0, sent_by_mentor=False, created_at=now
    )
    session.add(run)
    await session.flush()
    await _advance(session, member=member, run=run, now=now)
    return None


async def go_on(
    session: AsyncSession, *, member: Member, run_id: int, seen: int, now: datetime
) -> Text | None:
    """A press on Next (or Start): the following step, once."""
    run = await session.get(CopingRun, run_id)
    if run is None or run.member_id != member.id:
        return t(texts.NOT_YOUR_BUTTON)
    if run.step != seen:
        return t(texts.CHECKIN_ALREADY)  # that step was shown already
    await _advance(session, member=member, run=run, now=now)
    return None


async def _advance(
    session: AsyncSession, *, member: Member, run: CopingRun, now: datetime
) -> None:
    steps = await _steps(session, member, run.exercise)
    if run.step >= len(steps):
        return
    text = steps[run.step]
    run.step += 1
    if run.step < len(steps):
        buttons = [[(t(texts.COPE_NEXT), f"cr:{run.id}:{run.step}")]]
        await send_text(session, member.chat_id, text, buttons=buttons, now=now)
        return
    await send_text(session, member.chat_id, text, now=now)
    await send_text(
        session,
        member.chat_id,
        t(texts.COPE_HELPED_QUESTION),
        buttons=[[(t_item(texts.COPE_HELPED, key), f"ch:{run.id}:{key}") for key in HELPED]],
        now=now,
    )


async def record_helped(
    session: AsyncSession,
    *,
    member: Member,
    run_id: int,
    answer: str,
    message_id: int,
    now: datetime,
) -> Text | None:
    """ "Did that help?": recorded once per run; a kind word back."""
    run = await session.get(CopingRun, run_id)
    if run is None or run.member_id != member.id:
        return t(texts.NOT_YOUR_BUTTON)
    if answer not in HELPED or run.step < len(await _steps(session, member, run.exercise)):
        return t(texts.STALE_BUTTON)
    if run.helped is not None:
        return t(texts.CHECKIN_ALREADY)
    run.helped = answer
    run.answered_at = now
    await edit_text(
        session,
        member.chat_id,
        message_id,
        t(texts.COPE_HELPED_RECORDED, answer=t_item(texts.COPE_HELPED, answer)),
        now=now,
    )
    await send_text(session, member.chat_id, t_item(texts.COPE_HELPED_THANKS, answer), now=now)
    return None


async def _mentee_of(session: AsyncSession, mentor: Member, mentee_id: int) -> Member | None:
    for _, mentee in await active_mentees(session, mentor.id):
        if mentee.id == mentee_id:
            return mentee
    return None


async def mentor_pick(
    session: AsyncSession, *, mentor: Member, mentee_id: int | None, now: datetime
) -> Text | None:
    """A mentor chose whom the exercise is for: a mentee (then which exercise), or
    themself (None)."""
    if mentee_id is None:
        await send_text(
            session, mentor.chat_id, t(texts.COPE_MENU), buttons=exercise_buttons(mentor), now=now
        )
        return None
    mentee = await _mentee_of(session, mentor, mentee_id)
    if mentee is None:
        return t(texts.COPE_NOT_YOUR_MENTEE)
    rows = [
        [(t_item(texts.COPE_EXERCISES, key), f"cs:{mentee.id}:{key}")]
        for key in texts.COPE_EXERCISES
    ]
    await send_text(
        session,
        mentor.chat_id,
        t(texts.COPE_MENTOR_PICK_EXERCISE, mentee=h(mentee.pseudonym)),
        buttons=rows,
        now=now,
    )
    return None


async def send_to_mentee(
    session: AsyncSession,
    *,
    mentor: Member,
    mentee_id: int,
    exercise: str,
    message_id: int,
    now: datetime,
) -> Text | None:
    """The mentee gets an invitation with a Start button; the mentor sees it went (by the
    mentee's pseudonym only)."""
    if exercise not in STEPS:
        return t(texts.STALE_BUTTON)
    mentee = await _mentee_of(session, mentor, mentee_id)
    if mentee is None:
        return t(texts.COPE_NOT_YOUR_MENTEE)
    run = CopingRun(
        member_id=mentee.id, exercise=exercise, step=0, sent_by_mentor=True, created_at=now
    )
    session.add(run)
    await session.flush()
    label = t_item(texts.COPE_EXERCISES, exercise)
    sent = await notify_member(
        session,
        mentee,
        t(texts.COPE_INVITE_FOR_MENTEE, mentor=h(mentor.pseudonym), exercise=label),
        buttons=[[(t(texts.COPE_START), f"cr:{run.id}:0")]],
        now=now,
    )
    if not sent:
        await session.delete(run)
        reply = t(texts.COPE_MENTOR_NOT_SENT, mentee=h(mentee.pseudonym))
    else:
        reply = t(texts.COPE_MENTOR_SENT, mentee=h(mentee.pseudonym), exercise=label)
    await edit_text(session, mentor.chat_id, message_id, reply, now=now)
    return None


async def helped_counts(
    session: AsyncSession, *, member_id: int | None = None, since: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Answers to "did that help?" per exercise ({"urge": {"yes": 3, "bit": 1, "no": 0}}),
    for one person or the whole program (for /stats and reports; counts only, no text)."""
    query = (
        select(CopingRun.exercise, CopingRun.helped, func.count())
        .where(CopingRun.helped.is_not(None))
        .group_by(CopingRun.exercise, CopingRun.helped)
    )
    if member_id is not None:
        query = query.where(CopingRun.member_id == member_id)
    if since is not None:
        query = query.where(CopingRun.answered_at >= since)
    counts = {exercise: dict.fromkeys(HELPED, 0) for exercise in STEPS}
    for exercise, helped, count in (await session.execute(query)).all():
        if helped is not None:  # (the query asked for answered runs only)
            counts[exercise][helped] = count
    return counts
