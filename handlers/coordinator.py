"""Coordinator commands: invites, pairing, overviews and matching."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.numbers import ID_PATTERN, parse_id, parse_int
from bot.services import invites, pairing, reports, staff
from bot.services.health import delivery_health, health_report
from bot.services.outbox import Priority
from handlers.common import GROUP_MAIN, answer, reply


async def invite(update: Update, context: BotContext) -> None:
    """Give the coordinator one-time invite links (one, or many: a message or a CSV file)."""
    assert update.effective_chat is not None and update.effective_user is not None
    await invites.invite(
        context.session,
        chat_id=update.effective_chat.id,
        args=list(context.args or []),
        created_by=update.effective_user.id,
        bot_username=context.bot.username,
        ttl=timedelta(days=context.settings.invite_ttl_days),
        now=context.now(),
    )


async def list_invites(update: Update, context: BotContext) -> None:
    """List the open invites, a page at a time, each with a Revoke button."""
    assert update.effective_chat is not None
    await invites.list_open(context.session, chat_id=update.effective_chat.id, now=context.now())


async def invite_button(update: Update, context: BotContext) -> None:
    """Revoke an open invite, or turn the /invites list to another page."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, kind, raw = query.data.split(":")
    number = parse_int(raw, low=0)
    if number is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if kind == "p":
        await invites.show_page(
            context.session, chat_id=chat_id, message_id=message_id, page=number, now=context.now()
        )
        await answer(context, query)
        return
    toast = await invites.revoke(
        context.session,
        invite_id=number,
        chat_id=chat_id,
        message_id=message_id,
        now=context.now(),
    )
    await answer(context, query, toast)


async def pair(update: Update, context: BotContext) -> None:
    """Pair a mentee with a mentor and tell both."""
    assert update.effective_chat is not None
    outcome = await pairing.pair_by_refs(
        context.session,
        args=list(context.args or []),
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await pairing.reply_to_coordinator(
        context.session, update.effective_chat.id, outcome, context.now()
    )


async def unpair(update: Update, context: BotContext) -> None:
    """End a mentee's pairing and tell both sides."""
    assert update.effective_chat is not None
    outcome = await pairing.unpair_mentee(
        context.session, ref=" ".join(context.args or []), now=context.now()
    )
    await pairing.reply_to_coordinator(
        context.session, update.effective_chat.id, outcome, context.now()
    )


async def pairs(update: Update, context: BotContext) -> None:
    """List the active pairings."""
    await reply(update, context, await pairing.list_pairs(context.session))


async def members(update: Update, context: BotContext) -> None:
    """List everyone enrolled with their role, load or pairing."""
    await reply(
        update,
        context,
        await pairing.list_members(context.session, context.settings.mentor_capacity),
    )


async def match(update: Update, context: BotContext) -> None:
    """Suggest the three best mentors for a mentee, with a button to pair each."""
    assert update.effective_chat is not None
    outcome = await pairing.suggest_mentors(
        context.session,
        ref=" ".join(context.args or []),
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await pairing.reply_to_coordinator(
        context.session, update.effective_chat.id, outcome, context.now()
    )


async def health(update: Update, context: BotContext) -> None:
    """Show how delivery is doing: queue depth, oldest waiting message, undeliverable ones."""
    report = health_report(
        await delivery_health(
            context.session,
            context.now(),
            token_rejected_since=context.services.delivery.token_rejected_since,
            staff_chat_id=context.services.settings.coordinator_chat_id,
        ),
        context.services.intake,
    )
    # Sent ahead of everything else: it is most needed when the outbox is backed up.
    await reply(update, context, report, priority=Priority.ESCALATION)


async def stats(update: Update, context: BotContext) -> None:
    """Show the program's figures, or (`/stats chart`) a chart of them per week."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    args = [a.lower() for a in context.args or []]
    if args == ["chart"]:
        await reports.send_chart(
            context.session,
            chat_id,
            now=context.now(),
            retention=timedelta(days=context.settings.retention_days),
        )
    elif not args:
        await reports.send_stats(
            context.session,
            chat_id,
            now=context.now(),
            default_capacity=context.settings.mentor_capacity,
        )
    else:
        await reply(update, context, t(texts.STATS_USAGE))


async def export(update: Update, context: BotContext) -> None:
    """Send a CSV of pseudonymous per-member, per-week counts."""
    assert update.effective_chat is not None
    await reports.send_csv(
        context.session,
        update.effective_chat.id,
        now=context.now(),
        retention=timedelta(days=context.settings.retention_days),
    )


async def coordinators(update: Update, context: BotContext) -> None:
    """List coordinators, or add or remove one (audited)."""
    assert update.effective_user is not None
    answer_text = await staff.manage(
        context.session,
        actor=update.effective_user.id,
        args=list(context.args or []),
        configured=context.settings.coordinator_ids,
        now=context.now(),
    )
    await reply(update, context, answer_text)


async def pair_button(update: Update, context: BotContext) -> None:
    """Pair from a /match suggestion."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    ids = [parse_id(part) for part in parts[1:]]
    mentee_id, mentor_id = ids if len(ids) == 2 else (None, None)
    if mentee_id is None or mentor_id is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    outcome = await pairing.pair_by_ids(
        context.session,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        default_capacity=context.settings.mentor_capacity,
        now=context.now(),
    )
    await answer(context, query)
    await pairing.reply_to_coordinator(context.session, query.from_user.id, outcome, context.now())


def register(app: BotApplication) -> None:
    for name, callback in (
        ("invite", invite),
        ("invites", list_invites),
        ("pair", pair),
        ("unpair", unpair),
        ("pairs", pairs),
        ("members", members),
        ("match", match),
        ("health", health),
        ("coordinators", coordinators),
        ("stats", stats),
        ("export", export),
    ):
        app.add_handler(CommandHandler(name, callback), group=GROUP_MAIN)
    app.add_handler(CallbackQueryHandler(pair_button, pattern=r"^pm:"), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(invite_button, pattern=rf"^iv:[rp]:{ID_PATTERN}$"), group=GROUP_MAIN
    )
