"""Raising the alarm (/sos, /flag) and the coordinators' escalation commands and buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import Text, t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import alarms, concerns, escalation
from bot.services.outbox import Priority
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def sos(update: Update, context: BotContext) -> None:
    """Alert program staff at once and get the crisis resources."""
    member = await acting_member(update, context)
    if member is None:
        return
    await alarms.sos(
        context.session,
        member=member,
        policy=context.services.escalations,
        now=context.now(),
        typed=" ".join(context.args or []),
    )


async def flag(update: Update, context: BotContext) -> None:
    """Escalate the mentee's message this command replies to."""
    message, mentor = update.message, await acting_member(update, context)
    if message is None or mentor is None:
        return
    quoted = message.reply_to_message
    await alarms.flag(
        context.session,
        mentor=mentor,
        chat_id=message.chat.id,
        reply_to_message_id=quoted.message_id if quoted else None,
        quoted_text=(quoted.text or quoted.caption) if quoted else None,
        note=" ".join(context.args or []),
        policy=context.services.escalations,
        now=context.now(),
    )


async def list_escalations(update: Update, context: BotContext) -> None:
    """List open escalations, oldest first."""
    await reply(
        update, context, await escalation.list_open(context.session), priority=Priority.ESCALATION
    )


async def show_escalation(update: Update, context: BotContext) -> None:
    """Show one escalation's audit trail."""
    args = context.args or []
    escalation_id = _escalation_id(args[0]) if len(args) == 1 else None
    if escalation_id is None:
        text: Text = t(texts.ESCALATION_USAGE)
    else:
        text = await escalation.audit_trail(context.session, escalation_id)
    await reply(update, context, text, priority=Priority.ESCALATION)


async def resolve(update: Update, context: BotContext) -> None:
    """Resolve an escalation with an outcome note."""
    assert update.effective_user is not None and update.effective_chat is not None
    args = context.args or []
    escalation_id = _escalation_id(args[0]) if len(args) >= 2 else None
    if escalation_id is None:
        await reply(update, context, t(texts.RESOLVE_USAGE), priority=Priority.ESCALATION)
        return
    await escalation.resolve(
        context.session,
        escalation_id=escalation_id,
        coordinator=update.effective_user.id,
        note=" ".join(args[1:]),
        chat_id=update.effective_chat.id,
        now=context.now(),
    )


def _escalation_id(arg: str) -> int | None:
    """'12' or '#12' as in the cards; None for anything else."""
    return parse_id(arg.removeprefix("#"))


async def card_button(update: Update, context: BotContext) -> None:
    """Acknowledge or claim an escalation, or start resolving it or writing to the mentee."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, raw_id, action = query.data.split(":")
    escalation_id = parse_id(raw_id)
    if escalation_id is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    if action in ("claim", "take"):
        toast = await escalation.claim(
            context.session,
            escalation_id=escalation_id,
            coordinator=query.from_user.id,
            name=query.from_user.first_name,
            take_over=action == "take",
            now=context.now(),
        )
    elif action == "ack":
        toast = await escalation.acknowledge(
            context.session,
            escalation_id=escalation_id,
            coordinator=query.from_user.id,
            now=context.now(),
        )
    else:
        toast = await escalation.start_action(
            context.session,
            escalation_id=escalation_id,
            coordinator=query.from_user.id,
            action="resolve" if action == "res" else "message",
            now=context.now(),
        )
    await answer(context, query, toast)


async def cancel(update: Update, context: BotContext) -> None:
    """Drop a pending outcome note or staff message."""
    assert update.effective_chat is not None and update.effective_user is not None
    await escalation.cancel_action(
        context.session,
        coordinator=update.effective_user.id,
        chat_id=update.effective_chat.id,
        now=context.now(),
    )


async def concern_button(update: Update, context: BotContext) -> None:
    """Record the mentor's answer to a check-in request (or alert staff now)."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    _, raw_id, choice = query.data.split(":")
    concern_id = parse_id(raw_id)
    if mentor is None or concern_id is None:  # erased meanwhile, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await concerns.answer(
        context.session,
        policy=context.services.escalations,
        mentor=mentor,
        concern_id=concern_id,
        choice=choice,
        chat_id=query.message.chat.id,
        prompt_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def outcome_button(update: Update, context: BotContext) -> None:
    """Record how a resolved escalation ended."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, raw_id, kind = query.data.split(":")
    escalation_id = parse_id(raw_id)
    if escalation_id is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await escalation.record_outcome(
        context.session,
        escalation_id=escalation_id,
        coordinator=query.from_user.id,
        kind=kind,
        chat_id=query.message.chat.id,
        prompt_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("sos", sos), group=GROUP_MAIN)
    app.add_handler(CommandHandler("flag", flag), group=GROUP_MAIN)
    app.add_handler(CommandHandler("escalations", list_escalations), group=GROUP_MAIN)
    app.add_handler(CommandHandler("escalation", show_escalation), group=GROUP_MAIN)
    app.add_handler(CommandHandler("resolve", resolve), group=GROUP_MAIN)
    app.add_handler(CommandHandler("cancel", cancel), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(card_button, pattern=rf"^esc:{ID_PATTERN}:(ack|res|msg|claim|take)$"),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(
            outcome_button, pattern=rf"^out:{ID_PATTERN}:(real_danger|support_needed|false_alarm)$"
        ),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(concern_button, pattern=rf"^cc:{ID_PATTERN}:(on|ok|staff)$"),
        group=GROUP_MAIN,
    )
