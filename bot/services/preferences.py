"""`/language`: a member or a coordinator changes the language the bot writes to them in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import LANGUAGES, supported, t
from bot.services.languages import set_language
from bot.services.menus import refresh_menu
from bot.services.outbox import edit_text, send_text


async def choose_language(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    language: str | None,
    now: datetime,
    message_id: int | None = None,
) -> bool:
    """Keep the choice and confirm it in the new language; without a valid one, offer the
    languages as buttons (each in its own name). Returns whether it was changed."""
    if not supported(language) or not await set_language(session, telegram_user_id, language):
        await send_text(
            session,
            chat_id,
            t(texts.LANGUAGE_USAGE),
            buttons=[[(texts.LANGUAGES[code], f"ln:{code}") for code in LANGUAGES]],
            now=now,
        )
        return False
    if message_id is not None:
        chosen = t(texts.CHOSEN, choice=texts.LANGUAGES[language])
        await edit_text(session, chat_id, message_id, chosen, now=now, language=language)
    await send_text(session, chat_id, t(texts.LANGUAGE_SET), now=now, language=language)
    await refresh_menu(session, telegram_user_id=telegram_user_id, now=now)  # in the new one
    return True
