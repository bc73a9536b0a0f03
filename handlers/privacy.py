"""A member's own data: /mydata."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.services import mydata as mydata_service
from bot.services.members import member_by_telegram_id
from bot.services.outbox import send_text
from handlers.common import GROUP_MAIN


async def mydata(update: Update, context: BotContext) -> None:
    """Send the member a JSON file of everything stored about them."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    member = await member_by_telegram_id(context.session, user.id)
    if member is None:
        await send_text(context.session, chat.id, texts.MYDATA_NONE, now=context.now())
        return
    await mydata_service.send_export(context.session, member=member, now=context.now())


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mydata", mydata), group=GROUP_MAIN)
