"""The gate for non-private chats, /start, /help, unknown commands and the error handler."""

from __future__ import annotations

import logging

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
from bot.access import Action, Role, Where, allowed, button_action, command_action, refusal
from bot.context import CURRENT_UNIT, BotApplication, BotContext
from bot.i18n import Text, render, t
from bot.services import inbound
from bot.services.languages import recipient_language
from bot.services.members import is_coordinator, member_by_telegram_id, roles_of
from bot.services.outbox import Priority, send_text
from storage.models import Member

log = logging.getLogger(__name__)

# PTB runs the first matching handler of each group, groups in ascending order.
GROUP_GATE = -1
GROUP_MAIN = 0


async def answer(context: BotContext, query: CallbackQuery, text: Text | None = None) -> None:
    """Answer a button press, in the presser's language. Telegram refuses answers to old
    presses (say, ones processed again after a restart); that must not undo what the press
    did."""
    toast = None
    if text is not None:
        # Telegram takes at most 200 characters here.
        toast = render(text, await recipient_language(context.session, query.from_user.id))[:200]
    try:
        await query.answer(toast)
    except BadRequest as exc:
        log.info("callback answer refused: %s", exc.message)


async def reply(
    update: Update, context: BotContext, text: Text, *, priority: Priority = Priority.NOTICE
) -> None:
    """Answer in the chat the update came from (through the outbox, like every message)."""
    chat = update.effective_chat
    if chat is not None:
        await send_text(context.session, chat.id, text, now=context.now(), priority=priority)


async def gate(update: Update, context: BotContext) -> None:
    """Every update passes here first. Keeps the bot to private chats and the staff chats
    (other groups get one short answer to commands, channels none), then checks the access
    table (`bot.access`) for the command or button: one check for every action."""
    chat = update.effective_chat
    if chat is None:
        return
    where = Where.PRIVATE
    if chat.type != ChatType.PRIVATE:
        staff_chats = (
            context.settings.coordinator_chat_id,
            context.settings.escalation_fallback_chat_id,
        )
        if chat.type != ChatType.CHANNEL and chat.id not in staff_chats:
            action = _action_of(update)
            anyone = frozenset({Role.STRANGER})
            if action is not None and allowed(action, anyone, Where.OTHER_GROUP):
                # /id, to set a new staff group up; it stores nothing and answers once.
                return
        if chat.id not in staff_chats or chat.type == ChatType.CHANNEL:
            message = update.message
            if message is not None and message.text and message.text.startswith("/"):
                await reply(update, context, t(texts.GROUP_NOT_SUPPORTED))
            if update.callback_query is not None:
                await answer(context, update.callback_query, t(texts.GROUP_NOT_SUPPORTED))
            raise ApplicationHandlerStop
        where = Where.STAFF_CHAT  # escalation cards live there
    typed = _typed_after_command(update) if where is Where.PRIVATE else None
    if typed is not None and update.effective_user is not None and update.message is not None:
        # Before any access decision: a slash in front must not hide an alarm.
        await inbound.assess_command_text(
            context.session,
            telegram_user_id=update.effective_user.id,
            chat_id=chat.id,
            message_id=update.message.message_id,
            text=typed,
            escalations=context.services.escalations,
            now=context.now(),
        )
    action = _action_of(update)
    if action is None:
        return  # no command or button we know: the fallbacks answer it
    user = update.effective_user
    if action is Action.MESSAGE:
        message = update.message
        if where is Where.STAFF_CHAT and message is not None and message.is_topic_message:
            return  # in a person's topic it may be for them (the desk decides)
        if where is Where.STAFF_CHAT or user is None:
            raise ApplicationHandlerStop  # staff talking among themselves
        return  # anyone may write; the services decide what it means
    roles = await roles_of(context.session, user.id) if user is not None else frozenset()
    if user is not None and where is Where.PRIVATE and roles & {Role.MENTEE, Role.MENTOR}:
        # Any command or button from a member shows the bot can reach them (an /sos from
        # someone marked unreachable must get its crisis help).
        await inbound.seen(context.session, telegram_user_id=user.id, now=context.now())
    if allowed(action, roles, where):
        return
    log.info("refused action=%s roles=%s where=%s", action, ",".join(sorted(roles)), where)
    if update.callback_query is not None:
        await answer(context, update.callback_query, refusal(action, roles, where, button=True))
    else:
        await reply(update, context, refusal(action, roles, where, button=False))
    raise ApplicationHandlerStop


async def acting_member(update: Update, context: BotContext) -> Member | None:
    """The enrolled member who sent this update, or None for someone not enrolled. For
    commands and buttons the gate has already checked their role, so None there means they
    were erased in between."""
    user = update.effective_user
    return None if user is None else await member_by_telegram_id(context.session, user.id)


# Commands whose own handler takes the words after them as part of an alarm.
_ALARM_COMMANDS = frozenset({"sos", "flag"})


def _typed_after_command(update: Update) -> str | None:
    """The words a person typed after a command ("/help i can't go on"), if any."""
    message = update.message
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != "bot_command" or first.offset:
        return None
    command = message.text[1 : first.length].split("@")[0].lower()
    rest = message.text[first.length :].strip()
    return rest if rest and command not in _ALARM_COMMANDS else None


def _action_of(update: Update) -> Action | None:
    query = update.callback_query
    if query is not None:
        return button_action(query.data) if isinstance(query.data, str) else None
    message = update.message or update.edited_message
    if message is None:
        return None
    entities = message.entities
    if message.text and entities and entities[0].type == "bot_command" and not entities[0].offset:
        return command_action(message.text)
    return Action.MESSAGE


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


async def show_ids(update: Update, context: BotContext) -> None:
    """Tell anyone their own Telegram user id and this chat's id, and what each is for."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    # Nothing is stored: the ids go out in the reply only (its outbox row is emptied once sent).
    await reply(update, context, t(texts.ID_ANSWER, user_id=user.id, chat_id=chat.id))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Tell the person the command doesn't exist."""
    await reply(update, context, t(texts.UNKNOWN_COMMAND))


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure (ids only) and roll the update's transaction back."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("handler failed for update=%s", update_id, exc_info=context.error)
    unit = CURRENT_UNIT.get(None)
    if unit is not None:
        unit.failed = True
        unit.error = context.error


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, gate), group=GROUP_GATE)
    app.add_handler(CommandHandler("start", start), group=GROUP_MAIN)
    app.add_handler(CommandHandler("help", help_command), group=GROUP_MAIN)
    app.add_handler(CommandHandler("id", show_ids), group=GROUP_MAIN)
    app.add_error_handler(on_error)


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press nothing else understood (old, malformed or forged)."""
    if update.callback_query is not None:
        await answer(context, update.callback_query, t(texts.STALE_BUTTON))


def register_fallback(app: BotApplication) -> None:
    """Registered last in GROUP_MAIN, so they see only what no other handler took."""
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command), group=GROUP_MAIN)
    app.add_handler(CallbackQueryHandler(stale_button), group=GROUP_MAIN)
