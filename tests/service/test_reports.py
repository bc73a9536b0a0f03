"""The program's figures (/stats) on a seeded program whose every answer is known."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import reports
from storage.db import transaction
from storage.models import CheckIn, Concern, Escalation, Pairing, RelayedMessage
from tests.helpers import FakeClock, make_mentee, make_mentor


def _checkin(member_id: int, due: datetime, status: str) -> CheckIn:
    return CheckIn(
        member_id=member_id,
        due_at=due,
        status=status,
        awaiting_note=False,
        risk=False,
        created_at=due,
    )


def _escalation(
    mentee_id: int,
    category: str,
    opened: datetime,
    *,
    ack_min: float | None = None,
    resolve_min: float | None = None,
    outcome: str | None = None,
) -> Escalation:
    status = "resolved" if resolve_min is not None else "acknowledged" if ack_min else "open"
    return Escalation(
        mentee_id=mentee_id,
        raised_by="sos",
        category=category,
        severity="critical",
        status=status,
        received_at=opened,
        opened_at=opened,
        acknowledged_at=None if ack_min is None else opened + timedelta(minutes=ack_min),
        resolved_at=None if resolve_min is None else opened + timedelta(minutes=resolve_min),
        outcome_kind=outcome,
    )


def _relayed(pairing_id: int, direction: str, at: datetime) -> RelayedMessage:
    return RelayedMessage(
        pairing_id=pairing_id,
        direction=direction,
        source_chat_id=1,
        source_chat_key="s",
        source_message_id=1,
        dest_chat_id=2,
        dest_chat_key="d",
        dest_message_id=2,
        created_at=at,
    )


def _concern(mentee_id: int, at: datetime, status: str, *, answered: bool) -> Concern:
    return Concern(
        mentee_id=mentee_id,
        raised_by="detected",
        category="using_now_relapse",
        probability=0.5,
        status=status,
        created_at=at,
        answered_at=at + timedelta(minutes=3) if answered else None,
    )


async def test_stats_figures_match_a_seeded_program(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock.now()
    day = timedelta(days=1)
    async with transaction(session_factory) as s:
        a, b, c = (make_mentee(s, pseudonym=n, now=now - 60 * day) for n in ("A", "B", "C"))
        erased = make_mentee(s, pseudonym="Gone", now=now - 60 * day)
        erased.erased_at = now - 20 * day
        x = make_mentor(s, pseudonym="X", capacity=2, now=now - 60 * day)
        y = make_mentor(s, pseudonym="Y", capacity=3, now=now - 60 * day)
        make_mentor(s, pseudonym="Z", capacity=3, now=now - 60 * day)
        await s.flush()
        ax = Pairing(mentee_id=a.id, mentor_id=x.id, created_at=now - 50 * day)
        bx = Pairing(mentee_id=b.id, mentor_id=x.id, created_at=now - 50 * day)
        cy = Pairing(
            mentee_id=c.id, mentor_id=y.id, created_at=now - 50 * day, ended_at=now - 10 * day
        )
        s.add_all([ax, bx, cy])
        await s.flush()
        for days_ago, status in ((1, "answered"), (2, "answered"), (3, "missed"),
                                 (10, "answered"), (15, "answered"), (20, "missed"),
                                 (40, "answered")):  # fmt: skip
            s.add(_checkin(a.id, now - days_ago * day, status))
        s.add(_checkin(b.id, now - 1 * day, "sent"))
        # A wrote to their mentor this week; B only heard from theirs; C's pairing is over.
        s.add_all(
            [
                _relayed(ax.id, "to_mentor", now - 2 * day),
                _relayed(bx.id, "to_mentee", now - 1 * day),
                _relayed(cy.id, "to_mentor", now - 12 * day),
            ]
        )
        s.add_all(
            [
                _escalation(a.id, "suicide_self_harm", now - 5 * day, ack_min=2,
                            resolve_min=60, outcome="real_danger"),
                _escalation(b.id, "suicide_self_harm", now - 4 * day, ack_min=4,
                            resolve_min=120, outcome="false_alarm"),
                _escalation(a.id, "sos", now - 3 * day, ack_min=6, resolve_min=30),
                _escalation(c.id, "sos", now - 2 * day, ack_min=8),
                _escalation(b.id, "overdose_medical", now - 1 * day),
                # Older than 30 days: not counted.
                _escalation(a.id, "suicide_self_harm", now - 40 * day, ack_min=100,
                            resolve_min=500, outcome="real_danger"),
            ]
        )  # fmt: skip
        s.add_all(
            [
                _concern(a.id, now - 3 * day, "on_it", answered=True),
                _concern(a.id, now - 4 * day, "ok", answered=True),
                _concern(b.id, now - 5 * day, "escalated", answered=True),  # "needs staff now"
                _concern(b.id, now - 6 * day, "escalated", answered=False),  # climbed
                _concern(c.id, now - 7 * day, "open", answered=False),
                _concern(c.id, now - 31 * day, "escalated", answered=False),  # too old
            ]
        )

    async with session_factory() as s:
        stats = await reports.program_stats(s, now=now, default_capacity=3)

    assert (stats.mentees, stats.mentors, stats.pairings, stats.waiting_mentees) == (3, 3, 2, 1)
    assert (stats.mentors_full, stats.mentors_idle) == (1, 2)
    assert stats.adherence_7 == reports.Rate(2, 4)
    assert stats.adherence_30 == reports.Rate(4, 7)
    assert stats.engagement_7 == reports.Rate(1, 2)
    assert sorted(stats.escalations) == [
        ("overdose_medical", "open", 1),
        ("sos", "open", 1),
        ("sos", "unrecorded", 1),
        ("suicide_self_harm", "false_alarm", 1),
        ("suicide_self_harm", "real_danger", 1),
    ]
    # Acknowledged after 2, 4, 6 and 8 minutes; resolved after 30, 60 and 120.
    assert stats.to_acknowledge == reports.Durations(4, 300.0, 480.0)
    assert stats.to_resolve == reports.Durations(3, 3600.0, 7200.0)
    assert (stats.ladders_answered, stats.ladders_climbed) == (3, 1)

    text = reports.stats_text(stats).render("en")
    spanish = reports.stats_text(stats).render("es").splitlines()
    assert "Participantes: 3 mentoreados, 3 mentores; 2 parejas activas; 1 mentoreados " \
        "esperando mentor" in spanish
    for line in (
        "Members: 3 mentees, 3 mentors; 2 active pairings; 1 mentees waiting for a mentor",
        "Mentor load: 0.7 mentees per mentor; 1 mentors full, 2 with none",
        "Check-ins answered: last 7 days 2/4 (50%); last 30 days 4/7 (57%)",
        "Engagement: paired mentees who wrote to their mentor in the last 7 days 1/2 (50%)",
        "Escalations in the last 30 days: 5",
        "• suicide or self-harm: 1 false alarm, 1 real danger",
        "• SOS: the writer asked for help: 1 not resolved yet, 1 resolved, outcome not recorded",
        "• overdose or medical emergency: 1 not resolved yet",
        "Time to acknowledge: median 5 min, 90th percentile 8 min (4)",
        "Time to resolve: median 60 min, 90th percentile 2 h (3)",
        "Concerns in the last 30 days: 3 answered by mentors, 1 climbed to staff",
    ):
        assert line in text.splitlines(), (line, text)


def test_percentile_is_nearest_rank() -> None:
    assert reports.percentile([], 90) is None
    assert reports.percentile([5.0], 90) == 5.0
    assert reports.percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert reports.percentile([float(n) for n in range(1, 12)], 90) == 10.0
