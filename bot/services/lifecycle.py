"""A pairing's life after it starts: a mentor away and who covers for them, a mentee asking
staff for a different mentor, pairings gone quiet, and graduation.

A cover stands in for the mentor of one pairing (see `bot.services.members`: every route
reads it), so messages keep their pairing; when the cover ends, its replies are refused,
never redirected (`bot.services.covers`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, join, t
from bot.numbers import parse_int
from bot.services.covers import open_away_of
from bot.services.desk import topic_for
from bot.services.heard import staff_chats
from bot.services.matching import rank_mentors
from bot.services.members import active_pairing_of_mentee, find_member
from bot.services.outbox import Button, edit_text, h, notify_member, send_text
from bot.services.relay import Incoming, copy_between
from storage.crypto import lookup
from storage.models import (
    Cover,
    HeldMessage,
    Member,
    MentorAway,
    MentorChangeRequest,
    OutboxMessage,
    Pairing,
    RelayedMessage,
)

log = logging.getLogger(__name__)

AWAY_MAX_DAYS = 60
COVER_CHOICES = 3
NEWMENTOR_KINDS = ("different", "concern")


def _day(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")  # the same in every language


async def tell_staff(
    session: AsyncSession,
    *,
    about: Member,
    text: Text,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
    buttons: Sequence[Sequence[Button]] | None = None,
) -> None:
    """To the person's topic in the staff forum, or the staff chat, or each coordinator."""
    topic = await topic_for(session, forum_chat_id=forum_chat_id, member=about, now=now)
    if forum_chat_id is not None and topic is not None:
        await send_text(session, forum_chat_id, text, now=now, buttons=buttons, thread_of=topic)
        return
    for chat_id in await staff_chats(session, staff_chat_id):
        await send_text(session, chat_id, text, now=now, buttons=buttons)


# ---- away and cover ----------------------------------------------------------------------


async def away_command(
    session: AsyncSession,
    *,
    mentor: Member,
    args: list[str],
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    default_capacity: int,
    now: datetime,
) -> Text:
    """`/away 7`: away for 7 days, a coordinator asked to choose a cover for each mentee;
    `/away off`: back early. Returns the answer for the mentor."""
    usage = t(texts.AWAY_USAGE, max_days=AWAY_MAX_DAYS)
    if len(args) != 1:
        return usage
    current = await open_away_of(session, mentor.id)
    if args[0].lower() == "off":
        if current is None:
            return t(texts.AWAY_NOT_AWAY)
        await end_away(
            session,
            away=current,
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            now=now,
        )
        return t(texts.AWAY_BACK)
    days = parse_int(args[0], low=1, high=AWAY_MAX_DAYS)
    if days is None:
        return usage
    if current is not None:
        return t(texts.AWAY_ALREADY, until=_day(current.until, mentor.timezone))
    away = MentorAway(mentor_id=mentor.id, starts_at=now, until=now + timedelta(days=days))
    session.add(away)
    await session.flush()
    pairings = (
        await session.scalars(
            select(Pairing)
            .where(Pairing.mentor_id == mentor.id, Pairing.ended_at.is_(None))
            .order_by(Pairing.id)
        )
    ).all()
    for pairing in pairings:
        cover = Cover(away_id=away.id, pairing_id=pairing.id)
        session.add(cover)
        await session.flush()
        mentee = await session.get(Member, pairing.mentee_id)
        assert mentee is not None
        await _ask_for_cover(
            session,
            cover=cover,
            away=away,
            mentor=mentor,
            mentee=mentee,
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            default_capacity=default_capacity,
            now=now,
        )
    # Someone they cover for goes back to staff too: an away mentor answers nobody.
    for cover in (
        await session.scalars(
            select(Cover).where(Cover.cover_mentor_id == mentor.id, Cover.ended_at.is_(None))
        )
    ).all():
        await end_cover(session, cover=cover, now=now, mentor_back=False)
        await _cover_again(
            session,
            cover=cover,
            gone=mentor,
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            default_capacity=default_capacity,
            now=now,
        )
    until = _day(away.until, mentor.timezone)
    return t(texts.AWAY_SET if pairings else texts.AWAY_SET_NO_MENTEES, until=until)


