"""Where a private message from a person goes: the relay, their enrolment, or a polite no."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t
from bot.services import (
    checkins,
    consent,
    enrolment,
    escalation,
    menus,
    oncall,
    plans,
    reachability,
    relay,
    reminders,
)
from bot.services.consent import ConsentTerms
from bot.services.escalation import EscalationPolicy
from bot.services.flood import FloodGate
from bot.services.members import member_by_telegram_id, sender_by_telegram_id
from bot.services.outbox import h, send_text

COORDINATOR = "coordinator"  # help_text's role for staff (members are "mentee" or "mentor")


async def receive_message(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    message: relay.Incoming,
    text: str | None,
    terms: ConsentTerms,
    now: datetime,
    escalations: EscalationPolicy | None = None,
    flood: FloodGate | None = None,
) -> None:
    crisis_line = terms.crisis_line
    found = await sender_by_telegram_id(session, telegram_user_id)
    if found is not None:
        member, route = found
        await reachability.mark_reachable(session, member=member, now=now)
        if escalations is not None:
            await oncall.tell_if_out_of_hours(session, policy=escalations, member=member, now=now)
        # A reply to a relayed message is for that conversation, never the answer to a
        # question of the bot's (/remind, /plan, a check-in note).
        replies_in_conversation = (
            message.reply_to_message_id is not None
            and await relay.record_for(session, message.chat_id, message.reply_to_message_id)
            is not None
        )
        if (
            text is not None
            and not replies_in_conversation
            and await reminders.take_text(session, member=member, text=text, now=now)
        ):
            # Answering /remind's question, not writing to anyone; still assessed once.
            await relay.assess_alone(
                session, writer=member, message=message, escalations=escalations, now=now
            )
            return
        if text is not None and member.role == "mentee" and not replies_in_conversation:
            if await plans.take_answer(
                session,
                member=member,
                text=text,
                message_id=message.message_id,
                policy=escalations,
                now=now,
            ):
                return
            if await checkins.take_note(
                session,
                member=member,
                text=text,
                now=now,
                escalations=escalations,
                message_id=message.message_id,
            ):
                return
        if not await consent.is_current(session, member):
            await consent.hold_until_agreed(
                session,
                member=member,
                message=message,
                terms=terms,
                escalations=escalations,
                now=now,
            )
            return
        await relay.relay_message(
            session,
            sender=member,
            message=message,
            now=now,
            escalations=escalations,
            flood=flood,
            route=route,
        )
        return
    draft = await enrolment.draft_for(session, telegram_user_id)
    if draft is not None:
        await enrolment.answer_text_step(session, draft=draft, text=text or "", now=now)
        return
    if text and await escalation.complete_action(
        session, coordinator=telegram_user_id, chat_id=message.chat_id, text=text, now=now
    ):
        return
    await send_text(
        session, message.chat_id, t(texts.NOT_INVITED, crisis_line=h(crisis_line)), now=now
    )


async def receive_edit(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    message_id: int,
    text: str | None,
    caption: str | None,
    entities: list[dict[str, Any]] | None,
    escalations: EscalationPolicy | None,
    now: datetime,
) -> None:
    """A member edited a message: they are reachable, the new text is assessed, and the
    other side's copy follows the edit."""
    member = await member_by_telegram_id(session, telegram_user_id)
    if member is None:
        return
    await reachability.mark_reachable(session, member=member, now=now)
    await relay.relay_edit(
        session,
        sender=member,
        chat_id=chat_id,
        message_id=message_id,
        text=text,
        caption=caption,
        entities=entities,
        escalations=escalations,
        now=now,
    )


async def assess_command_text(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    message_id: int,
    text: str,
    escalations: EscalationPolicy | None,
    now: datetime,
) -> None:
    """What a member typed after a command (/help, an unknown command...) is assessed like
    any message they write: a slash in front must not hide an alarm."""
    member = await member_by_telegram_id(session, telegram_user_id)
    if member is None or member.erased_at is not None:
        return
    await relay.assess_alone(
        session,
        writer=member,
        message=relay.Incoming(chat_id=chat_id, message_id=message_id, text=text),
        escalations=escalations,
        now=now,
    )


async def seen(session: AsyncSession, *, telegram_user_id: int, now: datetime) -> None:
    """Any command or button press from a member proves the bot can reach them again."""
    member = await member_by_telegram_id(session, telegram_user_id)
    if member is not None and member.erased_at is None:
        await reachability.mark_reachable(session, member=member, now=now)


async def start(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    payload: str | None,
    terms: ConsentTerms,
    is_coordinator: bool,
    now: datetime,
) -> None:
    """Answer /start: enrol with a code, greet members and coordinators, refuse strangers."""
    crisis_line = terms.crisis_line
    member = await member_by_telegram_id(session, telegram_user_id)
    if payload and member is None:
        await enrolment.start_with_code(
            session,
            code=payload,
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            now=now,
        )
        return
    if member is not None or is_coordinator:
        # Their menu, again: a coordinator named in COORDINATOR_IDS may not have started the
        # bot when it last set the menus.
        await menus.refresh_menu(session, telegram_user_id=telegram_user_id, now=now)
    if member is not None:
        # Coming back after blocking the bot makes them reachable again.
        await reachability.mark_reachable(session, member=member, now=now)
        await send_text(session, chat_id, help_text(member.role, crisis_line), now=now)
        return
    if is_coordinator:
        greeting = help_text(COORDINATOR, crisis_line) + t(texts.COORDINATOR_GREETING_HINT)
        await send_text(session, chat_id, greeting, now=now)
        return
    await enrolment.start_without_invite(
        session,
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        crisis_line=crisis_line,
        now=now,
    )


def help_text(role: str | None, crisis_line: str) -> Text:
    if role == "mentee":
        return t(texts.HELP_MENTEE, crisis_line=h(crisis_line)) + t(texts.HELP_TOOLS_MENTEE)
    if role == "mentor":
        return t(texts.HELP_MENTOR) + t(texts.HELP_TOOLS_MENTOR)
    if role == COORDINATOR:
        return t(texts.HELP_COORDINATOR) + t(texts.HELP_COORDINATOR_EXTRA)
    return t(texts.NOT_INVITED, crisis_line=h(crisis_line))


async def show_help(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    is_coordinator: bool,
    crisis_line: str,
    now: datetime,
) -> None:
    member = await member_by_telegram_id(session, telegram_user_id)
    role = member.role if member is not None else ("coordinator" if is_coordinator else None)
    await send_text(session, chat_id, help_text(role, crisis_line), now=now)
