"""Members' messages, edits and the relay's buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id, parse_int
from bot.services import inbound, relay
from handlers.common import GROUP_MAIN, acting_member, answer, reply

# What can be relayed. Contacts would reveal a phone number; polls, dice, games, payments
# and stories are not part of a mentoring conversation.
RELAYABLE = (
    (
        filters.TEXT
        | filters.PHOTO
        | filters.VOICE
        | filters.VIDEO
        | filters.Document.ALL
        | filters.Sticker.ALL
        | filters.LOCATION
        | filters.AUDIO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
    )
    & ~filters.COMMAND
    & ~filters.VENUE
)


async def on_message(update: Update, context: BotContext) -> None:
    """Pass the message to the other side of the pairing (or continue enrolment)."""
    message = update.message
    user = update.effective_user
    if message is None or user is None:
        return
    incoming = relay.Incoming(
        chat_id=message.chat.id,
        message_id=message.message_id,
        reply_to_message_id=(
            message.reply_to_message.message_id if message.reply_to_message is not None else None
        ),
        is_text=message.text is not None,
        text=message.text or message.caption,
    )
    await inbound.receive_message(
        context.session,
        telegram_user_id=user.id,
        message=incoming,
        text=message.text,
        crisis_line=context.settings.crisis_line,
        now=context.now(),
        escalations=context.services.escalations,
        flood=context.services.flood,
    )


async def on_unsupported(update: Update, context: BotContext) -> None:
    """Say this kind of message can't be passed on."""
    await reply(update, context, t(texts.UNSUPPORTED_MESSAGE))


async def on_edit(update: Update, context: BotContext) -> None:
    """Assess the edited text and mirror the edit onto the other side's copy."""
    message = update.edited_message
    if message is None or message.from_user is None:
        return
    await inbound.receive_edit(
        context.session,
        telegram_user_id=message.from_user.id,
        chat_id=message.chat.id,
        message_id=message.message_id,
        text=message.text,
        caption=message.caption,
        entities=[e.to_dict() for e in message.entities] or None,
        escalations=context.services.escalations,
        now=context.now(),
    )


async def choose_recipient(update: Update, context: BotContext) -> None:
    """Send a mentor's held message to the mentee they picked."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    _, raw_held, raw_mentee = query.data.split(":")
    # Mentee 0 is the "Don't send" button.
    held_id, mentee_id = parse_id(raw_held), parse_int(raw_mentee, low=0)
    if mentor is None or held_id is None or mentee_id is None:  # erased meanwhile, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await relay.choose_recipient(
        context.session,
        mentor=mentor,
        held_id=held_id,
        mentee_id=mentee_id,
        prompt_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def label(update: Update, context: BotContext) -> None:
    """Explain how to answer the mentee whose label was tapped."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    mentee_id = parse_id(query.data.split(":")[1])
    if mentor is None or mentee_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    hint = await relay.label_hint(
        context.session,
        mentor=mentor,
        mentee_id=mentee_id,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
    )
    await answer(context, query, hint)


def register(app: BotApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & RELAYABLE, on_message),
        group=GROUP_MAIN,
    )
    app.add_handler(
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, on_edit), group=GROUP_MAIN
    )
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.COMMAND, on_unsupported),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(choose_recipient, pattern=rf"^to:{ID_PATTERN}:{ID_PATTERN}$"),
        group=GROUP_MAIN,
    )
    app.add_handler(CallbackQueryHandler(label, pattern=rf"^lbl:{ID_PATTERN}$"), group=GROUP_MAIN)
