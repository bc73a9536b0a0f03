"""Reports end to end: /stats, /stats chart, /export and the weekly digest on a program played
through the real bot, with a test clock."""

from __future__ import annotations

import csv
import io

import pytest

from emulator import BotApiEmulator, FakeUser
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock


@pytest.fixture
async def played(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    jo: FakeUser,
    coordinator: FakeUser,
) -> Program:
    """Monday 2 March 2026, 12:00 UTC. Sam (M-0001) is paired with Alex (M-0002); Jo (M-0003)
    waits for a mentor. Sam writes twice and Alex once, Sam answers one check-in, presses
    /sos; a coordinator acknowledges it after 3 minutes and resolves it (false alarm) after
    10."""
    await paired.join(jo, "mentee", "Jo")
    emu.user_sends(sam, "hi alex, good day today")
    await emu.wait_for_bot_message(alex.id, "good day")
    emu.user_sends(sam, "went to a meeting too")
    await emu.wait_for_bot_message(alex.id, "meeting")
    emu.user_sends(alex, "great to hear")
    await emu.wait_for_bot_message(sam.id, "great to hear")
    await paired.settle()
    prompt = await paired.scenario.say(sam, "/checkin")
    assert prompt is not None
    for label in ("🙂", "low", "no"):
        await paired.settle()
        current = emu.chats[sam.id].messages[prompt["message_id"]]
        await paired.scenario.press_label(sam, current, label)
    await paired.settle()
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(COORDINATOR_ID, "Escalation #1")
    await paired.settle()
    clock.advance(minutes=3)
    assert (await paired.scenario.press_label(coordinator, card, "Acknowledge")).startswith(
        "Acknowledged"
    )
    clock.advance(minutes=7)
    done = await paired.scenario.say(coordinator, "/resolve 1 spoke with them, all fine")
    assert done is not None and "resolved" in done["text"]
    await paired.scenario.press_label(coordinator, done, "False alarm")
    await paired.settle()
    return paired


async def test_stats_shows_the_programs_figures(played: Program, coordinator: FakeUser) -> None:
    reply = await played.scenario.say(coordinator, "/stats")
    assert reply is not None
    lines = reply["text"].splitlines()
    for line in (
        "Members: 2 mentees, 1 mentors; 1 active pairings; 1 mentees waiting for a mentor",
        "Mentor load: 1.0 mentees per mentor; 0 mentors full, 0 with none",
        "Check-ins answered: last 7 days 1/1 (100%); last 30 days 1/1 (100%)",
        "Engagement: paired mentees who wrote to their mentor in the last 7 days 1/1 (100%)",
        "Escalations in the last 30 days: 1",
        "• SOS: the writer asked for help: 1 false alarm",
        "Time to acknowledge: median 3 min, 90th percentile 3 min (1)",
        "Time to resolve: median 10 min, 90th percentile 10 min (1)",
        "Concerns in the last 30 days: 0 answered by mentors, 0 climbed to staff",
    ):
        assert line in lines, (line, lines)


async def test_export_is_a_csv_of_counts_per_member_and_week(
    played: Program,
    emu: BotApiEmulator,
    coordinator: FakeUser,
    sam: FakeUser,
    alex: FakeUser,
    jo: FakeUser,
) -> None:
    await played.scenario.say(coordinator, "/export", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(COORDINATOR_ID) if "document" in m), None),
        what="the CSV",
    )
    assert document["document"]["file_name"] == "program-2026-03-02.csv"
    assert "42 CFR Part 2" in document["caption"]
    data = emu.uploads[(COORDINATOR_ID, document["message_id"])].decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    assert list(rows[0]) == [
        "week_start",
        "member",
        "role",
        "paired",
        "checkins_due",
        "checkins_answered",
        "messages_written",
        "escalations",
        "concerns",
        "weekly_answers",
    ]
    # Everyone enrolled this week: one row each, for the week starting Monday 2 March.
    assert rows == [
        {
            "week_start": "2026-03-02",
            "member": "M-0001",
            "role": "mentee",
            "paired": "1",
            "checkins_due": "1",
            "checkins_answered": "1",
            "messages_written": "2",
            "escalations": "1",
            "concerns": "0",
            "weekly_answers": "",
        },
        {
            "week_start": "2026-03-02",
            "member": "M-0002",
            "role": "mentor",
            "paired": "1",
            "checkins_due": "",
            "checkins_answered": "",
            "messages_written": "1",
            "escalations": "0",
            "concerns": "",
            "weekly_answers": "0",
        },
        {
            "week_start": "2026-03-02",
            "member": "M-0003",
            "role": "mentee",
            "paired": "0",
            "checkins_due": "0",
            "checkins_answered": "0",
            "messages_written": "0",
            "escalations": "0",
            "concerns": "0",
            "weekly_answers": "",
        },
    ]
    # Pseudonymous: no names, Telegram ids, usernames or phone numbers, and no words written.
    for person in (sam, alex, jo):
        for secret in person.identity_strings():
            assert secret not in data, secret
    for words in ("Sam", "Alex", "Jo", "good day", "meeting", "all fine"):
        assert words not in data, words


async def test_stats_chart_arrives_as_a_photo(
    played: Program, emu: BotApiEmulator, coordinator: FakeUser
) -> None:
    await played.scenario.say(coordinator, "/stats chart", expect_reply=False)
    photo = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(COORDINATOR_ID) if "photo" in m), None),
        what="the chart",
    )
    assert "by week" in photo["caption"]
    png = emu.uploads[(COORDINATOR_ID, photo["message_id"])]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


async def test_weekly_digest_goes_to_the_coordinators_once_a_week(
    played: Program, emu: BotApiEmulator, clock: FakeClock
) -> None:
    def digests() -> list[dict[str, object]]:
        return [
            m for m in emu.bot_messages(COORDINATOR_ID) if "Weekly digest" in str(m.get("text"))
        ]

    # Monday 12:00 UTC: this week's digest (due at 09:00) has not gone yet.
    assert await played.runtime.run_weekly_digest() is True
    digest = await emu.wait_for(digests, what="the digest")
    assert "Escalations in the last 30 days: 1" in str(digest[0]["text"])
    assert await played.runtime.run_weekly_digest() is False
    clock.advance(days=6, hours=20)  # Monday 08:00: not yet
    assert await played.runtime.run_weekly_digest() is False
    clock.advance(hours=1)  # Monday 09:00
    assert await played.runtime.run_weekly_digest() is True
    await emu.wait_for(lambda: len(digests()) == 2, what="the second digest")
    await played.settle()
    assert len(digests()) == 2