async def _candidates(
    session: AsyncSession,
    mentee: Member,
    away_mentor: Member,
    default_capacity: int,
    now: datetime,
    top: int = COVER_CHOICES,
) -> list[tuple[Member, Text]]:
    """Mentors with room who could cover, ranked like /match; nobody away."""
    away_ids = set(
        await session.scalars(select(MentorAway.mentor_id).where(MentorAway.ended_at.is_(None)))
    )
    ranked = await rank_mentors(session, mentee, default_capacity, now, top=1000)
    return [
        (c.mentor, join(c.reasons, "; "))
        for c in ranked
        if c.mentor.id != away_mentor.id and c.mentor.id not in away_ids
    ][:top]


async def _ask_for_cover(
    session: AsyncSession,
    *,
    cover: Cover,
    away: MentorAway,
    mentor: Member,
    mentee: Member,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    default_capacity: int,
    now: datetime,
    not_them: int | None = None,
) -> None:
    who = {
        "mentor": h(mentor.pseudonym),
        "mentor_id": mentor.short_id,
        "mentee": h(mentee.pseudonym),
        "mentee_id": mentee.short_id,
        "until": away.until.strftime("%Y-%m-%d"),
    }
    candidates = [
        (m, reasons)
        for m, reasons in await _candidates(
            session, mentee, mentor, default_capacity, now, top=COVER_CHOICES + 1
        )
        if m.id != not_them
    ][:COVER_CHOICES]
    if not candidates:
        text = t(texts.COVER_CARD_NONE, **who)
        buttons: list[list[Button]] | None = None
    else:
        lines = [
            t(
                texts.COVER_CARD_LINE,
                rank=rank,
                cover=h(m.pseudonym),
                cover_id=m.short_id,
                reasons=reasons,
            )
            for rank, (m, reasons) in enumerate(candidates, start=1)
        ]
        text = t(texts.COVER_CARD, lines=join(lines, "\n"), **who)
        buttons = [
            [(t(texts.COVER_BUTTON, cover=m.pseudonym), f"cw:{cover.id}:{m.id}")]
            for m, _ in candidates
        ]
    await tell_staff(
        session,
        about=mentor,
        text=text,
        buttons=buttons,
        staff_chat_id=staff_chat_id,
        forum_chat_id=forum_chat_id,
        now=now,
    )


