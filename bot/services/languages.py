"""Which language each person reads: members and people enrolling keep theirs on their row,
coordinators on theirs; group chats and everyone else get the program's (`DEFAULT_LANGUAGE`)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SOURCE_LANGUAGE, supported
from storage.crypto import lookup
from storage.db import DEFAULT_LANGUAGE, INDEPENDENT
from storage.models import Coordinator, EnrolmentDraft, Member


def program_language(session: AsyncSession) -> str:
    language = session.info.get(DEFAULT_LANGUAGE)
    return language if isinstance(language, str) and supported(language) else SOURCE_LANGUAGE


def language_of_member(session: AsyncSession, member: Member) -> str:
    language = member.language
    return language if supported(language) else program_language(session)


async def recipient_language(session: AsyncSession, chat_id: int) -> str:
    """The language of whoever reads a chat (a private chat's id is its user's id)."""
    if chat_id < 0:
        return program_language(session)
    key = lookup(chat_id)
    for statement in (
        select(Member.language).where(Member.telegram_user_key == key, Member.erased_at.is_(None)),
        select(EnrolmentDraft.language).where(EnrolmentDraft.telegram_user_key == key),
        select(Coordinator.language).where(Coordinator.telegram_user_id == chat_id),
    ):
        # Reads no outbox row: the messages queued meanwhile stay batched (storage.db).
        language = await session.scalar(statement.execution_options(**{INDEPENDENT: True}))
        if supported(language):
            return language
    return program_language(session)


async def set_language(session: AsyncSession, telegram_user_id: int, language: str) -> bool:
    """`/language`: a member's or a coordinator's choice (both, for someone who is both).
    Returns whether anyone's was changed."""
    if not supported(language):
        return False
    changed = await session.execute(
        update(Member)
        .where(Member.telegram_user_key == lookup(telegram_user_id), Member.erased_at.is_(None))
        .values(language=language)
    )
    staff = await session.execute(
        update(Coordinator)
        .where(Coordinator.telegram_user_id == telegram_user_id)
        .values(language=language)
    )
    return bool(changed.rowcount or staff.rowcount)  # type: ignore[attr-defined]
