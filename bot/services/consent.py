"""Consent that is kept: the terms a person agreed to, shown again on /privacy, and asked again
(with what changed) when they change. A member's messages wait, never lost, until they agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import Settings
from bot.i18n import Text, Transformed, t
from bot.services.escalation import EscalationPolicy
from bot.services.outbox import Button, enqueue, h, send_text
from bot.services.relay import Incoming, assess_alone, relay_message
from storage.models import HeldMessage, Member, MemberConsent

# Bump with every change of texts.CONSENT or texts.CONSENT_MENTOR, and say what changed in
# texts.CONSENT_CHANGES: members who agreed to an older version are asked again.
CONSENT_VERSION = "3"
HELD_REASON = "consent"


@dataclass(frozen=True)
class ConsentTerms:
    """The settings the consent text states as facts."""

    crisis_line: str
    retention_days: int
    escalation_retention_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsentTerms:
        return cls(
            crisis_line=settings.crisis_line,
            retention_days=settings.retention_days,
            escalation_retention_days=settings.escalation_retention_days,
        )


def consent_text(role: str, terms: ConsentTerms) -> Text:
    """The consent screen for a mentee or a mentor, with the program's real periods."""
    template = texts.CONSENT_MENTOR if role == "mentor" else texts.CONSENT
    return t(
        template,
        crisis_line=h(terms.crisis_line),
        retention_days=terms.retention_days,
        escalation_days=terms.escalation_retention_days,
    )


def agree_buttons(data_prefix: str) -> list[list[Button]]:
    return [
        [
            (t(texts.CONSENT_AGREE), f"{data_prefix}:y:{CONSENT_VERSION}"),
            (t(texts.CONSENT_DECLINE), f"{data_prefix}:n:{CONSENT_VERSION}"),
        ]
    ]


async def agreement_of(session: AsyncSession, member: Member) -> MemberConsent | None:
    return await session.get(MemberConsent, member.id)


async def is_current(session: AsyncSession, member: Member) -> bool:
    """Whether the member agreed to the terms as they read now."""
    agreement = await agreement_of(session, member)
    return agreement is not None and agreement.version == CONSENT_VERSION


async def remove_buttons(
    session: AsyncSession, chat_id: int, message_id: int, *, now: datetime
) -> None:
    """Take the buttons off a consent message and leave its text as it was sent: the person
    keeps the terms they answered in their chat."""
    await enqueue(
        session,
        chat_id=chat_id,
        method="editMessageReplyMarkup",
        payload={"message_id": message_id},
        now=now,
    )


async def show_terms(
    session: AsyncSession, *, member: Member, terms: ConsentTerms, now: datetime
) -> None:
    """/privacy: the terms again, with when they were agreed to, or the buttons to agree to
    the current version."""
    text = consent_text(member.role, terms)
    agreement = await agreement_of(session, member)
    if agreement is not None and agreement.version == CONSENT_VERSION:
        agreed = t(texts.CONSENT_AGREED_ON, date=agreement.agreed_at.strftime("%Y-%m-%d"))
        # The question at its end was answered: say when instead.
        body = Transformed(text, lambda rendered: rendered.rsplit("\n\n", 1)[0])
        await send_text(session, member.chat_id, body + "\n\n" + agreed, now=now)
        return
    await send_text(session, member.chat_id, text, buttons=agree_buttons("cv"), now=now)


async def hold_until_agreed(
    session: AsyncSession,
    *,
    member: Member,
    message: Incoming,
    terms: ConsentTerms,
    escalations: EscalationPolicy | None,
    now: datetime,
) -> None:
    """A member who agreed to an older version wrote: the words are assessed now (an alarm
    reaches a human whatever the terms), the message is kept, and they are asked to agree to
    the new terms, with what changed (once; later messages get a short reminder)."""
    await assess_alone(session, writer=member, message=message, escalations=escalations, now=now)
    waiting = await session.scalar(
        select(func.count())
        .select_from(HeldMessage)
        .where(
            HeldMessage.member_id == member.id,
            HeldMessage.reason == HELD_REASON,
            HeldMessage.status == "held",
        )
    )
    session.add(
        HeldMessage(
            member_id=member.id,
            source_chat_id=message.chat_id,
            source_message_id=message.message_id,
            reason=HELD_REASON,
            status="held",
            created_at=now,
        )
    )
    if waiting:
        await send_text(session, member.chat_id, t(texts.CONSENT_STILL_NEEDED), now=now)
        return
    await send_text(
        session,
        member.chat_id,
        t(texts.CONSENT_CHANGED, changes=t(texts.CONSENT_CHANGES)),
        now=now,
    )
    await send_text(
        session,
        member.chat_id,
        consent_text(member.role, terms),
        buttons=agree_buttons("cv"),
        now=now,
    )


async def answer_new_terms(
    session: AsyncSession,
    *,
    member: Member,
    agreed: bool,
    version: str,
    chat_id: int,
    message_id: int,
    terms: ConsentTerms,
    now: datetime,
) -> Text | None:
    """A member answered the current terms. Agreeing records the version and time and sends
    on what they wrote meanwhile, in order; declining keeps it and says what that means.
    Returns a toast for a stale button."""
    if version != CONSENT_VERSION:
        return t(texts.STALE_BUTTON)
    await remove_buttons(session, chat_id, message_id, now=now)
    agreement = await agreement_of(session, member)
    if agreement is not None and agreement.version == CONSENT_VERSION:
        return None  # a tap on an older copy of terms they have agreed to since
    if not agreed:
        await send_text(
            session,
            member.chat_id,
            t(texts.CONSENT_DECLINED_AGAIN, retention_days=terms.retention_days),
            now=now,
        )
        return None
    if agreement is None:
        session.add(MemberConsent(member_id=member.id, version=CONSENT_VERSION, agreed_at=now))
    else:
        agreement.version, agreement.agreed_at = CONSENT_VERSION, now
    await send_text(session, member.chat_id, t(texts.CONSENT_AGREED_AGAIN), now=now)
    held = (
        await session.scalars(
            select(HeldMessage)
            .where(
                HeldMessage.member_id == member.id,
                HeldMessage.reason == HELD_REASON,
                HeldMessage.status == "held",
            )
            .order_by(HeldMessage.id)
        )
    ).all()
    if held:
        await send_text(session, member.chat_id, t(texts.CONSENT_HELD_SENT), now=now)
    for item in held:
        item.status = "delivered"
        item.delivered_at = now
        # Assessed when it arrived: not again (no second alarm for the same words).
        await relay_message(
            session,
            sender=member,
            message=Incoming(chat_id=item.source_chat_id, message_id=item.source_message_id),
            now=now,
        )
    return None
