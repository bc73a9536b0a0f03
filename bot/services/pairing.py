"""Pairing mentees with mentors, ending pairings, and the coordinator's overviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t, t_plural
from bot.services import relay
from bot.services.matching import rank_mentors
from bot.services.members import (
    active_pairing_of_mentee,
    find_member,
    mentor_loads,
)
from bot.services.outbox import Button, h, notify_member, send_text
from storage.models import HeldMessage, Member, Pairing


@dataclass(frozen=True)
class Outcome:
    """What a coordinator is told; `ok` says whether anything changed."""

    ok: bool
    text: Text
    buttons: list[list[Button]] | None = None


def _who(member: Member) -> dict[str, str]:
    return {"pseudonym": h(member.pseudonym), "short_id": member.short_id}


async def resolve_two(session: AsyncSession, args: list[str]) -> tuple[Member, Member] | Text:
    """Split '/pair' arguments into two members; pseudonyms may contain spaces."""
    if len(args) < 2:
        return t(texts.PAIR_USAGE)
    for cut in range(1, len(args)):
        first = await find_member(session, " ".join(args[:cut]))
        second = await find_member(session, " ".join(args[cut:]))
        if first is not None and second is not None:
            return first, second
    for cut in range(1, len(args)):
        ref = " ".join(args[:cut])
        if await find_member(session, ref) is None:
            return t(texts.MEMBER_NOT_FOUND, ref=h(ref))
    return t(texts.MEMBER_NOT_FOUND, ref=h(" ".join(args[1:])))


async def pair_mentee(
    session: AsyncSession,
    *,
    mentee: Member,
    mentor: Member,
    default_capacity: int,
    now: datetime,
) -> Outcome:
    """Pair two members if the roles, the mentee's freedom and the mentor's capacity allow.

    Every way in (/pair, an old /match button) comes here, so an erased member is refused
    here: their row is only a placeholder that no message can reach.
    """
    for member in (mentee, mentor):
        if member.erased_at is not None:
            return Outcome(False, t(texts.MEMBER_ERASED, short_id=member.short_id))
    if mentee.role != "mentee":
        return Outcome(False, t(texts.NOT_A_MENTEE, **_who(mentee)))
    if mentor.role != "mentor":
        return Outcome(False, t(texts.NOT_A_MENTOR, **_who(mentor)))
    current = await active_pairing_of_mentee(session, mentee.id)
    if current is not None:
        current_mentor = await session.get(Member, current.mentor_id)
        assert current_mentor is not None
        return Outcome(
            False,
            t(
                texts.ALREADY_PAIRED,
                mentee=h(mentee.pseudonym),
                mentor=h(current_mentor.pseudonym),
                mentee_id=mentee.short_id,
            ),
        )
    capacity = mentor.capacity or default_capacity
    load = (await mentor_loads(session)).get(mentor.id, 0)
    if load >= capacity:
        return Outcome(
            False,
            t(texts.MENTOR_FULL, mentor=h(mentor.pseudonym), load=load, capacity=capacity),
        )
    pairing = Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=now)
    session.add(pairing)
    await session.flush()
    await notify_member(
        session, mentee, t(texts.PAIRED_MENTEE, mentor=h(mentor.pseudonym)), now=now
    )
    await notify_member(
        session,
        mentor,
        t(texts.PAIRED_MENTOR, mentee=h(mentee.pseudonym), mentee_id=mentee.short_id),
        now=now,
    )
    await relay.release_held_for_mentee(
        session, pairing=pairing, mentee=mentee, mentor=mentor, now=now
    )
    return Outcome(
        True,
        t(
            texts.PAIRED_COORDINATOR,
            mentee=h(mentee.pseudonym),
            mentee_id=mentee.short_id,
            mentor=h(mentor.pseudonym),
            mentor_id=mentor.short_id,
        ),
    )


async def pair_by_refs(
    session: AsyncSession, *, args: list[str], default_capacity: int, now: datetime
) -> Outcome:
    resolved = await resolve_two(session, args)
    if isinstance(resolved, Text):
        return Outcome(False, resolved)
    mentee, mentor = resolved
    return await pair_mentee(
        session, mentee=mentee, mentor=mentor, default_capacity=default_capacity, now=now
    )


async def pair_by_ids(
    session: AsyncSession,
    *,
    mentee_id: int,
    mentor_id: int,
    default_capacity: int,
    now: datetime,
) -> Outcome:
    mentee = await session.get(Member, mentee_id)
    mentor = await session.get(Member, mentor_id)
    if mentee is None or mentor is None:
        return Outcome(False, t(texts.STALE_BUTTON))
    return await pair_mentee(
        session, mentee=mentee, mentor=mentor, default_capacity=default_capacity, now=now
    )


async def unpair_mentee(session: AsyncSession, *, ref: str, now: datetime) -> Outcome:
    """End a mentee's pairing and tell both sides."""
    if not ref.strip():
        return Outcome(False, t(texts.UNPAIR_USAGE))
    mentee = await find_member(session, ref)
    if mentee is None:
        return Outcome(False, t(texts.MEMBER_NOT_FOUND, ref=h(ref)))
    if mentee.role != "mentee":
        return Outcome(False, t(texts.NOT_A_MENTEE, **_who(mentee)))
    pairing = await active_pairing_of_mentee(session, mentee.id)
    if pairing is None:
        return Outcome(False, t(texts.NOT_PAIRED, mentee=h(mentee.pseudonym)))
    mentor = await session.get(Member, pairing.mentor_id)
    assert mentor is not None
    pairing.ended_at = now
    await notify_member(
        session, mentee, t(texts.UNPAIRED_MENTEE, mentor=h(mentor.pseudonym)), now=now
    )
    await notify_member(
        session,
        mentor,
        t(texts.UNPAIRED_MENTOR, mentee=h(mentee.pseudonym), mentee_id=mentee.short_id),
        now=now,
    )
    return Outcome(
        True,
        t(texts.UNPAIRED_COORDINATOR, mentee=h(mentee.pseudonym), mentor=h(mentor.pseudonym)),
    )


