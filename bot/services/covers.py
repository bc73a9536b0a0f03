"""Covers seen from the relay: why a mentor's message has nowhere to go while they are away,
or after their cover for someone else's mentee ended (it is refused, never redirected)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t
from bot.services.outbox import h
from storage.models import Cover, Member, MentorAway, Pairing


async def open_away_of(session: AsyncSession, mentor_id: int) -> MentorAway | None:
    return await session.scalar(
        select(MentorAway).where(MentorAway.mentor_id == mentor_id, MentorAway.ended_at.is_(None))
    )


async def refusal_for_mentor(
    session: AsyncSession, *, mentor: Member, pairing_id: int | None
) -> Text | None:
    """What to tell a mentor whose message cannot go to the conversation it belongs to
    (`pairing_id`, or None for a plain message): their cover ended, or they are away and
    covered. None: nothing about covers explains it."""
    query = select(Cover, Pairing).join(Pairing, Pairing.id == Cover.pairing_id)
    if pairing_id is not None:
        query = query.where(Cover.pairing_id == pairing_id)
    covered = (
        await session.execute(
            query.where(Cover.cover_mentor_id == mentor.id, Cover.ended_at.is_not(None))
            .order_by(Cover.ended_at.desc())
            .limit(1)
        )
    ).first()
    if covered is not None:
        _, pairing = covered
        mentee = await session.get(Member, pairing.mentee_id)
        original = await session.get(Member, pairing.mentor_id)
        if mentee is not None and original is not None:
            return t(
                texts.COVER_ENDED_REPLY, mentee=h(mentee.pseudonym), mentor=h(original.pseudonym)
            )
    if await open_away_of(session, mentor.id) is not None:
        return t(texts.AWAY_YOU_ARE_AWAY)
    return None
