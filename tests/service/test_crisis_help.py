"""The crisis help the person at risk receives, per kind of emergency, language and region, on a
real database: what is queued for them when an escalation opens (the e2e tests prove the
wiring from a message or /sos)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import load_settings
from bot.services import alarms
from bot.services.escalation import EscalationPolicy, open_for_mentee
from storage.db import transaction
from storage.models import Member, Pairing
from tests.helpers import FakeClock, make_mentee, make_mentor, outbox_for

STAFF = -100500

# (category, words of the alarm) -> the number that must be in the help, per region.
CASES = {
    "suicide_self_harm": (
        "i want to end it all",
        {"US": "988", "MX": "800 911 2000", "ES": "024"},
    ),
    "overdose_medical": (
        "he took too much, he is not breathing",
        {"US": "911", "MX": "911", "ES": "112"},
    ),
    "using_now_relapse": (
        "i am using right now",
        {"US": "1-800-662-4357", "MX": "800 911 2000", "ES": "112"},
    ),
    "harm_to_others_abuse": (
        "my partner hits me",
        {"US": "1-800-799-7233", "MX": "911", "ES": "016"},
    ),
    # Abuse that speaks of a child: the child-protection line.
    "child_safety": (
        "he hits my son every night",
        {"US": "1-800-422-4453", "MX": "911", "ES": "900 20 20 10"},
    ),
}
# A line each kind must NOT lead with in the US: someone whose partner is not breathing is not
# told about suicide lines first.
NOT_FIRST_US = {"overdose_medical": "988", "harm_to_others_abuse": "988", "child_safety": "988"}
NALOXONE = {"en": "naloxone", "es": "naloxona"}
MENTOR_LINE = {"en": "Your mentor", "es": "Tu mentor"}
STAFF_LINE = {"en": "program staff have been told", "es": "equipo del programa ya lo sabe"}


def _policy(region: str = "US") -> EscalationPolicy:
    settings = load_settings(
        coordinator_ids="1", coordinator_chat_id=str(STAFF), crisis_region=region, _env_file=None
    )
    return EscalationPolicy.from_settings(settings)


async def _help_received(
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    *,
    category: str,
    words: str,
    language: str,
    region: str = "US",
    with_mentor: bool = True,
) -> str:
    policy = _policy(region)
    async with transaction(session_factory) as s:
        mentee = make_mentee(s, language=language, now=clock.now())
        mentor = make_mentor(s, now=clock.now())
        await s.flush()
        if with_mentor:
            s.add(Pairing(mentee_id=mentee.id, mentor_id=mentor.id, created_at=clock.now()))
            await s.flush()
        real_category = "harm_to_others_abuse" if category == "child_safety" else category
        await open_for_mentee(
            s,
            policy=policy,
            mentee=mentee,
            raised_by="detected",
            category=real_category,
            flagged_text=words,
            writer=mentee,
            now=clock.now(),
        )
        sent = await outbox_for(s, mentee.chat_id)
    assert len(sent) == 1, sent
    return str(sent[0]["text"])


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("category", sorted(CASES))
async def test_the_writer_gets_the_line_for_their_kind_of_emergency(
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    category: str,
    language: str,
) -> None:
    words, numbers = CASES[category]
    text = await _help_received(
        session_factory, clock, category=category, words=words, language=language
    )
    assert numbers["US"] in text
    first_number_line = next(line for line in text.splitlines() if line.startswith("•"))
    if category in NOT_FIRST_US:
        assert NOT_FIRST_US[category] not in first_number_line, text
    assert numbers["US"] in first_number_line, text
    if category == "overdose_medical":
        assert NALOXONE[language] in text.casefold()
        assert ("side" if language == "en" else "de lado") in text  # the recovery position
    # The person's language: the Spanish help has no English line in it, and vice versa.
    assert ("Emergencias" in text) == (language == "es"), text
    assert MENTOR_LINE[language] in text


@pytest.mark.parametrize("region", ["MX", "ES"])
@pytest.mark.parametrize("category", sorted(CASES))
async def test_each_region_has_its_own_lines(
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    category: str,
    region: str,
) -> None:
    words, numbers = CASES[category]
    text = await _help_received(
        session_factory, clock, category=category, words=words, language="es", region=region
    )
    assert numbers[region] in text, text
    assert "988" not in text and "1-800" not in text


@pytest.mark.parametrize("language", ["en", "es"])
async def test_without_a_mentor_nobody_says_the_mentor_was_told(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock, language: str
) -> None:
    text = await _help_received(
        session_factory,
        clock,
        category="suicide_self_harm",
        words="i want to end it all",
        language=language,
        with_mentor=False,
    )
    assert "mentor" not in text.casefold()
    assert STAFF_LINE[language] in text


async def test_a_mentors_own_sos_never_speaks_of_their_mentor(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        mentor = make_mentor(s, now=clock.now())
        await s.flush()
        await alarms.sos(s, member=mentor, policy=_policy(), now=clock.now())
        sent = await outbox_for(s, mentor.chat_id)
    # The crisis help first; then, beside it, the offer of a short exercise (issue 16).
    assert len(sent) == 2 and "988" in str(sent[0]["text"])
    assert "mentor" not in str(sent[0]["text"]).casefold()
    assert "988" not in str(sent[1]["text"])


async def test_sos_with_overdose_words_gets_the_overdose_help(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with transaction(session_factory) as s:
        mentee = make_mentee(s, now=clock.now())
        await s.flush()
        member = await s.get(Member, mentee.id)
        assert member is not None
        await alarms.sos(
            s,
            member=member,
            policy=_policy(),
            now=clock.now(),
            typed="my friend overdosed and is not breathing",
        )
        sent = await outbox_for(s, mentee.chat_id)
    assert "naloxone" in str(sent[0]["text"]).casefold()
