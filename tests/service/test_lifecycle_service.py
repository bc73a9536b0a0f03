"""Covers on a real database: what is queued for whom when a cover ends, and which quotes a
copy may carry when the pairing spans three chats."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import lifecycle, relay
from storage.db import transaction
from storage.models import Cover, Member, MentorAway, Pairing, RelayedMessage
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for


async def _covered(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> tuple[int, int, int, int]:
    """Alex mentors Sam and is away; Robin covers. Returns (sam, alex, robin, away) ids."""
    now = clock.now()
    async with transaction(session_factory) as s:
        alex = make_mentor(s, pseudonym="Alex", now=now)
        robin = make_mentor(s, pseudonym="Robin", now=now)
        sam = make_mentee(s, pseudonym="Sam", now=now)
        await s.flush()
        pairing = Pairing(mentee_id=sam.id, mentor_id=alex.id, created_at=now)
        away = MentorAway(mentor_id=alex.id, starts_at=now, until=now + timedelta(days=7))
        s.add_all([pairing, away])
        await s.flush()
        s.add(Cover(away_id=away.id, pairing_id=pairing.id, cover_mentor_id=robin.id))
        return sam.id, alex.id, robin.id, away.id


async def _members(s: AsyncSession, *ids: int) -> list[Member]:
    found = [await s.get(Member, i) for i in ids]
    assert all(m is not None for m in found)
    return [m for m in found if m is not None]


async def test_copies_still_waiting_for_the_cover_mentor_go_to_the_mentor_when_it_ends(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    sam_id, alex_id, robin_id, away_id = await _covered(session_factory, clock)
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        assert (
            await relay.relay_message(
                s,
                sender=sam,
                message=relay.Incoming(chat_id=sam.chat_id, message_id=42, is_text=True),
                now=clock.now(),
            )
            is relay.RelayResult.RELAYED
        )
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        assert [r["message_id"] for r in await outbox_for(s, robin.chat_id)] == [42]
        away = await s.get(MentorAway, away_id)
        assert away is not None
        await lifecycle.end_away(
            s, away=away, staff_chat_id=None, forum_chat_id=None, now=clock.now()
        )
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        to_robin = await outbox_for(s, robin.chat_id)
        to_alex = await outbox_for(s, alex.chat_id)
        assert [r for r in to_robin if r["method"] == "copyMessage"] == []
        assert [r["message_id"] for r in to_alex if r["method"] == "copyMessage"] == [42]


async def test_a_reply_under_a_cover_never_quotes_a_message_id_from_another_chat(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    sam_id, alex_id, robin_id, away_id = await _covered(session_factory, clock)
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        pairing = await s.get(Pairing, 1)
        assert pairing is not None
        # Before the cover: Alex's message 7 reached Sam as copy 70.
        await relay.copy_between(
            s, pairing, alex, sam, relay.Incoming(chat_id=alex.chat_id, message_id=7), clock.now()
        )
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        record = await s.scalar(select(RelayedMessage))
        assert record is not None
        record.dest_message_id = 70
        # Sam answers that copy while Robin covers: it goes to Robin, quoting nothing (7 is a
        # message id in Alex's chat, not Robin's).
        await relay.relay_message(
            s,
            sender=sam,
            message=relay.Incoming(chat_id=sam.chat_id, message_id=43, reply_to_message_id=70),
            now=clock.now(),
        )
    async with transaction(session_factory) as s:
        sam, alex, robin = await _members(s, sam_id, alex_id, robin_id)
        copies = [r for r in await outbox_for(s, robin.chat_id) if r["method"] == "copyMessage"]
        assert len(copies) == 1 and copies[0]["message_id"] == 43
        assert "reply_parameters" not in copies[0]
