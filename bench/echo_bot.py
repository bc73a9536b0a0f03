"""The baseline: a bare python-telegram-bot echo bot (Updater polling, copy back to sender)."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.copy(chat_id=message.chat_id)


def main(token: str, base_url: str) -> None:
    app = Application.builder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(poll_interval=0.0, timeout=10)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