async def list_pairs(session: AsyncSession) -> Text:
    rows = (
        (
            await session.execute(
                select(Pairing).where(Pairing.ended_at.is_(None)).order_by(Pairing.created_at)
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        return t(texts.PAIRS_NONE)
    lines: list[Text] = [t(texts.PAIRS_HEADER)]
    for pairing in rows:
        mentee = await session.get(Member, pairing.mentee_id)
        mentor = await session.get(Member, pairing.mentor_id)
        assert mentee is not None and mentor is not None
        lines.append(
            t(
                texts.PAIRS_LINE,
                mentee=h(mentee.pseudonym),
                mentee_id=mentee.short_id,
                mentor=h(mentor.pseudonym),
                mentor_id=mentor.short_id,
                since=pairing.created_at.strftime("%Y-%m-%d"),
            )
        )
    return join(lines)


async def list_members(session: AsyncSession, default_capacity: int) -> Text:
    members = (
        await session.scalars(select(Member).where(Member.erased_at.is_(None)).order_by(Member.id))
    ).all()
    if not members:
        return t(texts.MEMBERS_NONE)
    loads = await mentor_loads(session)
    held = dict(
        (
            await session.execute(
                select(HeldMessage.member_id, func.count())
                .where(HeldMessage.status == "held", HeldMessage.reason == "unpaired")
                .group_by(HeldMessage.member_id)
            )
        ).all()
    )
    mentor_of: dict[int, str] = {}
    for pairing, mentor in await session.execute(
        select(Pairing, Member)
        .join(Member, Member.id == Pairing.mentor_id)
        .where(Pairing.ended_at.is_(None))
    ):
        mentor_of[pairing.mentee_id] = mentor.pseudonym
    lines: list[Text] = [t(texts.MEMBERS_HEADER)]
    for m in members:
        if m.role == "mentee":
            if m.id in mentor_of:
                status = t(texts.MENTEE_STATUS_PAIRED, mentor=h(mentor_of[m.id]))
            elif held.get(m.id):
                status = t_plural(texts.MENTEE_STATUS_HELD_PLURAL, held[m.id])
            else:
                status = t(texts.MENTEE_STATUS_WAITING)
            line: Text = t(
                texts.MEMBER_LINE_MENTEE,
                short_id=m.short_id,
                pseudonym=h(m.pseudonym),
                tz=h(m.timezone),
                status=status,
            )
        else:
            line = t(
                texts.MEMBER_LINE_MENTOR,
                short_id=m.short_id,
                pseudonym=h(m.pseudonym),
                tz=h(m.timezone),
                load=loads.get(m.id, 0),
                capacity=m.capacity or default_capacity,
            )
        if not m.reachable:
            line += t(texts.UNREACHABLE_SUFFIX)
        lines.append(line)
    return join(lines)


async def suggest_mentors(
    session: AsyncSession, *, ref: str, default_capacity: int, now: datetime
) -> Outcome:
    """The top mentors for a mentee, with reasons and a button to pair with each."""
    if not ref.strip():
        return Outcome(False, t(texts.MATCH_USAGE))
    mentee = await find_member(session, ref)
    if mentee is None:
        return Outcome(False, t(texts.MEMBER_NOT_FOUND, ref=h(ref)))
    if mentee.role != "mentee":
        return Outcome(False, t(texts.NOT_A_MENTEE, **_who(mentee)))
    candidates = await rank_mentors(session, mentee, default_capacity, now)
    if not candidates:
        return Outcome(False, t(texts.MATCH_NONE, mentee=h(mentee.pseudonym)))
    lines: list[Text] = [
        t(texts.MATCH_HEADER, mentee=h(mentee.pseudonym), mentee_id=mentee.short_id)
    ]
    buttons: list[list[Button]] = []
    for rank, c in enumerate(candidates, start=1):
        lines.append(
            t(
                texts.MATCH_LINE,
                rank=rank,
                mentor=h(c.mentor.pseudonym),
                mentor_id=c.mentor.short_id,
                reasons=join(c.reasons, "; "),
            )
        )
        buttons.append(
            [
                (
                    t(texts.MATCH_BUTTON, mentor=c.mentor.pseudonym),
                    f"pm:{mentee.id}:{c.mentor.id}",
                )
            ]
        )
    return Outcome(True, join(lines), buttons)


async def reply_to_coordinator(
    session: AsyncSession, chat_id: int, outcome: Outcome, now: datetime
) -> None:
    await send_text(session, chat_id, outcome.text, buttons=outcome.buttons, now=now)
