"""Telegram's command menu, per person: each role sees only the commands it may use.

The menu is derived from the access table (`bot.access`), so it can never offer a command the
gate refuses. Menus are cosmetic: they go through the outbox like every call, on a queue of
their own per chat, and a menu Telegram refuses is dropped (see `bot.delivery`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.access import COMMANDS, RULES, Role, Where
from bot.i18n import render, t_item
from bot.services.languages import program_language, recipient_language
from bot.services.members import roles_of
from bot.services.outbox import queue_menu


def commands_for(roles: frozenset[Role], language: str = "en") -> list[tuple[str, str]]:
    """(command, description) for the menu of someone with these roles, in a fixed order and
    in their language. Someone enrolled or on the staff does not need /start in it."""
    allowed = {
        name
        for name, action in COMMANDS.items()
        if Where.PRIVATE in RULES[action].where and not RULES[action].roles.isdisjoint(roles)
    }
    if roles != {Role.STRANGER}:
        allowed.discard("start")
    return [
        (name, render(t_item(texts.COMMAND_DESCRIPTIONS, name), language))
        for name in texts.COMMAND_DESCRIPTIONS
        if name in allowed
    ]




async def refresh_menu(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    now: datetime,
    chat_key: str | None = None,
) -> None:
    """Queue the menu of this person's private chat for the roles they have now; someone with
    no role left gets the chat's own menu deleted, so they see the default one."""
    roles = await roles_of(session, telegram_user_id)
    language = await recipient_language(session, telegram_user_id)
    commands = [] if roles == {Role.STRANGER} else commands_for(roles, language)
    # A private chat's id is its user's id.
    await queue_menu(
        session, chat_id=telegram_user_id, commands=commands, now=now, chat_key=chat_key
    )


async def set_startup_menus(
    session: AsyncSession, *, coordinators: Iterable[int], now: datetime
) -> None:
    """At start-up: the default menu (/start /help /id) and each coordinator's."""
    stranger = frozenset({Role.STRANGER})
    await queue_menu(
        session, chat_id=None, commands=commands_for(stranger, program_language(session)), now=now
    )
    for telegram_user_id in coordinators:
        await refresh_menu(session, telegram_user_id=telegram_user_id, now=now)
