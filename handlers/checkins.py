"""Check-in commands and buttons for mentees and mentors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import Text, t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import checkins
from bot.services.outbox import send_text
from handlers.common import GROUP_MAIN, acting_member, answer
from storage.models import Member


def _policy(context: BotContext) -> checkins.CheckInPolicy:
    return checkins.CheckInPolicy.from_settings(context.settings)


async def checkin(update: Update, context: BotContext) -> None:
    """Start a check-in now."""
    member = await acting_member(update, context)
    if member is not None:
        await checkins.check_in_now(context.session, member=member, now=context.now())


def _setting(
    change: Callable[[BotContext, Member, list[str]], Awaitable[Text]],
) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    async def command(update: Update, context: BotContext) -> None:
        member = await acting_member(update, context)
        if member is None:
            return
        reply = await change(context, member, list(context.args or []))
        await send_text(context.session, member.chat_id, reply, now=context.now())

    return command


async def _schedule(context: BotContext, member: Member, args: list[str]) -> Text:
    return await checkins.set_time(
        context.session,
        member=member,
        raw=" ".join(args),
        policy=_policy(context),
        now=context.now(),
    )


async def _quiet(context: BotContext, member: Member, args: list[str]) -> Text:
    return await checkins.set_quiet(
        context.session, member=member, args=args, policy=_policy(context), now=context.now()
    )


async def _pause(context: BotContext, member: Member, args: list[str]) -> Text:
    return await checkins.pause(
        context.session,
        member=member,
        raw=" ".join(args),
        policy=_policy(context),
        now=context.now(),
    )


async def _resume(context: BotContext, member: Member, args: list[str]) -> Text:
    return await checkins.resume(
        context.session, member=member, policy=_policy(context), now=context.now()
    )


async def _sober(context: BotContext, member: Member, args: list[str]) -> Text:
    return await checkins.set_recovery_start(
        context.session,
        member=member,
        raw=" ".join(args),
        policy=_policy(context),
        now=context.now(),
    )


async def progress(update: Update, context: BotContext) -> None:
    """Send the 30-day mood and craving chart (a mentor gets one per mentee)."""
    member = await acting_member(update, context)
    if member is None:
        return
    await checkins.send_progress(context.session, member=member, now=context.now())


async def checkin_button(update: Update, context: BotContext) -> None:
    """Record a check-in answer and show the next question."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    _, raw_id, field, value = query.data.split(":")
    checkin_id = parse_id(raw_id)
    if member is None or checkin_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await checkins.answer_checkin(
        context.session,
        member=member,
        checkin_id=checkin_id,
        field=field,
        value=value,
        message_id=query.message.message_id,
        now=context.now(),
        forum_chat_id=context.services.escalations.forum_chat_id,
    )
    await answer(context, query, toast)


async def report_button(update: Update, context: BotContext) -> None:
    """Record a mentor's weekly answer about a mentee."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    _, raw_id, key = query.data.split(":")
    report_id = parse_id(raw_id)
    if mentor is None or report_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await checkins.answer_report(
        context.session,
        mentor=mentor,
        report_id=report_id,
        answer=key,
        message_id=query.message.message_id,
        now=context.now(),
        escalations=context.services.escalations,
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("checkin", checkin), group=GROUP_MAIN)
    for name, change in (
        ("schedule", _schedule),
        ("quiet", _quiet),
        ("pause", _pause),
        ("resume", _resume),
        ("sober", _sober),
    ):
        app.add_handler(CommandHandler(name, _setting(change)), group=GROUP_MAIN)
    app.add_handler(CommandHandler("progress", progress), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(checkin_button, pattern=rf"^ci:{ID_PATTERN}:[mcun]:([0-9]|skip)$"),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(report_button, pattern=rf"^mr:{ID_PATTERN}:[a-z_]{{1,12}}$"),
        group=GROUP_MAIN,
    )
