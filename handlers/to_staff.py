"""Members writing to the program staff without an alarm."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.services import heard
from handlers.common import GROUP_MAIN, acting_member, reply


async def staff(update: Update, context: BotContext) -> None:
    """Pass the member's words to the program staff, labelled with their role and pseudonym."""
    member = await acting_member(update, context)
    if member is None:
        return
    assert update.message is not None and update.message.text is not None
    parts = update.message.text.split(maxsplit=1)
    text = parts[1] if len(parts) > 1 else ""
    answer_text = await heard.message_staff(
        context.session,
        member=member,
        text=text,
        staff_chat_id=context.settings.coordinator_chat_id,
        now=context.now(),
    )
    await reply(update, context, answer_text)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("staff", staff), group=GROUP_MAIN)
