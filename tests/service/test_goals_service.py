"""Goal rules on a real database: who a goal goes to, and that goals end with their pairing
(the e2e tests in tests/e2e/test_goals.py prove the wiring)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.services import goals
from storage.db import transaction
from storage.models import CheckIn, Goal, Pairing
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for


async def test_a_mentor_with_two_mentees_names_the_one_a_goal_is_for(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        alex = make_mentor(s, pseudonym="Alex", now=now)
        sam = make_mentee(s, pseudonym="Sam", now=now)
        jo = make_mentee(s, pseudonym="Jo", now=now)
        await s.flush()
        s.add_all(
            [
                Pairing(mentee_id=sam.id, mentor_id=alex.id, created_at=now),
                Pairing(mentee_id=jo.id, mentor_id=alex.id, created_at=now),
            ]
        )
        await s.flush()
        unnamed = await goals.propose_goal(s, member=alex, raw="call a friend", now=now)
        named = await goals.propose_goal(s, member=alex, raw="jo call a friend", now=now)
        assert unnamed.render("en") == texts.GOALS_WHICH_MENTEE.format(pseudonym="Sam")
        assert named.render("en") == texts.GOAL_PROPOSAL_SENT.format(pseudonym="Jo")
        assert await outbox_for(s, sam.chat_id) == []
        [proposal] = await outbox_for(s, jo.chat_id)
        assert "call a friend" in str(proposal["text"]) and "jo call" not in str(proposal["text"])


async def test_goals_end_with_their_pairing(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    async with transaction(session_factory) as s:
        alex = make_mentor(s, pseudonym="Alex", now=now)
        kim = make_mentor(s, pseudonym="Kim", now=now)
        sam = make_mentee(s, pseudonym="Sam", now=now)
        await s.flush()
        first = Pairing(mentee_id=sam.id, mentor_id=alex.id, created_at=now)
        s.add(first)
        await s.flush()
        for n in range(3):
            await goals.propose_goal(s, member=sam, raw=f"goal {n}", now=now)
        for goal in (await s.scalars(select(Goal))).all():
            goal.status, goal.answered_at, goal.ends_at = "accepted", now, now + goals.GOAL_WEEK
        checkin = CheckIn(
            member_id=sam.id, due_at=now, status="answered", awaiting_note=False, created_at=now
        )
        s.add(checkin)
        await s.flush()
        assert len(await goals.goals_to_ask(s, checkin, now)) == 3
        full = await goals.propose_goal(s, member=sam, raw="one more", now=now)
        assert full.render("en") == texts.GOALS_FULL.format(limit=3)
        first.ended_at = now  # unpaired
        assert await goals.goals_to_ask(s, checkin, now) == []
        unpaired = await goals.propose_goal(s, member=sam, raw="x", now=now)
        assert unpaired.render("en") == texts.GOALS_NO_MENTOR
        s.add(Pairing(mentee_id=sam.id, mentor_id=kim.id, created_at=now))
        await s.flush()
        # A new pairing starts with room for its own goals.
        sent = await goals.propose_goal(s, member=sam, raw="meet Kim", now=now)
        assert sent.render("en") == texts.GOAL_PROPOSAL_SENT.format(pseudonym="Kim")
