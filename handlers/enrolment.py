"""Enrolment buttons: consent, timezone, language and matching tags."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.i18n import t
from bot.services import enrolment
from handlers.common import GROUP_MAIN, answer


async def first_language(update: Update, context: BotContext) -> None:
    """Show the consent screen in the language chosen on the first screen."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, language, code = query.data.split(":", 2)
    await enrolment.choose_first_language(
        context.session,
        code=code,
        language=language,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        crisis_line=context.settings.crisis_line,
        now=context.now(),
    )
    await answer(context, query)


async def consent(update: Update, context: BotContext) -> None:
    """Start enrolment on 'I agree'; forget the person on 'No, thanks'."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, choice, code, *language = query.data.split(":", 3)
    await enrolment.answer_consent(
        context.session,
        code=code,
        agreed=choice == "y",
        telegram_user_id=query.from_user.id,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        default_timezone=context.settings.default_timezone,
        now=context.now(),
        language=language[0] if language else None,
    )
    await answer(context, query)


async def step_button(update: Update, context: BotContext) -> None:
    """Record a timezone, language or tag choice and move to the next step."""
    query = update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    draft = await enrolment.draft_for(context.session, query.from_user.id)
    if draft is None:
        await answer(context, query, t(texts.STALE_BUTTON))
        return
    kind, value = query.data.split(":", 1)
    message_id = query.message.message_id
    session, now = context.session, context.now()
    if kind == "tz":
        ok = await enrolment.choose_timezone(
            session, draft=draft, zone=value, message_id=message_id, now=now
        )
    elif kind == "lang":
        ok = await enrolment.choose_language(
            session, draft=draft, language=value, message_id=message_id, now=now
        )
    elif value == "done":
        ok = (
            await enrolment.finish_enrolment(
                session,
                draft=draft,
                message_id=message_id,
                mentor_capacity=context.settings.mentor_capacity,
                crisis_line=context.settings.crisis_line,
                now=now,
            )
            is not None
        )
    else:
        ok = await enrolment.toggle_tag(
            session, draft=draft, tag=value, message_id=message_id, now=now
        )
    await answer(context, query, None if ok else t(texts.STALE_BUTTON))


def register(app: BotApplication) -> None:
    app.add_handler(
        CallbackQueryHandler(first_language, pattern=r"^cl:(en|es):[A-Za-z0-9_-]{1,64}$"),
        group=GROUP_MAIN,
    )
    # Without a language: a consent screen sent before the language was asked first.
    app.add_handler(
        CallbackQueryHandler(consent, pattern=r"^cn:[yn]:[A-Za-z0-9_-]{1,64}(:(en|es))?$"),
        group=GROUP_MAIN,
    )
    app.add_handler(
        CallbackQueryHandler(step_button, pattern=r"^(tz|lang|tag):[^:]{1,60}$"), group=GROUP_MAIN
    )
