"""The coordinator's desk: writing to a person from their topic or with /reply; /oncall."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotApplication, BotContext
from bot.services import desk, oncall
from handlers.common import GROUP_MAIN


async def topic_message(update: Update, context: BotContext) -> None:
    """Pass a coordinator's words in a person's topic to that person, as program staff."""
    message, user = update.message, update.effective_user
    if message is None or user is None or message.message_thread_id is None:
        return
    await desk.staff_wrote_in_topic(
        context.session,
        forum_chat_id=context.services.escalations.forum_chat_id,
        coordinator=user.id,
        chat_id=message.chat.id,
        thread_id=message.message_thread_id,
        text=message.text,
        now=context.now(),
    )


async def reply_command(update: Update, context: BotContext) -> None:
    """Write to a member as program staff: /reply <short id> <text>."""
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    command = message.entities[0].length if message.entities else 0
    await desk.reply_command(
        context.session,
        forum_chat_id=context.services.escalations.forum_chat_id,
        coordinator=user.id,
        args=message.text[command:].strip().split(maxsplit=1),
        chat_id=message.chat.id,
        now=context.now(),
    )


async def oncall_command(update: Update, context: BotContext) -> None:
    """Show who is on call now, or set a shift: /oncall, /oncall me, /oncall <id> 18:00-09:00."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    await oncall.on_call(
        context.session,
        policy=context.services.escalations,
        coordinator=user.id,
        name=user.first_name,
        args=[a.lower() for a in context.args or []],
        chat_id=message.chat.id,
        zone=context.settings.default_timezone,
        now=context.now(),
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("reply", reply_command), group=GROUP_MAIN)
    app.add_handler(CommandHandler("oncall", oncall_command), group=GROUP_MAIN)
    # Only the staff chat gets here (the gate): messages written in a topic.
    app.add_handler(
        MessageHandler(
            filters.ChatType.SUPERGROUP
            & filters.UpdateType.MESSAGE
            & filters.IS_TOPIC_MESSAGE
            & ~filters.COMMAND,
            topic_message,
        ),
        group=GROUP_MAIN,
    )
