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
from bot.services.members import roles_of
from bot.services.outbox import queue_menu


def commands_for(roles: frozenset[Role]) -> list[tuple[str, str]]:
    """(command, description) for the menu of someone with these roles, in a fixed order.
    Someone enrolled or on the staff does not need /start in it."""
    allowed = {
        name
        for name, action in COMMANDS.items()
        if Where.PRIVATE in RULES[action].where and not RULES[action].roles.isdisjoint(roles)
    }
    if roles != {Role.STRANGER}:
        allowed.discard("start")
    return [(name, text) for name, text in texts.COMMAND_DESCRIPTIONS.items() if name in allowed]


DEFAULT_COMMANDS = commands_for(frozenset({Role.STRANGER}))


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
    commands = [] if roles == {Role.STRANGER} else commands_for(roles)
    # A private chat's id is its user's id.
    await queue_menu(
        session, chat_id=telegram_user_id, commands=commands, now=now, chat_key=chat_key
    )


async def set_startup_menus(
    session: AsyncSession, *, coordinators: Iterable[int], now: datetime
) -> None:
    """At start-up: the default menu (/start /help /id) and each coordinator's."""
    await queue_menu(session, chat_id=None, commands=DEFAULT_COMMANDS, now=now)
    for telegram_user_id in coordinators:
        await refresh_menu(session, telegram_user_id=telegram_user_id, now=now)
