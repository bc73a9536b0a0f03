"""Looking people up: members by Telegram id, pseudonym or short id; coordinators."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.access import Role
from storage.crypto import lookup
from storage.db import INDEPENDENT
from storage.models import Coordinator, Cover, Member, Pairing
from storage.names import name_key

SHORT_ID_RE = re.compile(r"^M-?([0-9]{1,9})$", re.IGNORECASE)


# Built once: these run for every relayed message, and building a statement costs more than
# running it from SQLAlchemy's compiled cache.
_MEMBER_BY_TELEGRAM_ID = (
    select(Member)
    .where(Member.telegram_user_key == bindparam("key"))
    .execution_options(**{INDEPENDENT: True})
)
# A pairing's cover while its mentor is away (chosen, not ended): the cover mentor then
# stands in for the mentor in every route below.
_COVER_NOW = and_(
    Cover.pairing_id == Pairing.id, Cover.ended_at.is_(None), Cover.cover_mentor_id.is_not(None)
)
_ACTING_MENTOR_ID = func.coalesce(Cover.cover_mentor_id, Pairing.mentor_id)
_ACTIVE_MENTOR_OF = (
    select(Pairing, Member)
    .outerjoin(Cover, _COVER_NOW)
    .join(Member, Member.id == _ACTING_MENTOR_ID)
    .where(Pairing.mentee_id == bindparam("mentee_id"), Pairing.ended_at.is_(None))
)


_MENTOR = aliased(Member, name="mentor")
_SENDER_AND_MENTOR = (
    select(Member, Pairing, _MENTOR)
    .outerjoin(Pairing, and_(Pairing.mentee_id == Member.id, Pairing.ended_at.is_(None)))
    .outerjoin(Cover, _COVER_NOW)
    .outerjoin(_MENTOR, _MENTOR.id == _ACTING_MENTOR_ID)
    .where(Member.telegram_user_key == bindparam("key"))
    .execution_options(**{INDEPENDENT: True})  # members and pairings only, no outbox
)


@dataclass(frozen=True)
class MentorRoute:
    """Where a mentee's messages go: their active pairing and mentor, or none (unpaired)."""

    pairing: Pairing | None
    mentor: Member | None


async def member_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Member | None:
    return await session.scalar(_MEMBER_BY_TELEGRAM_ID, {"key": lookup(telegram_user_id)})


async def sender_by_telegram_id(
    session: AsyncSession, telegram_user_id: int
) -> tuple[Member, MentorRoute | None] | None:
    """Who wrote and, for a mentee, where it goes: one query on the relay's hot path."""
    row = (await session.execute(_SENDER_AND_MENTOR, {"key": lookup(telegram_user_id)})).first()
    if row is None:
        return None
    member, pairing, mentor = row
    if member.role != "mentee":
        return member, None
    return member, MentorRoute(pairing, mentor)  # both None when unpaired (outer joins)


async def roles_of(session: AsyncSession, telegram_user_id: int) -> frozenset[Role]:
    """The roles the access table knows this person by (see `bot.access`)."""
    role = await session.scalar(
        select(Member.role).where(
            Member.telegram_user_key == lookup(telegram_user_id), Member.erased_at.is_(None)
        )
    )
    roles = {Role(role)} if role is not None else {Role.STRANGER}
    if await is_coordinator(session, telegram_user_id):
        roles.add(Role.COORDINATOR)
    return frozenset(roles)


async def is_coordinator(session: AsyncSession, telegram_user_id: int) -> bool:
    found = await session.scalar(
        select(Coordinator.telegram_user_id).where(
            Coordinator.telegram_user_id == telegram_user_id
        )
    )
    return found is not None


async def coordinator_ids(session: AsyncSession) -> list[int]:
    return list(
        await session.scalars(select(Coordinator.telegram_user_id).order_by(Coordinator.added_at))
    )


async def seed_coordinators(session: AsyncSession, ids: Iterable[int], now: datetime) -> None:
    """Make sure everyone named in COORDINATOR_IDS is a coordinator."""
    existing = set(await coordinator_ids(session))
    for telegram_user_id in ids:
        if telegram_user_id not in existing:
            session.add(Coordinator(telegram_user_id=telegram_user_id, added_at=now))
            existing.add(telegram_user_id)


async def find_member(session: AsyncSession, ref: str) -> Member | None:
    """Find a member by short id (M-0007) or pseudonym, case-insensitively and by what it
    looks like (no two pseudonyms look alike).

    Pseudonyms can never look like a short id, so the two cannot collide.
    """
    ref = " ".join(ref.split())
    match = SHORT_ID_RE.match(ref)
    if match:
        member = await session.get(Member, int(match.group(1)))
    else:
        member = await session.scalar(
            select(Member).where(Member.pseudonym_skeleton == name_key(ref))
        )
    return None if member is None or member.erased_at is not None else member


async def active_pairing_of_mentee(session: AsyncSession, mentee_id: int) -> Pairing | None:
    return await session.scalar(
        select(Pairing).where(Pairing.mentee_id == mentee_id, Pairing.ended_at.is_(None))
    )


async def active_mentor_of(session: AsyncSession, mentee_id: int) -> tuple[Pairing, Member] | None:
    """The mentee's current pairing and mentor (their cover mentor while one covers), in one
    query (the relay's hot path)."""
    row = (await session.execute(_ACTIVE_MENTOR_OF, {"mentee_id": mentee_id})).first()
    return None if row is None else (row[0], row[1])


async def in_conversation(session: AsyncSession, pairing: Pairing) -> frozenset[int]:
    """Who may still act in this pairing's conversation: the mentee, the mentor, and the
    cover mentor while their cover lasts (never one whose cover ended)."""
    cover_mentor_id = await session.scalar(
        select(Cover.cover_mentor_id).where(
            Cover.pairing_id == pairing.id,
            Cover.ended_at.is_(None),
            Cover.cover_mentor_id.is_not(None),
        )
    )
    ids = {pairing.mentee_id, pairing.mentor_id}
    if cover_mentor_id is not None:
        ids.add(cover_mentor_id)
    return frozenset(ids)


async def active_mentees(
    session: AsyncSession, mentor_id: int
) -> Sequence[tuple[Pairing, Member]]:
    """The mentees this mentor answers now: their own, except those a cover mentor has while
    they are away, and those they cover for someone else."""
    rows = await session.execute(
        select(Pairing, Member)
        .join(Member, Member.id == Pairing.mentee_id)
        .outerjoin(Cover, _COVER_NOW)
        .where(_ACTING_MENTOR_ID == mentor_id, Pairing.ended_at.is_(None))
        .order_by(Pairing.created_at, Pairing.id)
    )
    return [(p, m) for p, m in rows]


async def mentor_loads(session: AsyncSession) -> dict[int, int]:
    rows = await session.execute(
        select(Pairing.mentor_id, func.count())
        .where(Pairing.ended_at.is_(None))
        .group_by(Pairing.mentor_id)
    )
    return {mentor_id: count for mentor_id, count in rows}