async def choose_cover(
    session: AsyncSession,
    *,
    coordinator: int,
    cover_id: int,
    cover_mentor_id: int,
    chat_id: int,
    message_id: int,
    default_capacity: int,
    now: datetime,
) -> Text:
    """A coordinator pressed "Cover: X": X covers the pairing until the mentor is back.
    Everything is checked again here (the button may be old, or forged). Returns a toast."""
    cover = await session.get(Cover, cover_id)
    if cover is None:
        return t(texts.STALE_BUTTON)
    away = await session.get(MentorAway, cover.away_id)
    pairing = await session.get(Pairing, cover.pairing_id)
    if away is None or pairing is None:
        return t(texts.STALE_BUTTON)
    if cover.ended_at is not None or away.ended_at is not None or pairing.ended_at is not None:
        return t(texts.COVER_ENDED_BUTTON)
    if cover.cover_mentor_id is not None:
        return t(texts.COVER_ALREADY_CHOSEN)
    chosen = await session.get(Member, cover_mentor_id)
    mentor = await session.get(Member, pairing.mentor_id)
    mentee = await session.get(Member, pairing.mentee_id)
    assert mentor is not None and mentee is not None
    if (
        chosen is None
        or chosen.role != "mentor"
        or chosen.erased_at is not None
        or not chosen.reachable
        or chosen.id == mentor.id
        or await open_away_of(session, chosen.id) is not None
    ):
        return t(texts.COVER_NOT_POSSIBLE)
    cover.cover_mentor_id, cover.chosen_by, cover.chosen_at = chosen.id, coordinator, now
    log.info("cover chosen cover=%s pairing=%s", cover.id, pairing.id)
    await notify_member(
        session,
        mentee,
        t(
            texts.COVER_MENTEE_TOLD,
            mentor=h(mentor.pseudonym),
            cover=h(chosen.pseudonym),
            until=_day(away.until, mentee.timezone),
        ),
        now=now,
    )
    await notify_member(
        session,
        chosen,
        t(
            texts.COVER_MENTOR_TOLD,
            mentee=h(mentee.pseudonym),
            mentee_id=mentee.short_id,
            mentor=h(mentor.pseudonym),
            until=_day(away.until, chosen.timezone),
        ),
        now=now,
    )
    await notify_member(
        session,
        mentor,
        t(texts.COVER_AWAY_MENTOR_TOLD, cover=h(chosen.pseudonym), mentee=h(mentee.pseudonym)),
        now=now,
    )
    await edit_text(
        session,
        chat_id,
        message_id,
        t(
            texts.COVER_CHOSEN_CARD,
            cover=h(chosen.pseudonym),
            mentee=h(mentee.pseudonym),
            until=away.until.strftime("%Y-%m-%d"),
        ),
        now=now,
    )
    return t(texts.COVER_CHOSEN_TOAST, cover=chosen.pseudonym, mentee=mentee.pseudonym)


async def end_away(
    session: AsyncSession,
    *,
    away: MentorAway,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
) -> None:
    """The mentor is back (their time is up, or /away off): every cover ends, the mentees
    and the cover mentors are told, and copies still waiting for a cover mentor go to the
    mentor instead."""
    away.ended_at = now
    mentor = await session.get(Member, away.mentor_id)
    assert mentor is not None
    covers = (
        await session.scalars(
            select(Cover).where(Cover.away_id == away.id, Cover.ended_at.is_(None))
        )
    ).all()
    for cover in covers:
        await end_cover(session, cover=cover, now=now)
    if mentor.erased_at is None:
        await notify_member(session, mentor, t(texts.AWAY_BACK), now=now)
        if any(c.cover_mentor_id is not None for c in covers):
            await tell_staff(
                session,
                about=mentor,
                text=t(
                    texts.COVER_ENDED_STAFF, mentor=h(mentor.pseudonym), mentor_id=mentor.short_id
                ),
                staff_chat_id=staff_chat_id,
                forum_chat_id=forum_chat_id,
                now=now,
            )
    log.info("away ended away=%s covers=%s", away.id, len(covers))


async def end_cover(
    session: AsyncSession, *, cover: Cover, now: datetime, mentor_back: bool = True
) -> None:
    """One cover ends: what waits for the cover mentor goes to the mentor; with
    `mentor_back`, the mentee and the cover mentor are told the mentor is back."""
    cover.ended_at = now
    pairing = await session.get(Pairing, cover.pairing_id)
    if cover.cover_mentor_id is None or pairing is None or pairing.ended_at is not None:
        return
    mentee = await session.get(Member, pairing.mentee_id)
    mentor = await session.get(Member, pairing.mentor_id)
    covering = await session.get(Member, cover.cover_mentor_id)
    assert mentee is not None and mentor is not None and covering is not None
    await _send_waiting_copies_to_mentor(
        session, pairing=pairing, mentee=mentee, mentor=mentor, covering=covering, now=now
    )
    if not mentor_back:
        return
    await notify_member(
        session, mentee, t(texts.COVER_ENDED_MENTEE, mentor=h(mentor.pseudonym)), now=now
    )
    await notify_member(
        session,
        covering,
        t(texts.COVER_ENDED_COVER, mentee=h(mentee.pseudonym), mentor=h(mentor.pseudonym)),
        now=now,
    )


