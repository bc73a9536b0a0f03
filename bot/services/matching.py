"""Ranking mentors for a mentee: shared language, timezone distance, load and preferences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t
from bot.services.members import mentor_loads
from storage.models import Member

TOP_N = 3


@dataclass(frozen=True)
class Candidate:
    mentor: Member
    score: float
    load: int
    reasons: list[Text] = field(default_factory=list)


def utc_offset_hours(zone: str, at: datetime) -> float:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def timezone_distance_hours(a: str, b: str, at: datetime) -> float:
    """Hours between two zones' clocks, the short way round (at most 12)."""
    diff = abs(utc_offset_hours(a, at) - utc_offset_hours(b, at)) % 24
    return min(diff, 24 - diff)


def score_mentor(
    mentee: Member, mentor: Member, load: int, capacity: int, at: datetime
) -> Candidate:
    """Score one mentor for one mentee; higher is better. Pure, so it is unit-tested."""
    score = 0.0
    reasons: list[Text] = []
    if mentee.language is None or mentor.language is None:
        score += 1.5
    elif mentee.language == mentor.language:
        score += 3.0
        reasons.append(
            t(
                texts.REASON_LANGUAGE,
                language=texts.LANGUAGES.get(mentor.language, mentor.language),
            )
        )
    else:
        reasons.append(t(texts.REASON_NO_LANGUAGE))
    hours = timezone_distance_hours(mentee.timezone, mentor.timezone, at)
    score += 2.0 * (1 - hours / 12)
    if hours < 1:
        reasons.append(t(texts.REASON_TZ_SAME))
    else:
        reasons.append(t(texts.REASON_TZ_DIFF, hours=f"{hours:g}"))
    shared = [t for t in mentee.tag_list if t in mentor.tag_list]
    score += 1.0 * len(shared)
    if shared:
        reasons.append(t(texts.REASON_TAGS, tags=", ".join(texts.TAGS[tag] for tag in shared)))
    score += 1.5 * (1 - load / capacity)
    reasons.append(t(texts.REASON_LOAD, load=load, capacity=capacity))
    return Candidate(mentor=mentor, score=score, load=load, reasons=reasons)


async def rank_mentors(
    session: AsyncSession, mentee: Member, default_capacity: int, at: datetime, top: int = TOP_N
) -> list[Candidate]:
    """The best mentors with room, best first (ties: lower load, then older member)."""
    loads = await mentor_loads(session)
    mentors = await session.scalars(
        select(Member).where(Member.role == "mentor", Member.reachable.is_(True))
    )
    candidates = []
    for mentor in mentors:
        capacity = mentor.capacity or default_capacity
        load = loads.get(mentor.id, 0)
        if load >= capacity:
            continue
        candidates.append(score_mentor(mentee, mentor, load, capacity, at))
    candidates.sort(key=lambda c: (-c.score, c.load, c.mentor.id))
    return candidates[:top]
