"""The gate for non-private chats, /start, /help, unknown commands and the error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import CallbackQuery, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import texts
from bot.context import CURRENT_UNIT, BotApplication, BotContext
from bot.services import inbound
from bot.services.members import is_coordinator
from bot.services.outbox import send_text

log = logging.getLogger(__name__)

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

# PTB runs the first matching handler of each group, groups in ascending order.
GROUP_GATE = -1
GROUP_MAIN = 0


async def answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press. Telegram refuses answers to old presses (say, ones processed
    again after a restart); that must not undo what the press did."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("callback answer refused: %s", exc.message)


def coordinator_only(callback: Callback) -> Callback:
    """Run the command only for coordinators; tell anyone else it isn't theirs."""

    @wraps(callback)
    async def guarded(update: Update, context: BotContext) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return
        if not await is_coordinator(context.session, user.id):
            await send_text(context.session, chat.id, texts.NOT_ALLOWED, now=context.now())
            return
        await callback(update, context)

    return guarded


async def gate(update: Update, context: BotContext) -> None:
    """Keep the bot to private chats and the staff chats: other groups get one short answer
    to commands, channels none."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    staff_chats = (
        context.settings.coordinator_chat_id,
        context.settings.escalation_fallback_chat_id,
    )
    if chat.id in staff_chats and chat.type != ChatType.CHANNEL:
        return  # escalation cards live there; every handler still checks who is acting
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        await send_text(context.session, chat.id, texts.GROUP_NOT_SUPPORTED, now=context.now())
    if update.callback_query is not None:
        await answer(update.callback_query, texts.GROUP_NOT_SUPPORTED)
    raise ApplicationHandlerStop


async def start(update: Update, context: BotContext) -> None:
    """Enrol with an invite code, or greet a member by role."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    payload = context.args[0] if context.args else None
    await inbound.start(
        context.session,
        telegram_user_id=user.id,
        chat_id=chat.id,
        payload=payload,
        crisis_line=context.settings.crisis_line,
        is_coordinator=await is_coordinator(context.session, user.id),
        now=context.now(),
    )


async def help_command(update: Update, context: BotContext) -> None:
    """Show what this person can do here."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await inbound.show_help(
        context.session,
        telegram_user_id=user.id,
        chat_id=chat.id,
        is_coordinator=await is_coordinator(context.session, user.id),
        crisis_line=context.settings.crisis_line,
        now=context.now(),
    )


async def unknown_command(update: Update, context: BotContext) -> None:
    """Tell the person the command doesn't exist."""
    chat = update.effective_chat
    if chat is not None:
        await send_text(context.session, chat.id, texts.UNKNOWN_COMMAND, now=context.now())


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure (ids only) and roll the update's transaction back."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update=%s", update_id, exc_info=context.error)
    unit = CURRENT_UNIT.get(None)
    if unit is not None:
        unit.failed = True


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GROUP_GATE)
    app.add_handler(CommandHandler("start", start), group=GROUP_MAIN)
    app.add_handler(CommandHandler("help", help_command), group=GROUP_MAIN)
    app.add_error_handler(on_error)


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press nothing else understood (old, malformed or forged)."""
    if update.callback_query is not None:
        await answer(update.callback_query, texts.STALE_BUTTON)


def register_fallback(app: BotApplication) -> None:
    """Registered last in GROUP_MAIN, so they see only what no other handler took."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command), group=GROUP_MAIN)
    app.add_handler(CallbackQueryHandler(stale_button), group=GROUP_MAIN)