async def _send_waiting_copies_to_mentor(
    session: AsyncSession,
    *,
    pairing: Pairing,
    mentee: Member,
    mentor: Member,
    covering: Member,
    now: datetime,
) -> None:
    """A mentee's messages still queued for the cover mentor when the cover ends go to the
    mentor instead, in order. (One already being sent may still reach the cover mentor.)"""
    waiting = (
        await session.execute(
            select(OutboxMessage.id, RelayedMessage)
            .join(RelayedMessage, RelayedMessage.id == OutboxMessage.relay_id)
            .where(
                RelayedMessage.pairing_id == pairing.id,
                RelayedMessage.dest_chat_key == lookup(covering.chat_id),
                OutboxMessage.status == "pending",
            )
            .order_by(OutboxMessage.id)
        )
    ).all()
    for row_id, record in waiting:
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id == row_id))
        message = Incoming(
            chat_id=record.source_chat_id,
            message_id=record.source_message_id,
            is_text=record.is_text,
        )
        await session.delete(record)
        await copy_between(session, pairing, mentee, mentor, message, now)


async def end_due_aways(
    session: AsyncSession,
    *,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
) -> int:
    """Mentors whose time away is up are back (the recurring job)."""
    due = (
        await session.scalars(
            select(MentorAway).where(MentorAway.ended_at.is_(None), MentorAway.until <= now)
        )
    ).all()
    for away in due:
        await end_away(
            session,
            away=away,
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            now=now,
        )
    return len(due)


async def end_covers_of_erased(
    session: AsyncSession,
    *,
    member: Member,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    default_capacity: int,
    now: datetime,
) -> None:
    """An erased mentor covers nobody and is away no more (their pairings end with them).
    A mentee they covered for is told, and staff are asked for a new cover while the
    mentor is still away: nobody is left writing to someone who no longer reads."""
    covers = (
        await session.scalars(
            select(Cover).where(Cover.cover_mentor_id == member.id, Cover.ended_at.is_(None))
        )
    ).all()
    for cover in covers:
        await end_cover(session, cover=cover, now=now, mentor_back=False)
        await _cover_again(
            session,
            cover=cover,
            gone=member,
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            default_capacity=default_capacity,
            now=now,
        )
    away = await open_away_of(session, member.id)
    if away is not None:
        away.ended_at = now
        for cover in (
            await session.scalars(
                select(Cover).where(Cover.away_id == away.id, Cover.ended_at.is_(None))
            )
        ).all():
            cover.ended_at = now


async def _cover_again(
    session: AsyncSession,
    *,
    cover: Cover,
    gone: Member,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    default_capacity: int,
    now: datetime,
) -> None:
    """The cover mentor left while the mentor is still away: the mentee is told where their
    words go now, and staff choose again (never the one who left)."""
    away = await session.get(MentorAway, cover.away_id)
    pairing = await session.get(Pairing, cover.pairing_id)
    if away is None or away.ended_at is not None or pairing is None or pairing.ended_at:
        return
    mentor = await session.get(Member, pairing.mentor_id)
    mentee = await session.get(Member, pairing.mentee_id)
    if mentor is None or mentee is None or mentee.erased_at is not None:
        return
    await notify_member(
        session,
        mentee,
        t(texts.COVER_LEFT_MENTEE, cover=h(gone.pseudonym), mentor=h(mentor.pseudonym)),
        now=now,
    )
    # One cover per pairing and time away: it waits for a choice again, as when it began.
    cover.ended_at = cover.cover_mentor_id = cover.chosen_by = cover.chosen_at = None
    await session.flush()
    await _ask_for_cover(
        session,
        cover=cover,
        away=away,
        mentor=mentor,
        mentee=mentee,
        staff_chat_id=staff_chat_id,
        forum_chat_id=forum_chat_id,
        default_capacity=default_capacity,
        now=now,
        not_them=gone.id,
    )


