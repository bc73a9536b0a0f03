"""Invites for coordinators: one or many one-time links (/invite mentee 40), the open ones
listed page by page (/invites), and revoking one.

The links carry the invite codes: they go to the coordinator's chat only (through the outbox,
encrypted until sent) and are never logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, render, t, t_item
from bot.numbers import parse_int
from bot.services.enrolment import create_invite, invite_link
from bot.services.languages import recipient_language
from bot.services.outbox import Button, edit_text, enqueue, h, send_text
from storage.models import Invite

MAX_INVITES = 200  # per command: a program's intake, not a way to flood the database
PAGE_SIZE = 10  # invites per page of /invites, each with its Revoke button
TEXT_LIMIT = 4096  # Telegram's, for one message
EXPIRY_FORMAT = "%Y-%m-%d %H:%M"
ROLES = ("mentee", "mentor")


def parse_invite_args(args: Sequence[str]) -> tuple[str, int] | Text:
    """(role, how many) from `/invite mentee [count]`, or the line to answer instead."""
    if not 1 <= len(args) <= 2 or args[0].lower() not in ROLES:
        return t(texts.INVITE_BULK_USAGE)
    if len(args) == 1:
        return args[0].lower(), 1
    count = parse_int(args[1], low=1)
    if count is None:
        return t(texts.INVITE_BULK_USAGE)
    if count > MAX_INVITES:
        return t(texts.INVITE_TOO_MANY, limit=MAX_INVITES)
    return args[0].lower(), count


async def invite(
    session: AsyncSession,
    *,
    chat_id: int,
    args: Sequence[str],
    created_by: int,
    bot_username: str,
    ttl: timedelta,
    now: datetime,
) -> None:
    """Make the invites asked for and send their links: one message when they fit, else a
    CSV file (link, role, expiry per line)."""
    parsed = parse_invite_args(args)
    if isinstance(parsed, Text):
        await send_text(session, chat_id, parsed, now=now)
        return
    role, count = parsed
    made = [
        await create_invite(session, role=role, created_by=created_by, now=now, ttl=ttl)
        for _ in range(count)
    ]
    expires = made[0].expires_at.strftime(EXPIRY_FORMAT)
    links = [invite_link(bot_username, i.code) for i in made]
    text: Text
    if count == 1:
        text = t(
            texts.INVITE_CREATED,
            role=t_item(texts.ROLE_NAMES, role),
            expires=expires,
            link=h(links[0]),
        )
    else:
        text = t(
            texts.INVITES_CREATED,
            count=count,
            role=t_item(texts.ROLE_PLURALS, role),
            expires=expires,
        ) + join([h(link) for link in links])
    language = await recipient_language(session, chat_id)
    if len(text.render(language)) <= TEXT_LIMIT:
        await send_text(session, chat_id, text, now=now, language=language)
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["link", "role", "expires_utc"])
    writer.writerows([link, role, expires] for link in links)
    await enqueue(
        session,
        chat_id=chat_id,
        method="sendDocument",
        payload={
            "document_bytes": out.getvalue().encode().hex(),
            "filename": f"invites-{role}-{now:%Y%m%d-%H%M}.csv",
            "caption": render(
                t(
                    texts.INVITES_CSV_CAPTION,
                    count=count,
                    role=t_item(texts.ROLE_PLURALS, role),
                    expires=expires,
                ),
                language,
            ),
        },
        now=now,
    )


def _open(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now)


async def _page(
    session: AsyncSession, page: int, now: datetime
) -> tuple[Text, list[list[Button]]]:
    """The text and buttons of one page of open invites (the last page if `page` is past it)."""
    total = int(await session.scalar(select(func.count()).where(*_open(now))) or 0)
    if total == 0:
        return t(texts.INVITES_NONE), []
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.scalars(
            select(Invite)
            .where(*_open(now))
            .order_by(Invite.id)
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    ).all()
    lines: list[Text] = [t(texts.INVITES_HEADER, count=total, page=page + 1, pages=pages)]
    lines += [
        t(
            texts.INVITES_LINE,
            short_id=i.short_id,
            role=t_item(texts.ROLE_NAMES, i.role),
            expires=i.expires_at.strftime(EXPIRY_FORMAT),
        )
        for i in rows
    ]
    buttons: list[list[Button]] = [
        [(t(texts.INVITE_REVOKE, short_id=i.short_id), f"iv:r:{i.id}")] for i in rows
    ]
    nav: list[Button] = []
    if page > 0:
        nav.append((t(texts.INVITES_PREVIOUS), f"iv:p:{page - 1}"))
    if page < pages - 1:
        nav.append((t(texts.INVITES_NEXT), f"iv:p:{page + 1}"))
    if nav:
        buttons.append(nav)
    return join(lines), buttons


async def list_open(session: AsyncSession, *, chat_id: int, now: datetime) -> None:
    """/invites: the first page of open (unused, unexpired, not revoked) invites."""
    text, buttons = await _page(session, 0, now)
    await send_text(session, chat_id, text, buttons=buttons, now=now)


async def show_page(
    session: AsyncSession, *, chat_id: int, message_id: int, page: int, now: datetime
) -> None:
    """Turn the /invites message to another page (it shows the invites open now)."""
    text, buttons = await _page(session, page, now)
    await edit_text(session, chat_id, message_id, text, buttons=buttons, now=now)


async def revoke(
    session: AsyncSession, *, invite_id: int, chat_id: int, message_id: int, now: datetime
) -> Text:
    """Revoke an open invite and show the page it was on again; the toast to answer with.
    An invite already used, expired or revoked (a stale or forged press) is left alone."""
    revoked = await session.execute(
        update(Invite).where(Invite.id == invite_id, *_open(now)).values(revoked_at=now)
    )
    if revoked.rowcount != 1:  # type: ignore[attr-defined]
        return t(texts.INVITE_NOT_OPEN)
    before = int(
        await session.scalar(select(func.count()).where(*_open(now), Invite.id < invite_id)) or 0
    )
    await show_page(
        session, chat_id=chat_id, message_id=message_id, page=before // PAGE_SIZE, now=now
    )
    return t(texts.INVITE_REVOKED_TOAST, short_id=f"I-{invite_id:04d}")
