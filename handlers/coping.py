"""Tools for the hard moments: /cope exercises and the mentee's own /plan."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import Text, t
from bot.numbers import ID_PATTERN, parse_id, parse_int
from bot.services import coping, plans
from handlers.common import GROUP_MAIN, acting_member, answer

_EXERCISE = "(?:" + "|".join(coping.STEPS) + ")"
_SECTION = "(?:" + "|".join(plans.SECTIONS) + ")"
_HELPED = "(?:" + "|".join(coping.HELPED) + ")"


async def cope(update: Update, context: BotContext) -> None:
    """Show the exercises (a mentor first picks a mentee to send one to, or themself)."""
    member = await acting_member(update, context)
    if member is not None:
        await coping.open_menu(context.session, member=member, now=context.now())


async def plan(update: Update, context: BotContext) -> None:
    """Build the recovery plan step by step, or show it with Edit buttons."""
    member = await acting_member(update, context)
    if member is not None:
        await plans.open_plan(
            context.session,
            member=member,
            policy=context.services.escalations,
            now=context.now(),
        )


async def cope_button(update: Update, context: BotContext) -> None:
    """Start an exercise, go on to its next step, or record whether it helped."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    member = await acting_member(update, context)
    if member is None:  # erased since the access check
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    kind, *rest = query.data.split(":")
    toast: Text | None = t(texts.STALE_BUTTON)
    if kind == "cp":
        toast = await coping.start(
            context.session, member=member, exercise=rest[0], now=context.now()
        )
    elif kind == "cr":
        run_id, seen = parse_id(rest[0]), parse_int(rest[1], low=0, high=99)
        if run_id is not None and seen is not None:
            toast = await coping.go_on(
                context.session, member=member, run_id=run_id, seen=seen, now=context.now()
            )
    elif kind == "ch":
        run_id = parse_id(rest[0])
        if run_id is not None:
            toast = await coping.record_helped(
                context.session,
                member=member,
                run_id=run_id,
                answer=rest[1],
                message_id=query.message.message_id,
                now=context.now(),
            )
    await answer(context, query, toast)


async def cope_send_button(update: Update, context: BotContext) -> None:
    """A mentor picks a mentee (or themself), then the exercise to send."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    mentor = await acting_member(update, context)
    if mentor is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    kind, raw_id, *rest = query.data.split(":")
    mentee_id = parse_id(raw_id)
    toast: Text | None = t(texts.STALE_BUTTON)
    if kind == "cm" and raw_id == "me":
        toast = await coping.mentor_pick(
            context.session, mentor=mentor, mentee_id=None, now=context.now()
        )
    elif kind == "cm" and mentee_id is not None:
        toast = await coping.mentor_pick(
            context.session, mentor=mentor, mentee_id=mentee_id, now=context.now()
        )
    elif kind == "cs" and mentee_id is not None:
        toast = await coping.send_to_mentee(
            context.session,
            mentor=mentor,
            mentee_id=mentee_id,
            exercise=rest[0],
            message_id=query.message.message_id,
            now=context.now(),
        )
    await answer(context, query, toast)


async def plan_button(update: Update, context: BotContext) -> None:
    """Skip or keep a step, edit a section, or share the plan with the mentor."""
    query = update.callback_query
    assert query is not None and query.data is not None
    member = await acting_member(update, context)
    if member is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    _, verb, *section = query.data.split(":")
    toast = await plans.press(
        context.session,
        member=member,
        verb=verb,
        section=section[0] if section else None,
        policy=context.services.escalations,
        now=context.now(),
    )
    await answer(context, query, toast)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("cope", cope), group=GROUP_MAIN)
    app.add_handler(CommandHandler("plan", plan), group=GROUP_MAIN)
    app.add_handler(
        CallbackQueryHandler(
            cope_button,
            pattern=rf"^(cp:{_EXERCISE}|cr:{ID_PATTERN}:[0-9]{{1,2}}|ch:{ID_PATTERN}:{_HELPED})$",
        ),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(
            cope_send_button, pattern=rf"^(cm:(?:{ID_PATTERN}|me)|cs:{ID_PATTERN}:{_EXERCISE})$"
        ),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(
            plan_button, pattern=rf"^pl:(?:(?:skip|keep|edit):{_SECTION}|share)$"
        ),
        group=GROUP_MAIN,
    )
