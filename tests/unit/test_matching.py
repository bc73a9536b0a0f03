"""Mentor scoring: language, clock distance (DST-aware), preferences and load."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.i18n import Text
from bot.services.matching import score_mentor, timezone_distance_hours
from storage.models import Member

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)
# Between the US (8 March) and EU (29 March) daylight-saving changes.
MID_MARCH = datetime(2026, 3, 15, 12, tzinfo=UTC)


def english(reasons: list[Text]) -> list[str]:
    return [reason.render("en") for reason in reasons]


def person(role: str, tz: str, language: str | None = "en", tags: str = "") -> Member:
    return Member(
        id=1,
        role=role,
        pseudonym="x",
        pseudonym_key="x",
        timezone=tz,
        language=language,
        tags=tags,
        telegram_user_id=1,
        chat_id=1,
    )


def test_timezone_distance_follows_daylight_saving() -> None:
    assert timezone_distance_hours("America/New_York", "Europe/London", WINTER) == 5
    assert timezone_distance_hours("America/New_York", "Europe/London", MID_MARCH) == 4
    assert timezone_distance_hours("Pacific/Auckland", "Pacific/Honolulu", WINTER) == 1
    assert timezone_distance_hours("Asia/Kolkata", "UTC", WINTER) == 5.5


def test_shared_language_beats_everything_else_being_equal() -> None:
    mentee = person("mentee", "Europe/Madrid", "es")
    same = score_mentor(mentee, person("mentor", "Europe/Madrid", "es"), 0, 3, WINTER)
    other = score_mentor(mentee, person("mentor", "Europe/Madrid", "en"), 0, 3, WINTER)
    assert same.score > other.score
    assert "speaks Español" in english(same.reasons)
    assert "different language" in english(other.reasons)


def test_nearer_clock_lighter_load_and_shared_tags_rank_higher() -> None:
    mentee = person("mentee", "America/New_York", tags="opioids,parenting")
    near = score_mentor(mentee, person("mentor", "America/Chicago"), 0, 3, WINTER)
    far = score_mentor(mentee, person("mentor", "Asia/Tokyo"), 0, 3, WINTER)
    busy = score_mentor(mentee, person("mentor", "America/Chicago"), 2, 3, WINTER)
    tagged = score_mentor(
        mentee, person("mentor", "America/Chicago", tags="opioids"), 0, 3, WINTER
    )
    assert near.score > far.score
    assert near.score > busy.score
    assert tagged.score > near.score
    assert "shares: Opioids" in english(tagged.reasons)
