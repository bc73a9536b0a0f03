"""Relay and assessment rules on a real database: what is queued, for whom, and which
escalations are opened (the e2e tests prove the wiring)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import relay
from bot.services.escalation import EscalationPolicy
from storage.db import transaction
from storage.models import Escalation, Member, Pairing, RelayedMessage
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for

STAFF = -100500
DANGER = "i cant do this anymore, tonight im going to end it all"
POLICY = EscalationPolicy(
    coordinator_chat_id=STAFF,
    ack_interval=timedelta(minutes=5),
    fallback_chat_id=None,
    crisis={"en": "Call 988"},
)


async def _setup(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> tuple[int, int, int, int, int]:
    """Alex mentors Sam and Jo; Sam's message has been relayed to Alex as copy 77."""
    now = clock.now()
    async with transaction(session_factory) as s:
        alex = make_mentor(s, pseudonym="Alex", now=now)
        sam = make_mentee(s, pseudonym="Sam", now=now)
        jo = make_mentee(s, pseudonym="Jo", now=now)
        await s.flush()
        with_sam = Pairing(mentee_id=sam.id, mentor_id=alex.id, created_at=now)
        s.add_all([with_sam, Pairing(mentee_id=jo.id, mentor_id=alex.id, created_at=now)])
        await s.flush()
        await relay.copy_between(
            s, with_sam, sam, alex, relay.Incoming(chat_id=sam.chat_id, message_id=5), now
        )
        record = await s.scalar(select(RelayedMessage))
        assert record is not None
        record.dest_message_id = 77  # as the delivery worker records it
        return alex.id, sam.id, jo.id, with_sam.id, alex.chat_id


async def _relay(
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    member_id: int,
    message: relay.Incoming,
) -> relay.RelayResult:
    async with transaction(session_factory) as s:
        sender = await s.get(Member, member_id)
        assert sender is not None
        return await relay.relay_message(
            s, sender=sender, message=message, now=clock.now(), escalations=POLICY
        )


async def test_a_reply_into_an_ended_pairing_queues_nothing_for_anyone(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    alex_id, sam_id, jo_id, pairing_id, alex_chat = await _setup(session_factory, clock)
    async with transaction(session_factory) as s:
        pairing = await s.get(Pairing, pairing_id)
        assert pairing is not None
        pairing.ended_at = clock.now()
    reply = relay.Incoming(chat_id=alex_chat, message_id=90, reply_to_message_id=77, text="hi")
    assert await _relay(session_factory, clock, alex_id, reply) is relay.RelayResult.REPLY_TO_ENDED
    async with session_factory() as s:
        jo, sam = await s.get(Member, jo_id), await s.get(Member, sam_id)
        assert jo is not None and sam is not None
        assert await outbox_for(s, jo.chat_id) == []
        assert [m["method"] for m in await outbox_for(s, sam.chat_id)] == []
        told = await outbox_for(s, alex_chat)
        assert "conversation that has ended" in str(told[-1]["text"])


async def test_a_reply_the_bot_cannot_place_is_asked_about_even_with_one_mentee(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    alex_id, _, jo_id, pairing_id, alex_chat = await _setup(session_factory, clock)
    async with transaction(session_factory) as s:
        pairing = await s.get(Pairing, pairing_id)
        assert pairing is not None
        pairing.ended_at = clock.now()  # only Jo is left
    unknown = relay.Incoming(chat_id=alex_chat, message_id=91, reply_to_message_id=12345)
    result = await _relay(session_factory, clock, alex_id, unknown)
    assert result is relay.RelayResult.ASKED_RECIPIENT
    plain = relay.Incoming(chat_id=alex_chat, message_id=92)
    assert await _relay(session_factory, clock, alex_id, plain) is relay.RelayResult.RELAYED
    async with session_factory() as s:
        jo = await s.get(Member, jo_id)
        assert jo is not None
        assert [m["message_id"] for m in await outbox_for(s, jo.chat_id)] == [92]


async def test_every_message_is_assessed_once_before_routing(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    alex_id, sam_id, _, _, alex_chat = await _setup(session_factory, clock)
    # A mentor's plain message with two mentees waits for "to whom?" and is assessed now.
    held = relay.Incoming(chat_id=alex_chat, message_id=93, text=DANGER)
    assert await _relay(session_factory, clock, alex_id, held) is relay.RelayResult.ASKED_RECIPIENT
    async with session_factory() as s:
        [opened] = (await s.scalars(select(Escalation))).all()
        assert (opened.writer_id, opened.mentor_id, opened.mentee_id) == (alex_id, alex_id, None)
        assert opened.source_message_id == 93 and opened.pairing_id is None
        sam = await s.get(Member, sam_id)
        assert sam is not None
        assert await outbox_for(s, sam.chat_id) == []  # nobody is told Sam wrote it


async def test_an_edit_of_an_escalated_message_adds_to_its_escalation(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    _, sam_id, _, _, _ = await _setup(session_factory, clock)
    async with transaction(session_factory) as s:
        sam = await s.get(Member, sam_id)
        assert sam is not None
        message = relay.Incoming(chat_id=sam.chat_id, message_id=6, text=DANGER)
        now = clock.now()
        await relay.relay_message(s, sender=sam, message=message, now=now, escalations=POLICY)
    for text in (DANGER + " tonight", "sorry, wrong chat, i'm fine"):
        async with transaction(session_factory) as s:
            sam = await s.get(Member, sam_id)
            assert sam is not None
            await relay.assess_edit(
                s,
                writer=sam,
                message=relay.Incoming(chat_id=sam.chat_id, message_id=6, text=text),
                escalations=POLICY,
                now=clock.now(),
            )
    async with session_factory() as s:
        assert len((await s.scalars(select(Escalation))).all()) == 1
        staff = [str(m.get("text")) for m in await outbox_for(s, STAFF)]
        # Staff see each later version, the retraction as much as the worse one.
        edits = [t for t in staff if "edited the flagged message" in t]
        assert len(edits) == 2 and "wrong chat" in edits[1]
