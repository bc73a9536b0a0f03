"""A member's own data: /mydata, /deleteme, /privacy (the terms, and agreeing to new ones),
and /erase for coordinators."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import consent, erasure
from bot.services import mydata as mydata_service
from bot.services.members import find_member, is_coordinator
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def mydata(update: Update, context: BotContext) -> None:
    """Send the member a JSON file of everything stored about them."""
    member = await acting_member(update, context)
    if member is None:
        return
    await mydata_service.send_export(context.session, member=member, now=context.now())


async def privacy(update: Update, context: BotContext) -> None:
    """Show the member the terms they agreed to, or the new terms to agree to."""
    member = await acting_member(update, context)
    if member is None:
        return
    await consent.show_terms(
        context.session,
        member=member,
        terms=consent.ConsentTerms.from_settings(context.settings),
        now=context.now(),
    )


async def consent_again(update: Update, context: BotContext) -> None:
    """Record the member's answer to new terms; send on what they wrote meanwhile."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    if member is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    _, choice, version = query.data.split(":", 2)
    toast = await consent.answer_new_terms(
        context.session,
        member=member,
        agreed=choice == "y",
        version=version,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        terms=consent.ConsentTerms.from_settings(context.settings),
        now=context.now(),
    )
    await answer(context, query, toast)


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
        staff_chat_id=context.settings.coordinator_chat_id,
        forum_chat_id=context.services.escalations.forum_chat_id,
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mydata", mydata), group=GROUP_MAIN)
    app.add_handler(CommandHandler("deleteme", deleteme), group=GROUP_MAIN)
    app.add_handler(CommandHandler("privacy", privacy), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(consent_again, pattern=r"^cv:[yn]:[A-Za-z0-9._-]{1,16}$"),
        group=GROUP_MAIN,
    )
    app.add_handler(CommandHandler("erase", erase_member), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(erase_button, pattern=rf"^del:{ID_PATTERN}:(yes|no)$"),
        group=GROUP_MAIN,
    )
