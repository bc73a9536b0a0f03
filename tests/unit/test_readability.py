"""Plain language: every text a mentee or mentor reads is measured with textstat, Flesch-Kincaid
grade for English (at most 6) and Fernández-Huerta for Spanish (at least 70, "easy"), from the
catalogs in bot/locales/es when they are there. Texts only staff read, and a short list of
exceptions, are left out; so are labels too short for a reading formula to mean anything."""

from __future__ import annotations

import json
import re
from pathlib import Path

import textstat
from babel.messages.pofile import read_po

from bot import texts
from bot.crisis import CATEGORIES, CrisisDirectory
from bot.services.escalation import DEFAULT_CRISIS_FILE

MAX_GRADE = 6.0
MIN_FERNANDEZ_HUERTA = 70.0
# Below this many words (a button, a label, one short line) the formulas measure noise.
MIN_WORDS = 8

# Read only by program staff (coordinators): where they are used says so.
STAFF_ONLY = frozenset(
    {
        "HELP_COORDINATOR",
        "INVITE_USAGE",
        "INVITE_CREATED",
        "PAIR_USAGE",
        "UNPAIR_USAGE",
        "MATCH_USAGE",
        "MEMBER_NOT_FOUND",
        "MEMBER_AMBIGUOUS",
        "NOT_A_MENTEE",
        "NOT_A_MENTOR",
        "ALREADY_PAIRED",
        "MENTOR_FULL",
        "PAIRED_COORDINATOR",
        "NEW_MEMBER_FOR_COORDINATORS",
        "NEW_MENTEE_HINT",
        "NOT_PAIRED",
        "UNPAIRED_COORDINATOR",
        "PAIRS_NONE",
        "PAIRS_HEADER",
        "PAIRS_LINE",
        "MEMBERS_NONE",
        "MEMBERS_HEADER",
        "MEMBER_LINE_MENTEE",
        "MEMBER_LINE_MENTOR",
        "MENTEE_STATUS_PAIRED",
        "MENTEE_STATUS_WAITING",
        "MENTEE_STATUS_HELD",
        "UNREACHABLE_SUFFIX",
        "MATCH_NONE",
        "MATCH_HEADER",
        "MATCH_LINE",
        "MATCH_BUTTON",
        "REASON_LANGUAGE",
        "REASON_NO_LANGUAGE",
        "REASON_TZ_SAME",
        "REASON_TZ_DIFF",
        "REASON_LOAD",
        "REASON_TAGS",
        "NOT_ALLOWED",
        "UNREACHABLE_FOR_COORDINATORS",
        "REACHABLE_AGAIN_FOR_COORDINATORS",
        "HEALTH_HEADER",
        "HEALTH_OUTBOX",
        "HEALTH_DEAD",
        "HEALTH_DEAD_LINE",
        "HEALTH_UNREACHABLE",
        "HEALTH_INBOX",
        "MISSED_ALERT_FOR_COORDINATORS",
        "REDISCLOSURE",
        "ESCALATION_CARD",
        "ESCALATION_REMINDER",
        "ESCALATION_EDITED",
        "ESCALATION_FLAGGED",
        "ESCALATION_CONTEXT",
        "ESCALATION_ACK",
        "ESCALATION_RESOLVE",
        "ESCALATION_ACKED",
        "ESCALATION_ACKED_ALREADY",
        "ESCALATION_MESSAGE",
        "ASK_OUTCOME",
        "ASK_STAFF_MESSAGE",
        "STAFF_MESSAGE_SENT",
        "ACTION_TOAST",
        "ACTION_CANCELLED",
        "NOTHING_TO_CANCEL",
        "ESCALATION_NO_MENTEE",
        "ESCALATION_WRITER",
        "STAFF_MESSAGE_NOT_SENT",
        "STAFF_NO_LONGER_COORDINATOR",
        "ESCALATION_RESOLVED",
        "ESCALATION_ALREADY_RESOLVED",
        "ESCALATION_NOT_FOUND",
        "RESOLVE_USAGE",
        "ESCALATION_USAGE",
        "ESCALATIONS_NONE",
        "ESCALATIONS_HEADER",
        "ESCALATIONS_LINE",
        "ESCALATION_TRAIL_HEADER",
        "ESCALATION_TRAIL_LINE",
        "SEVERITY_NAMES",
        "CATEGORY_NAMES",
        "RAISED_BY",
        "ERASE_USAGE",
        "ERASED_FOR_COORDINATOR",
        "COORDINATORS_USAGE",
        "COORDINATORS_HEADER",
        "COORDINATOR_LINE",
        "COORDINATOR_FROM_SETTINGS",
        "COORDINATOR_ADDED_BY",
        "COORDINATOR_CHANGES_HEADER",
        "COORDINATOR_CHANGE_LINE",
        "COORDINATOR_ADDED",
        "COORDINATOR_ALREADY",
        "COORDINATOR_REMOVED",
        "COORDINATOR_NOT_FOUND",
        "COORDINATOR_CONFIGURED",
        "BUTTON_FOR_COORDINATORS",
        "INTAKE_REASONS",
        "INTAKE_BLOCKED_FOR_COORDINATORS",
        "INTAKE_RESUMED_FOR_COORDINATORS",
        "HEALTH_INTAKE_BLOCKED",
        "HEALTH_INTAKE_LAST_OUTAGE",
        "HEALTH_HANDLER_FAILURES",
        "BOT_ERRORS_FOR_COORDINATORS",
        "HEALTH_TOKEN_REJECTED",
        "HEALTH_STAFF_CHAT_BROKEN",
        "CARD_NOT_IN_CHAT",
        "MEMBER_ERASED",
        "CONCERN_WHY_NO_MENTOR",
        "CONCERN_WHY_UNREACHABLE",
        "CONCERN_WHY_QUIET_HOURS",
        "CONCERN_WHY_NO_ANSWER",
        "CONCERN_WHY_MENTOR_ASKED",
        "ESCALATION_AT_RISK",
        "ESCALATION_WHY",
        "ESCALATION_PROBABILITY",
        "ESCALATION_ALSO_SOS",
        "ESCALATION_ALSO_MESSAGE",
        "ASK_OUTCOME_KIND",
        "OUTCOME_KINDS",
        "OUTCOME_RECORDED",
        "OUTCOME_NOT_RESOLVED",
        # Issues 13 and 15: the operator's and the coordinator's desk.
        "ID_ANSWER",
        "INVITE_BULK_USAGE",
        "INVITE_TOO_MANY",
        "ROLE_PLURALS",
        "INVITES_CREATED",
        "INVITES_CSV_CAPTION",
        "INVITES_NONE",
        "INVITES_HEADER",
        "INVITES_LINE",
        "INVITE_REVOKE",
        "INVITES_PREVIOUS",
        "INVITES_NEXT",
        "INVITE_REVOKED_TOAST",
        "INVITE_NOT_OPEN",
        "COORDINATOR_GREETING_HINT",
        "HELP_COORDINATOR_EXTRA",
        "STATS_TITLE",
        "STATS_MEMBERS",
        "STATS_LOAD",
        "STATS_ADHERENCE",
        "STATS_ENGAGEMENT",
        "STATS_RATE",
        "STATS_ESCALATIONS",
        "STATS_CATEGORY",
        "STATS_TO_ACKNOWLEDGE",
        "STATS_TO_RESOLVE",
        "STATS_LADDERS",
        "STATS_USAGE",
        "STATS_CHART_TITLE",
        "STATS_CHART_CAPTION",
        "STATS_DIGEST_TITLE",
        "EXPORT_CAPTION",
        "WEEKLY_ANSWER_FOR_STAFF",
        "RAISED_BY_WEEKLY",
        "WEEKLY_WHY_WORRIED",
        "WEEKLY_WHY_SILENT",
        "TO_STAFF_MESSAGE_FOR_STAFF",
        "DESK_STAFF_NOTE",
        "DESK_RISKY_CHECKIN",
        "DESK_TEXT_ONLY",
        "DESK_REPLY_USAGE",
        "DESK_REPLY_NOBODY",
        "DESK_CLAIM",
        "DESK_TAKE_OVER",
        "DESK_CLAIMED_BY",
        "DESK_CLAIMED",
        "DESK_CLAIMED_ALREADY_YOURS",
        "DESK_CLAIMED_BY_OTHER",
        "DESK_ONCALL_NOW",
        "DESK_ONCALL_NOBODY",
        "DESK_ONCALL_SET",
        "DESK_ONCALL_USAGE",
        "DESK_ONCALL_NOT_COORDINATOR",
        "DESK_DAILY_SUMMARY",
        "DESK_DAILY_SUMMARY_LINE",
        "DESK_MEMBER_ERASED",
        "GRADUATE_USAGE",
        "STATS_MENTOR_CARE_TITLE",
        "STATS_COPING_TITLE",
        "STATS_COPING_LINE",
    }
)
# Member-facing texts allowed above the limit, each for a reason.
EXCEPTIONS = {
    # Legal weight: every fact about data must be there; kept in short lines and sections.
    "CONSENT": "the consent screen",
    "CONSENT_MENTOR": "the consent screen",
}


