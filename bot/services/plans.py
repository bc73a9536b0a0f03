"""/plan: a mentee's own recovery plan, built step by step (after the Stanley-Brown safety
plan and relapse-prevention plans): warning signs, triggers, what helps, people and places,
reasons for recovery, and the crisis lines.

What they write is theirs: encrypted at rest, in /mydata, erased with /deleteme, shown back
to them (with /sos and on a high-craving check-in) and sent to their mentor only when they
press Share. It is assessed for danger like every message they write, and never logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_item
from bot.services import relay
from bot.services.escalation import EscalationPolicy
from bot.services.languages import language_of_member
from bot.services.members import active_mentor_of
from bot.services.outbox import Button, h, notify_member, send_text
from storage.models import Member, RecoveryPlan

SECTIONS: tuple[str, ...] = tuple(texts.PLAN_SECTIONS)
# An answer typed later than this after its question is an ordinary message again.
ANSWER_WINDOW = timedelta(minutes=30)


def crisis_lines(policy: EscalationPolicy, language: str | None) -> str:
    """The crisis lines of the crisis resources (their bullet lines: the rest of that text
    says staff were told, which is true after an alarm, not in a plan)."""
    text = policy.crisis_text(language)
    lines = [line for line in text.splitlines() if line.lstrip().startswith("•")]
    return "\n".join(lines) if lines else text


async def plan_of(session: AsyncSession, member: Member) -> RecoveryPlan | None:
    return await session.get(RecoveryPlan, member.id)


def has_content(plan: RecoveryPlan | None) -> bool:
    return plan is not None and any(getattr(plan, s) for s in SECTIONS)


def plan_body(plan: RecoveryPlan, crisis: str | None) -> Text:
    """The plan as HTML: what they wrote (escaped), section by section."""
    blocks: list[Text | str] = [
        t(
            texts.PLAN_SECTION,
            title=t_item(texts.PLAN_SECTIONS, section),
            text=h(getattr(plan, section))
            if getattr(plan, section)
            else t(texts.PLAN_NOT_WRITTEN),
        )
        for section in SECTIONS
    ]
    if crisis:
        blocks.append(t(texts.PLAN_SECTION, title=t(texts.PLAN_CRISIS_TITLE), text=h(crisis)))
    return join(blocks, "\n\n")


def _plan_buttons() -> list[list[Button]]:
    rows: list[list[Button]] = [
        [(t(texts.PLAN_EDIT_BUTTON, section=t_item(texts.PLAN_SECTIONS, s)), f"pl:edit:{s}")]
        for s in SECTIONS
    ]
    rows.append([(t(texts.PLAN_SHARE), "pl:share")])
    return rows


async def show(
    session: AsyncSession,
    *,
    member: Member,
    plan: RecoveryPlan,
    policy: EscalationPolicy,
    now: datetime,
) -> None:
    """The plan with an Edit button per section and Share (long plans go as several
    messages, the buttons on the last)."""
    await send_text(
        session,
        member.chat_id,
        t(
            texts.PLAN_SHOW,
            plan=plan_body(plan, crisis_lines(policy, language_of_member(session, member))),
        ),
        buttons=_plan_buttons(),
        now=now,
    )


async def show_now(
    session: AsyncSession, *, member: Member, policy: EscalationPolicy, now: datetime
) -> bool:
    """In a hard moment (/sos, a high craving): their plan, if they wrote one. Returns
    whether it was queued."""
    plan = await plan_of(session, member)
    if plan is None or not has_content(plan):
        return False
    return await notify_member(
        session,
        member,
        t(
            texts.PLAN_SHOW_NOW,
            plan=plan_body(plan, crisis_lines(policy, language_of_member(session, member))),
        ),
        now=now,
    )


async def open_plan(
    session: AsyncSession, *, member: Member, policy: EscalationPolicy, now: datetime
) -> None:
    """/plan: build it step by step the first time, then show it with Edit buttons."""
    plan = await plan_of(session, member)
    if plan is None:
        plan = RecoveryPlan(member_id=member.id, building=True, created_at=now, updated_at=now)
        session.add(plan)
        await send_text(session, member.chat_id, t(texts.PLAN_INTRO), now=now)
        await _ask(session, member=member, plan=plan, section=SECTIONS[0], now=now)
        return
    plan.awaiting = None
    plan.building = False
    await show(session, member=member, plan=plan, policy=policy, now=now)


async def _ask(
    session: AsyncSession, *, member: Member, plan: RecoveryPlan, section: str, now: datetime
) -> None:
    plan.awaiting = section
    plan.asked_at = now
    # The next message answers this question, not an older check-in note offer.
    member.note_offered_at = None
    if plan.building:
        step = SECTIONS.index(section) + 1
        parts: list[Text | str] = [
            t_item(texts.PLAN_ASK, section),
            t(texts.PLAN_STEP, step=step, total=len(SECTIONS)),
        ]
        buttons = [[(t(texts.PLAN_SKIP), f"pl:skip:{section}")]]
    else:
        current = getattr(plan, section)
        parts = [t_item(texts.PLAN_ASK, section)]
        if current:
            parts.append(t(texts.PLAN_CURRENT, text=h(current)))
        parts.append(t(texts.PLAN_EDIT_PROMPT))
        buttons = [[(t(texts.PLAN_KEEP), f"pl:keep:{section}")]]
    await send_text(session, member.chat_id, join(parts, "\n\n"), buttons=buttons, now=now)


async def _next(
    session: AsyncSession,
    *,
    member: Member,
    plan: RecoveryPlan,
    policy: EscalationPolicy,
    now: datetime,
) -> None:
    """After an answer or a skip: the next question while building, else the plan."""
    done = plan.awaiting
    plan.awaiting = None
    if plan.building and done is not None and SECTIONS.index(done) + 1 < len(SECTIONS):
        await _ask(
            session, member=member, plan=plan, section=SECTIONS[SECTIONS.index(done) + 1], now=now
        )
        return
    if plan.building:
        plan.building = False
        await send_text(session, member.chat_id, t(texts.PLAN_DONE), now=now)
    await show(session, member=member, plan=plan, policy=policy, now=now)


async def take_answer(
    session: AsyncSession,
    *,
    member: Member,
    text: str,
    message_id: int,
    policy: EscalationPolicy | None,
    now: datetime,
) -> bool:
    """If the mentee was just asked a plan question, this text is the answer. Returns True
    if so. Only the unencrypted columns are read first: this runs for every text."""
    row = (
        await session.execute(
            select(RecoveryPlan.awaiting, RecoveryPlan.asked_at).where(
                RecoveryPlan.member_id == member.id
            )
        )
    ).first()
    if row is None or row.awaiting is None:
        return False
    plan = await plan_of(session, member)
    assert plan is not None
    if row.asked_at is None or now - row.asked_at > ANSWER_WINDOW:
        plan.awaiting = None
        plan.building = False
        return False
    setattr(plan, row.awaiting, text)
    plan.updated_at = now
    # Words about warning signs or danger are assessed like any message the person writes.
    await relay.assess_alone(
        session,
        writer=member,
        message=relay.Incoming(chat_id=member.chat_id, message_id=message_id, text=text),
        escalations=policy,
        now=now,
    )
    if policy is not None:
        await _next(session, member=member, plan=plan, policy=policy, now=now)
    return True


async def press(
    session: AsyncSession,
    *,
    member: Member,
    verb: str,
    section: str | None,
    policy: EscalationPolicy,
    now: datetime,
) -> Text | None:
    """A button under a plan message: skip or keep a step, edit a section, share. Returns a
    toast, or None when all is well."""
    plan = await plan_of(session, member)
    if plan is None:
        return t(texts.STALE_BUTTON)
    if verb == "share":
        await share(session, member=member, plan=plan, now=now)
        return None
    if section not in SECTIONS:
        return t(texts.STALE_BUTTON)
    if verb == "edit":
        plan.building = False
        await _ask(session, member=member, plan=plan, section=section, now=now)
        return None
    if plan.awaiting != section or (verb == "skip") != plan.building:
        return t(texts.STALE_BUTTON)  # an old question's button
    await _next(session, member=member, plan=plan, policy=policy, now=now)
    return None


async def share(
    session: AsyncSession, *, member: Member, plan: RecoveryPlan, now: datetime
) -> None:
    """Send the mentor a copy of the plan as it is now, through the bot, by pseudonym."""
    current = await active_mentor_of(session, member.id)
    if current is None:
        await send_text(session, member.chat_id, t(texts.PLAN_SHARE_NO_MENTOR), now=now)
        return
    mentor = current[1]
    sent = await notify_member(
        session,
        mentor,
        t(texts.PLAN_FOR_MENTOR, mentee=h(member.pseudonym), plan=plan_body(plan, None)),
        now=now,
    )
    if not sent:
        await send_text(session, member.chat_id, t(texts.PLAN_SHARE_NOT_SENT), now=now)
        return
    plan.shared_at = now
    await send_text(
        session, member.chat_id, t(texts.PLAN_SHARED, mentor=h(mentor.pseudonym)), now=now
    )