# ---- /newmentor ----------------------------------------------------------------------------


async def ask_new_mentor(
    session: AsyncSession, *, mentee: Member, text: str, now: datetime
) -> tuple[Text, list[list[Button]] | None]:
    """`/newmentor [words]`: which kind of request, with buttons. The words wait, encrypted,
    for the press. Nothing goes to the mentor."""
    if await active_pairing_of_mentee(session, mentee.id) is None:
        return t(texts.NEWMENTOR_NO_MENTOR), None
    request = MentorChangeRequest(mentee_id=mentee.id, text=text.strip() or None, created_at=now)
    session.add(request)
    await session.flush()
    return t(texts.NEWMENTOR_ASK), [
        [(t(texts.NEWMENTOR_DIFFERENT), f"nm:{request.id}:different")],
        [(t(texts.NEWMENTOR_CONCERN), f"nm:{request.id}:concern")],
    ]


async def send_new_mentor(
    session: AsyncSession,
    *,
    mentee: Member,
    request_id: int,
    kind: str,
    chat_id: int,
    message_id: int,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
) -> Text:
    """The mentee chose: the request goes to the staff (the mentee's topic), never the
    mentor. Returns the toast."""
    request = await session.get(MentorChangeRequest, request_id)
    if request is None or request.mentee_id != mentee.id:
        return t(texts.NOT_YOUR_BUTTON)
    if request.sent_at is not None or kind not in NEWMENTOR_KINDS:
        return t(texts.STALE_BUTTON)
    pairing = await active_pairing_of_mentee(session, mentee.id)
    mentor = None if pairing is None else await session.get(Member, pairing.mentor_id)
    if mentor is None:
        return t(texts.NEWMENTOR_NO_MENTOR)
    template = (
        texts.NEWMENTOR_FOR_STAFF_DIFFERENT
        if kind == "different"
        else texts.NEWMENTOR_FOR_STAFF_CONCERN
    )
    parts: list[Text] = [
        t(
            template,
            mentee=h(mentee.pseudonym),
            mentee_id=mentee.short_id,
            mentor=h(mentor.pseudonym),
            mentor_id=mentor.short_id,
        )
    ]
    if request.text:
        parts.append(t(texts.NEWMENTOR_FOR_STAFF_WORDS, text=h(request.text)))
    parts.append(t(texts.NEWMENTOR_FOR_STAFF_HINT, mentee_id=mentee.short_id))
    parts.append(t(texts.REDISCLOSURE))
    await tell_staff(
        session,
        about=mentee,
        text=join(parts, "\n\n"),
        staff_chat_id=staff_chat_id,
        forum_chat_id=forum_chat_id,
        now=now,
    )
    request.kind, request.sent_at, request.text = kind, now, None  # the words live in Telegram
    log.info("mentor change request=%s sent to staff", request.id)
    await edit_text(session, chat_id, message_id, t(texts.NEWMENTOR_SENT), now=now)
    return t(texts.NEWMENTOR_SENT)


# ---- idle pairings ---------------------------------------------------------------------------