def _plain(text: str) -> str:
    """What a person reads: no HTML tags, placeholders as a short word, commands as words."""
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\{[a-z_]+\}", "Sam", text)
    return re.sub(r"/([a-z]+)", r"\1", text)


def _member_facing_english() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in dir(texts):
        value = getattr(texts, name)
        if not name.isupper() or name in STAFF_ONLY or name in EXCEPTIONS:
            continue
        if isinstance(value, str):
            found[name] = value
        elif isinstance(value, dict):
            found.update({f"{name}[{k}]": v for k, v in value.items() if isinstance(v, str)})
    return {k: v for k, v in found.items() if len(_plain(v).split()) >= MIN_WORDS}


def test_every_member_facing_english_text_reads_at_grade_six_or_below() -> None:
    textstat.set_lang("en_US")
    measured = _member_facing_english()
    assert len(measured) > 40  # the filter did not throw everything away
    too_hard = {
        name: grade
        for name, text in measured.items()
        if (grade := textstat.flesch_kincaid_grade(_plain(text))) > MAX_GRADE
    }
    assert too_hard == {}


def test_the_crisis_help_reads_easily_too() -> None:
    data = json.loads(DEFAULT_CRISIS_FILE.read_text(encoding="utf-8"))
    directory = CrisisDirectory.load(data, "US")
    textstat.set_lang("en_US")
    for category in CATEGORIES:
        intro = directory.text(category, "en", mentor_told=True).splitlines()[0]
        assert textstat.flesch_kincaid_grade(intro) <= MAX_GRADE, category


LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales" / "es" / "LC_MESSAGES"


def _spanish() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(LOCALES.glob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale="es")
        for message in catalog:
            if not message.id or not message.context:
                continue
            base = message.context.split("[")[0]
            if base in STAFF_ONLY or base in EXCEPTIONS:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for n, string in enumerate(strings):
                if string and len(_plain(string).split()) >= MIN_WORDS:
                    found[f"{message.context}#{n}"] = string
    return found


def test_every_member_facing_spanish_text_is_easy_to_read() -> None:
    textstat.set_lang("es")
    measured = _spanish()
    assert len(measured) >= 5  # at least this branch's sentences (care.po)
    too_hard = {
        name: score
        for name, text in measured.items()
        if (score := textstat.fernandez_huerta(_plain(text))) < MIN_FERNANDEZ_HUERTA
    }
    assert too_hard == {}


def test_the_spanish_keeps_every_placeholder_and_tag_of_the_english() -> None:
    def marks(text: str) -> list[str]:
        # A command starts a word ("mentor/a" is Spanish for "mentor or mentora", not one).
        return sorted(re.findall(r"\{[a-z_]+\}|</?[a-z]+>|(?<![\w<])/[a-z]+", text))

    for path in sorted(LOCALES.glob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale="es")
        for message in catalog:
            if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                assert marks(message.id) == marks(message.string), message.context
