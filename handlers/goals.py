"""Goals for the week: /goals, and the Accept and Decline buttons on a proposed goal."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id
from bot.services import goals
from handlers.common import GROUP_MAIN, acting_member, answer, reply


async def goals_command(update: Update, context: BotContext) -> None:
    """Propose a goal for the week to the other side, or list the week's goals."""
    member = await acting_member(update, context)
    if member is None:
        return
    assert update.message is not None and update.message.text is not None
    parts = update.message.text.split(maxsplit=1)
    answer_text = await goals.propose_goal(
        context.session,
        member=member,
        raw=parts[1] if len(parts) > 1 else "",
        now=context.now(),
    )
    await reply(update, context, answer_text)


async def goal_button(update: Update, context: BotContext) -> None:
    """Accept or decline a goal the other side proposed; the proposer is told."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    _, raw_id, choice = query.data.split(":")
    goal_id = parse_id(raw_id)
    if member is None or goal_id is None:  # erased since the access check, or forged
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    toast = await goals.answer_goal(
        context.session,
        member=member,
        goal_id=goal_id,
        accept=choice == "a",
        message_id=query.message.message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("goals", goals_command), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(goal_button, pattern=rf"^gl:{ID_PATTERN}:[ad]$"), group=GROUP_MAIN
    )
