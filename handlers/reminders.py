"""Reminders people set for themselves, and mentors' one-tap wellbeing answers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import checkins, reminders, wellbeing
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def remind(update: Update, context: BotContext) -> None:
    """Start setting a reminder: what, when, once or weekly."""
    member = await acting_member(update, context)
    if member is not None:
        text = await reminders.start_draft(context.session, member=member, now=context.now())
        await reply(update, context, text)


async def list_reminders(update: Update, context: BotContext) -> None:
    """List the person's reminders, each with a Remove button."""
    member = await acting_member(update, context)
    if member is not None:
        await reminders.list_reminders(context.session, member=member, now=context.now())


async def repeat_button(update: Update, context: BotContext) -> None:
    """Set the reminder being drafted, once or weekly."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    if member is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await reminders.choose_repeat(
        context.session,
        member=member,
        weekly=query.data == "rmk:weekly",
        policy=checkins.CheckInPolicy.from_settings(context.settings),
        message_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def remove_button(update: Update, context: BotContext) -> None:
    """Remove one of the person's own reminders."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    reminder_id = parse_id(query.data.split(":")[1])
    if member is None or reminder_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await reminders.remove(
        context.session,
        member=member,
        reminder_id=reminder_id,
        message_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def wellbeing_button(update: Update, context: BotContext) -> None:
    """Record a mentor's one-tap answer to "how are you"."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    _, raw_id, key = query.data.split(":")
    row_id = parse_id(raw_id)
    if mentor is None or row_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await wellbeing.answer(
        context.session,
        mentor=mentor,
        row_id=row_id,
        key=key,
        message_id=query.message.message_id,
        staff_chat_id=context.settings.coordinator_chat_id,
        forum_chat_id=context.services.escalations.forum_chat_id,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("remind", remind), group=GROUP_MAIN)
    app.add_handler(CommandHandler("reminders", list_reminders), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(repeat_button, pattern=r"^rmk:(once|weekly)$"), group=GROUP_MAIN
    )
    app.add_handler(
        CallbackQueryHandler(remove_button, pattern=rf"^rmd:{ID_PATTERN}$"), group=GROUP_MAIN
    )
    app.add_handler(
        CallbackQueryHandler(wellbeing_button, pattern=rf"^wb:{ID_PATTERN}:[a-z]{{1,12}}$"),
        group=GROUP_MAIN,
    )
