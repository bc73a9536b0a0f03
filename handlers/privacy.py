"""A member's own data: /mydata, /deleteme, and /erase for coordinators."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import erasure
from bot.services import mydata as mydata_service
from bot.services.members import find_member, is_coordinator
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def mydata(update: Update, context: BotContext) -> None:
    """Send the member a JSON file of everything stored about them."""
    member = await acting_member(update, context)
    if member is None:
        return
    await mydata_service.send_export(context.session, member=member, now=context.now())


async def deleteme(update: Update, context: BotContext) -> None:
    """Ask the member to confirm erasing all their data."""
    member = await acting_member(update, context)
    if member is None:
        return
    await erasure.ask(context.session, chat_id=member.chat_id, member=member, now=context.now())


async def erase_member(update: Update, context: BotContext) -> None:
    """For a member who asks in person: ask the coordinator to confirm erasing their data."""
    assert update.effective_chat is not None
    member = await find_member(context.session, " ".join(context.args or []))
    if member is None or member.erased_at is not None:
        await reply(update, context, t(texts.ERASE_USAGE))
        return
    await erasure.ask(
        context.session, chat_id=update.effective_chat.id, member=member, now=context.now()
    )


async def erase_button(update: Update, context: BotContext) -> None:
    """Erase, or not, after the confirmation."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, raw_id, choice = query.data.split(":")
    member_id = parse_id(raw_id)
    if member_id is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await erasure.answer(
        context.session,
        actor_id=query.from_user.id,
        actor_is_coordinator=await is_coordinator(context.session, query.from_user.id),
        member_id=member_id,
        confirmed=choice == "yes",
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mydata", mydata), group=GROUP_MAIN)
    app.add_handler(CommandHandler("deleteme", deleteme), group=GROUP_MAIN)
    app.add_handler(CommandHandler("erase", erase_member), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(erase_button, pattern=rf"^del:{ID_PATTERN}:(yes|no)$"),
        group=GROUP_MAIN,
    )
