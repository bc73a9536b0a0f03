"""A pairing's lifecycle: /away and the cover choice, /newmentor, /graduate."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import lifecycle
from bot.services.outbox import send_text
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def away(update: Update, context: BotContext) -> None:
    """Mark the mentor away for some days (a cover is found for their mentees), or back."""
    member = await acting_member(update, context)
    if member is None:
        return
    text = await lifecycle.away_command(
        context.session,
        mentor=member,
        args=list(context.args or []),
        staff_chat_id=context.settings.coordinator_chat_id,
        forum_chat_id=context.services.escalations.forum_chat_id,
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await reply(update, context, text)


async def cover_button(update: Update, context: BotContext) -> None:
    """Make the chosen mentor the cover for one mentee while their mentor is away."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    parts = query.data.split(":")
    ids = [parse_id(part) for part in parts[1:]]
    if len(ids) != 2 or ids[0] is None or ids[1] is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await lifecycle.choose_cover(
        context.session,
        coordinator=query.from_user.id,
        cover_id=ids[0],
        cover_mentor_id=ids[1],
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await answer(context, query, toast)


async def newmentor(update: Update, context: BotContext) -> None:
    """Ask the mentee what to tell staff about their mentor, privately."""
    member = await acting_member(update, context)
    if member is None or update.message is None or update.effective_chat is None:
        return
    parts = (update.message.text or "").split(maxsplit=1)
    text, buttons = await lifecycle.ask_new_mentor(
        context.session, mentee=member, text=parts[1] if len(parts) > 1 else "", now=context.now()
    )
    await send_text(
        context.session, update.effective_chat.id, text, buttons=buttons, now=context.now()
    )


async def newmentor_button(update: Update, context: BotContext) -> None:
    """Send the mentee's request about their mentor to the staff, never to the mentor."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    _, raw_id, kind = query.data.split(":")
    request_id = parse_id(raw_id)
    if member is None or request_id is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await lifecycle.send_new_mentor(
        context.session,
        mentee=member,
        request_id=request_id,
        kind=kind,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        staff_chat_id=context.settings.coordinator_chat_id,
        forum_chat_id=context.services.escalations.forum_chat_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def graduate(update: Update, context: BotContext) -> None:
    """Complete a mentee's program: their pairing ends, check-ins stop, their data stays."""
    text = await lifecycle.graduate(
        context.session,
        ref=" ".join(context.args or []),
        crisis_line=context.settings.crisis_line,
        now=context.now(),
    )
    await reply(update, context, text)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("away", away), group=GROUP_MAIN)
    app.add_handler(CommandHandler("newmentor", newmentor), group=GROUP_MAIN)
    app.add_handler(CommandHandler("graduate", graduate), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(cover_button, pattern=rf"^cw:{ID_PATTERN}:{ID_PATTERN}$"),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(newmentor_button, pattern=rf"^nm:{ID_PATTERN}:(different|concern)$"),
        group=GROUP_MAIN,
    )
