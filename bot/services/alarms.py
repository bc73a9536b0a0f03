"""Ways a person raises the alarm themselves: /sos from a member, /flag from a mentor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Verbatim, t
from bot.services.escalation import (
    MENTORS_NOTE,
    EscalationPolicy,
    add_to_alarm,
    open_escalation,
    open_for_mentee,
    recent_alarm_of,
)
from bot.services.oncall import tell_if_out_of_hours
from bot.services.outbox import Priority, h, notify_member, send_text
from bot.services.relay import record_for
from storage.models import Member, Pairing


async def sos(
    session: AsyncSession,
    *,
    member: Member,
    policy: EscalationPolicy,
    now: datetime,
    typed: str | None = None,
) -> None:
    """A member pressed /sos: a critical escalation now, and the crisis resources. Words typed
    after it ("/sos took too many") go on the card. Mentors are in recovery too: their /sos is
    about them. A /sos minutes after a risky message of theirs joins that escalation. Out of
    program hours a mentee is also told when staff are back (once per stretch)."""
    await _sos(session, member=member, policy=policy, now=now, typed=typed)
    await tell_if_out_of_hours(session, policy=policy, member=member, now=now)


async def _sos(
    session: AsyncSession,
    *,
    member: Member,
    policy: EscalationPolicy,
    now: datetime,
    typed: str | None,
) -> None:
    existing = await recent_alarm_of(
        session, writer=member, raised_by=("detected", "checkin", "concern", "ladder"), now=now
    )
    if existing is not None:
        await add_to_alarm(
            session,
            policy=policy,
            escalation=existing,
            kind="/sos pressed",
            text=typed or None,
            prefix=t(texts.ESCALATION_ALSO_SOS),
            now=now,
        )
        await notify_member(
            session,
            member,
            Verbatim(h(policy.crisis_text(member.language))),
            now=now,
            priority=Priority.ESCALATION,
        )
        return
    if member.role == "mentor":
        await open_escalation(
            session,
            policy=policy,
            raised_by="sos",
            category="sos",
            severity="critical",
            mentee=None,
            mentor=member,
            pairing_id=None,
            flagged_text=typed or None,
            writer=member,
            now=now,
            subject="writer",
        )
        return
    await open_for_mentee(
        session,
        policy=policy,
        mentee=member,
        raised_by="sos",
        category="sos",
        flagged_text=typed or None,
        writer=member,
        now=now,
    )


async def flag(
    session: AsyncSession,
    *,
    mentor: Member,
    chat_id: int,
    reply_to_message_id: int | None,
    quoted_text: str | None,
    note: str,
    policy: EscalationPolicy,
    now: datetime,
) -> None:
    """A mentor replied /flag to a relayed message: escalate it, with their note."""
    record = None
    if reply_to_message_id is not None:
        record = await record_for(session, chat_id, reply_to_message_id)
    pairing = await session.get(Pairing, record.pairing_id) if record is not None else None
    if mentor.role != "mentor" or pairing is None or pairing.mentor_id != mentor.id:
        await send_text(session, mentor.chat_id, t(texts.FLAG_USAGE), now=now)
        return
    mentee = await session.get(Member, pairing.mentee_id)
    flagged = (
        "\n".join(part for part in (quoted_text, f"{MENTORS_NOTE}{note}" if note else "") if part)
        or None
    )
    escalation = await open_escalation(
        session,
        policy=policy,
        raised_by="flag",
        category="mentor_concern",
        severity="critical",
        mentee=mentee,
        mentor=mentor,
        pairing_id=pairing.id,
        flagged_text=flagged,
        writer=mentor,
        now=now,
    )
    await send_text(session, mentor.chat_id, t(texts.FLAG_DONE, id=escalation.id), now=now)
