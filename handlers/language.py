"""/language: members and coordinators choose the language the bot writes to them in."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import BotApplication, BotContext
from bot.services import preferences
from handlers.common import GROUP_MAIN, answer


async def language(update: Update, context: BotContext) -> None:
    """Set the language (`/language es`), or offer the choice as buttons."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    args = context.args or []
    await preferences.choose_language(
        context.session,
        telegram_user_id=user.id,
        chat_id=chat.id,
        language=args[0].lower() if len(args) == 1 else None,
        now=context.now(),
    )


async def language_button(update: Update, context: BotContext) -> None:
    """Set the language tapped, and say so in it."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    await preferences.choose_language(
        context.session,
        telegram_user_id=query.from_user.id,
        chat_id=query.message.chat.id,
        language=query.data.split(":", 1)[1],
        now=context.now(),
        message_id=query.message.message_id,
    )
    await answer(context, query)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("language", language), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(language_button, pattern=r"^ln:(en|es)$"), group=GROUP_MAIN
    )