async def prompt_idle_pairings(
    session: AsyncSession,
    *,
    idle_days: int,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    now: datetime,
    limit: int = 100,
) -> int:
    """Pairings with no message for `idle_days`: the mentor (their cover while away) and the
    staff are told, once per quiet stretch (a message since the last prompt starts a new one).
    Judged from routing records, kept RETENTION_DAYS."""
    cutoff = now - timedelta(days=idle_days)
    last = (
        select(func.max(RelayedMessage.created_at))
        .where(RelayedMessage.pairing_id == Pairing.id)
        .scalar_subquery()
    )
    active_since = func.coalesce(last, Pairing.created_at)
    pairings = (
        await session.scalars(
            select(Pairing)
            .where(
                Pairing.ended_at.is_(None),
                Pairing.created_at <= cutoff,
                (last.is_(None)) | (last <= cutoff),
                Pairing.idle_prompted_at.is_(None) | (Pairing.idle_prompted_at < active_since),
            )
            .order_by(Pairing.id)
            .limit(limit)
        )
    ).all()
    for pairing in pairings:
        pairing.idle_prompted_at = now
        mentee = await session.get(Member, pairing.mentee_id)
        mentor = await session.get(Member, pairing.mentor_id)
        assert mentee is not None and mentor is not None
        acting = mentor
        cover = await session.scalar(
            select(Cover).where(
                Cover.pairing_id == pairing.id,
                Cover.ended_at.is_(None),
                Cover.cover_mentor_id.is_not(None),
            )
        )
        if cover is not None and cover.cover_mentor_id is not None:
            acting = await session.get(Member, cover.cover_mentor_id) or mentor
        await notify_member(
            session,
            acting,
            t(texts.IDLE_MENTOR, mentee=h(mentee.pseudonym), days=idle_days),
            now=now,
        )
        await tell_staff(
            session,
            about=mentee,
            text=t(
                texts.IDLE_STAFF,
                mentee=h(mentee.pseudonym),
                mentee_id=mentee.short_id,
                mentor=h(acting.pseudonym),
                mentor_id=acting.short_id,
                days=idle_days,
            ),
            staff_chat_id=staff_chat_id,
            forum_chat_id=forum_chat_id,
            now=now,
        )
        log.info("idle pairing=%s prompted", pairing.id)
    return len(pairings)


# ---- graduation ------------------------------------------------------------------------------


async def graduate(session: AsyncSession, *, ref: str, crisis_line: str, now: datetime) -> Text:
    """`/graduate <mentee>`: the program is complete. The pairing ends with a message to
    both, check-ins and prompts stop; the mentee keeps /mydata and /progress."""
    if not ref.strip():
        return t(texts.GRADUATE_USAGE)
    mentee = await find_member(session, ref)
    if mentee is None:
        return t(texts.MEMBER_NOT_FOUND, ref=h(ref))
    if mentee.role != "mentee":
        return t(texts.NOT_A_MENTEE, pseudonym=h(mentee.pseudonym), short_id=mentee.short_id)
    if mentee.graduated_at is not None:
        return t(texts.GRADUATE_ALREADY, mentee=h(mentee.pseudonym), mentee_id=mentee.short_id)
    mentee.graduated_at = now
    pairing = await active_pairing_of_mentee(session, mentee.id)
    mentor = None if pairing is None else await session.get(Member, pairing.mentor_id)
    if pairing is not None and mentor is not None:
        pairing.ended_at = now
        told = [mentor]
        for cover in (
            await session.scalars(
                select(Cover).where(Cover.pairing_id == pairing.id, Cover.ended_at.is_(None))
            )
        ).all():
            cover.ended_at = now
            if cover.cover_mentor_id is not None:
                covering = await session.get(Member, cover.cover_mentor_id)
                if covering is not None:
                    told.append(covering)
        for who in told:
            await notify_member(
                session, who, t(texts.GRADUATED_MENTOR, mentee=h(mentee.pseudonym)), now=now
            )
        await notify_member(
            session,
            mentee,
            t(texts.GRADUATED_MENTEE, mentor=h(mentor.pseudonym), crisis_line=h(crisis_line)),
            now=now,
        )
    else:
        await notify_member(
            session,
            mentee,
            t(texts.GRADUATED_MENTEE_NO_MENTOR, crisis_line=h(crisis_line)),
            now=now,
        )
    for held in (
        await session.scalars(
            select(HeldMessage).where(
                HeldMessage.member_id == mentee.id, HeldMessage.status == "held"
            )
        )
    ).all():
        held.status = "cancelled"
    log.info("graduated member=%s", mentee.short_id)
    return t(texts.GRADUATED_COORDINATOR, mentee=h(mentee.pseudonym), mentee_id=mentee.short_id)
