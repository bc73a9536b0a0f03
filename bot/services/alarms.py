"""Ways a person raises the alarm themselves: /sos from a mentee, /flag from a mentor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services.escalation import (
    MENTORS_NOTE,
    EscalationPolicy,
    open_escalation,
    open_for_mentee,
)
from bot.services.outbox import send_text
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
    """A mentee pressed /sos: a critical escalation now, and the crisis resources. Words typed
    after it ("/sos took too many") go on the card."""
    if member.role != "mentee":
        await send_text(session, member.chat_id, texts.SOS_USAGE_MENTEES, now=now)
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
        await send_text(session, mentor.chat_id, texts.FLAG_USAGE, now=now)
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
    await send_text(session, mentor.chat_id, texts.FLAG_DONE.format(id=escalation.id), now=now)
