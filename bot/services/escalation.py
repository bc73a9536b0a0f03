"""Escalations: someone may be in danger. Post a card to the coordinators, tell the writer
where to get help and the mentor what happened, and keep reminding until a coordinator
acknowledges. Every change is kept as an audit trail."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import ConfigError, Settings
from bot.crisis import GENERAL, CrisisDataError, CrisisDirectory, help_category
from bot.hours import ProgramHours
from bot.i18n import Text, Verbatim, join, t, t_item, t_known, t_plural
from bot.schedule import quiet_hours_of
from bot.services import wellbeing
from bot.services.desk import topic_for
from bot.services.languages import language_of_member
from bot.services.members import active_mentor_of, coordinator_ids, is_coordinator
from bot.services.outbox import (
    RESOLVE_THREAD_OF_MEMBER,
    Button,
    Priority,
    edit_text,
    enqueue,
    h,
    notify_member,
    send_text,
)
from storage.models import (
    CoordinatorAction,
    Escalation,
    EscalationCard,
    EscalationClaim,
    EscalationEvent,
    Member,
    OnCallShift,
    RelayedMessage,
)

DEFAULT_CRISIS_FILE = Path(__file__).resolve().parents[1] / "resources" / "crisis.json"
CONTEXT_MESSAGES = 5
FALLBACK_AFTER_ROUNDS = 3
FLAGGED_TEXT_LIMIT = 1500
MENTORS_NOTE = "Mentor's note: "  # how a /flag note follows the flagged message

Target = tuple[int, str]  # (chat id, who that is: texts.DISCLOSED_*)


@dataclass(frozen=True)
class EscalationPolicy:
    coordinator_chat_id: int | None
    ack_interval: timedelta
    fallback_chat_id: int | None
    # The crisis file's contents (bot/crisis.py); the region's help is taken from it.
    crisis: dict[str, Any]
    # The concern tier: how long a mentor has to answer, and the quiet hours assumed for a
    # mentor who set none (a mentor asleep is not asked; the coordinators are).
    concern_response: timedelta = timedelta(minutes=15)
    quiet_hours: tuple[time, time] = (time(22, 0), time(8, 0))
    # The staff chat, when Telegram says it is a forum (checked at start): a topic per person.
    forum_chat_id: int | None = None
    # When staff are at their desks (PROGRAM_HOURS); None: always.
    program_hours: ProgramHours | None = None
    crisis_region: str = "US"

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationPolicy:
        crisis = load_crisis_resources(settings)
        policy = cls(
            coordinator_chat_id=settings.coordinator_chat_id,
            ack_interval=timedelta(minutes=settings.escalation_ack_minutes),
            fallback_chat_id=settings.escalation_fallback_chat_id,
            crisis=crisis,
            concern_response=timedelta(minutes=settings.concern_response_minutes),
            quiet_hours=quiet_hours_of(settings.quiet_hours),
            program_hours=(
                ProgramHours.parse(settings.program_hours, settings.default_timezone)
                if settings.program_hours
                else None
            ),
            crisis_region=settings.crisis_region,
        )
        policy.crisis_directory  # noqa: B018  (a malformed file stops start-up, not an alarm)
        return policy

    @cached_property
    def crisis_directory(self) -> CrisisDirectory:
        return CrisisDirectory.load(self.crisis, self.crisis_region)

    def crisis_help(
        self, language: str | None, category: str = GENERAL, *, mentor_told: bool = False
    ) -> str:
        """The help that fits this kind of emergency (`bot.crisis.help_category`), in the
        person's language, saying truly who has been told."""
        return self.crisis_directory.text(category, language, mentor_told=mentor_told)

    def crisis_text(self, language: str | None) -> str:
        """The general help (staff told)."""
        return self.crisis_help(language)


def load_crisis_resources(settings: Settings) -> dict[str, Any]:
    """The crisis file, checked for the program's region (`bot.crisis`); ConfigError (one
    line naming CRISIS_RESOURCES_FILE, the file and what is wrong) when its help cannot be
    shown to someone in danger."""
    path = Path(settings.crisis_resources_file or DEFAULT_CRISIS_FILE)

    def refuse(problem: str) -> ConfigError:
        return ConfigError(
            f"CRISIS_RESOURCES_FILE: {path}: {problem}; it must be shaped like "
            'bot/resources/crisis.json (regions, or texts by language with at least "en")'
        )

    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise refuse("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise refuse(f"cannot be read ({type(exc).__name__})") from None
    try:
        crisis = json.loads(raw)
    except ValueError as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else "?"
        raise refuse(f"not valid JSON (line {line})") from None
    if not isinstance(crisis, dict):
        raise refuse("not a JSON object")
    if "regions" not in crisis and not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in crisis.items()
    ):
        raise refuse("not an object of non-empty texts by language, nor of regions")
    try:
        CrisisDirectory.load(crisis, settings.crisis_region)
    except CrisisDataError as exc:
        raise refuse(str(exc)) from None
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as exc:
        raise refuse(f"malformed ({type(exc).__name__}: {exc})") from None
    return crisis


def crisis_languages(crisis: dict[str, Any], region: str) -> list[str]:
    """The languages the crisis help is written in, for the program's region."""
    if "regions" not in crisis:
        return sorted(crisis)
    return list(crisis["regions"][region]["languages"])


async def open_escalation(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    raised_by: str,
    category: str,
    severity: str,
    mentee: Member | None,
    mentor: Member | None,
    pairing_id: int | None,
    flagged_text: str | None,
    writer: Member | None,
    now: datetime,
    source_message_id: int | None = None,
    subject: str | None = None,
    probability: float | None = None,
    evidence: str | None = None,
    why: str | None = None,
    crisis_to: Member | None = None,
    tell_mentor: bool = True,
    help_for: str | None = None,
) -> Escalation:
    """Open an escalation and send everything it needs, at the highest priority.

    `writer` is whose own words or action raised it: the card names them, and the mentor is
    told only when someone else (their mentee) wrote it. The crisis resources go to
    `crisis_to` (the person at risk), by default the writer (a mentor flagging a mentee's
    message gets none). `subject`: whether the words speak of the writer's own danger
    ("writer") or someone else's ("other"); `probability` and `evidence`: what the assessor
    made of them; `why`: how it came to the coordinators (a concern nobody answered...).
    `help_for`: which crisis help fits (`bot.crisis.help_category`), by default the category's.
    """
    escalation = Escalation(
        mentee_id=mentee.id if mentee else None,
        mentor_id=mentor.id if mentor else None,
        writer_id=writer.id if writer else None,
        source_message_id=source_message_id,
        subject=subject,
        probability=probability,
        evidence=evidence,
        raised_by=raised_by,
        category=category,
        severity=severity,
        flagged_text=flagged_text,
        pairing_id=pairing_id,
        status="open",
        received_at=now,
        opened_at=now,
        notify_round=0,
        # Every escalation is re-sent until a coordinator acknowledges it.
        next_notify_at=now + policy.ack_interval,
    )
    session.add(escalation)
    await session.flush()
    opened = texts.RAISED_BY.get(raised_by, raised_by)
    await _event(session, escalation, "opened", None, f"{opened}: {why}" if why else opened, now)
    await _post_card(
        session,
        escalation,
        await _first_targets(session, policy),
        mentee,
        mentor,
        now,
        reminder_round=0,
        fallback_chat_id=policy.fallback_chat_id,
        thread_of=await topic_for(
            session, forum_chat_id=policy.forum_chat_id, member=mentee or writer, now=now
        ),
    )
    someone_else_wrote = writer is None or mentor is None or writer.id != mentor.id
    mentor_told = (
        tell_mentor
        and mentor is not None
        and mentor.reachable
        and someone_else_wrote
        and raised_by in ("detected", "sos", "checkin")
    )
    helped = crisis_to or writer
    if helped is not None and raised_by != "flag":
        kind_of_help = help_for or help_category(category, flagged_text)
        sent = await notify_member(
            session,
            helped,
            Verbatim(
                h(
                    policy.crisis_help(
                        language_of_member(session, helped),
                        kind_of_help,
                        # Only a mentee hears about "your mentor", and only when it is true.
                        mentor_told=mentor_told and helped.role == "mentee",
                    )
                )
            ),
            now=now,
            priority=Priority.ESCALATION,
        )
        # The trail says what happened: nothing is queued for someone the bot cannot reach.
        kind = "crisis help sent" if sent else "crisis help not sent"
        detail = f"to the {helped.role}" if sent else f"the {helped.role} cannot be reached"
        await _event(session, escalation, kind, None, detail, now)
    if mentor_told:
        assert mentor is not None
        told = await notify_member(
            session,
            mentor,
            t(texts.MENTOR_TOLD_OF_ESCALATION, mentee=h(mentee.pseudonym if mentee else "")),
            now=now,
            priority=Priority.ESCALATION,
        )
        if told:
            await _event(session, escalation, "mentor told", None, None, now)
    return escalation


async def note_edit_on_open_escalation(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    writer: Member,
    source_message_id: int,
    text: str,
    now: datetime,
) -> bool:
    """The writer edited a message that already has an unresolved escalation: keep the new
    words in its trail and tell the staff, instead of opening a second one."""
    escalation = await session.scalar(
        select(Escalation)
        .where(
            Escalation.writer_id == writer.id,
            Escalation.source_message_id == source_message_id,
            Escalation.status != "resolved",
        )
        .order_by(Escalation.id.desc())
    )
    if escalation is None:
        return False
    # The card shows the words as they read now; the trail keeps what they replaced.
    previous, escalation.flagged_text = escalation.flagged_text, text
    await _event(session, escalation, "message edited", None, previous, now)
    await _repost_card(session, policy, escalation, t(texts.ESCALATION_EDITED), now)
    return True


# A risky message and a /sos from the same person this close together are one alarm.
ALARM_MERGE_WINDOW = timedelta(minutes=10)


async def recent_alarm_of(
    session: AsyncSession, *, writer: Member, raised_by: tuple[str, ...], now: datetime
) -> Escalation | None:
    """The writer's unresolved escalation of these kinds opened in the last few minutes."""
    return await session.scalar(
        select(Escalation)
        .where(
            Escalation.writer_id == writer.id,
            Escalation.raised_by.in_(raised_by),
            Escalation.status != "resolved",
            Escalation.opened_at >= now - ALARM_MERGE_WINDOW,
        )
        .order_by(Escalation.id.desc())
    )


async def add_to_alarm(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    escalation: Escalation,
    kind: str,
    text: str | None,
    prefix: Text | str,
    now: datetime,
) -> None:
    """More from the same person on an open alarm: into its trail and, with the card again,
    to the staff (critical now, whatever it was)."""
    if text and not escalation.flagged_text:
        escalation.flagged_text = text
    escalation.severity = "critical"
    await _event(session, escalation, kind, None, text, now)
    await _repost_card(session, policy, escalation, prefix, now)


async def _repost_card(
    session: AsyncSession,
    policy: EscalationPolicy,
    escalation: Escalation,
    prefix: Text | str,
    now: datetime,
) -> None:
    """The card again, as it reads now, headed by what changed (no context copies again)."""
    mentee = await session.get(Member, escalation.mentee_id) if escalation.mentee_id else None
    mentor = await session.get(Member, escalation.mentor_id) if escalation.mentor_id else None
    writer = await session.get(Member, escalation.writer_id) if escalation.writer_id else None
    await _post_card(
        session,
        escalation,
        await _first_targets(session, policy),
        mentee,
        mentor,
        now,
        reminder_round=0,
        fallback_chat_id=policy.fallback_chat_id,
        prefix=prefix,
        with_context=False,
        claimed=await session.get(EscalationClaim, escalation.id),
        thread_of=await topic_for(
            session, forum_chat_id=policy.forum_chat_id, member=mentee or writer, now=now
        ),
    )


async def _first_targets(session: AsyncSession, policy: EscalationPolicy) -> list[Target]:
    """Where a card goes first: the staff chat, or every coordinator privately."""
    if policy.coordinator_chat_id is not None:
        return [(policy.coordinator_chat_id, texts.DISCLOSED_STAFF_CHAT)]
    return [(c, texts.DISCLOSED_COORDINATOR) for c in await coordinator_ids(session)]


async def open_for_mentee(
    session: AsyncSession,
    *,
    policy: EscalationPolicy,
    mentee: Member,
    raised_by: str,
    category: str,
    flagged_text: str | None,
    writer: Member,
    now: datetime,
    source_message_id: int | None = None,
    help_for: str | None = None,
) -> Escalation:
    """Open a critical escalation about a mentee, with their current mentor and pairing."""
    current = await active_mentor_of(session, mentee.id)
    return await open_escalation(
        session,
        policy=policy,
        raised_by=raised_by,
        category=category,
        severity="critical",
        mentee=mentee,
        mentor=current[1] if current else None,
        pairing_id=current[0].id if current else None,
        flagged_text=flagged_text,
        writer=writer,
        now=now,
        source_message_id=source_message_id,
        help_for=help_for,
    )


async def _post_card(
    session: AsyncSession,
    escalation: Escalation,
    targets: list[Target],
    mentee: Member | None,
    mentor: Member | None,
    now: datetime,
    reminder_round: int,
    fallback_chat_id: int | None = None,
    prefix: Text | str = "",
    with_context: bool = True,
    thread_of: int | None = None,
    claimed: EscalationClaim | None = None,
) -> None:
    """Queue the card and its context for each target (in the staff forum, in the topic of
    the member `thread_of`). It counts as "notified" only when
    Telegram accepted it: the delivery worker reports back (`card_delivered`,
    `card_undeliverable`). `fallback_chat_id`: where the card also goes, with every
    coordinator privately, if the staff chat turns out to be broken."""
    context = await _context(session, escalation.pairing_id) if with_context else []
    writer = await session.get(Member, escalation.writer_id) if escalation.writer_id else None
    card = prefix + _card(escalation, mentee, mentor, writer, len(context), claimed)
    if reminder_round:
        card = t(texts.ESCALATION_REMINDER, round=reminder_round) + card
    buttons = _card_buttons(escalation, claimed)
    for chat_id, role in targets:
        receipt = {"escalation": escalation.id, "to": role, "round": reminder_round}
        in_topic = thread_of if role == texts.DISCLOSED_STAFF_CHAT else None
        if role == texts.DISCLOSED_STAFF_CHAT:
            receipt["fallback"] = fallback_chat_id
        await send_text(
            session,
            chat_id,
            card,
            buttons=buttons,
            now=now,
            priority=Priority.ESCALATION,
            receipt=receipt,
            thread_of=in_topic,
        )
        for record in context:
            copy: dict[str, object] = {
                "from_chat_id": record.source_chat_id,
                "message_id": record.source_message_id,
            }
            if in_topic is not None:
                copy[RESOLVE_THREAD_OF_MEMBER] = in_topic
            await enqueue(
                session,
                chat_id=chat_id,
                method="copyMessage",
                payload=copy,
                now=now,
                priority=Priority.ESCALATION,
            )
    await _event(
        session,
        escalation,
        "card queued" if not reminder_round else "reminder queued",
        None,
        ", ".join(dict.fromkeys(role for _, role in targets)) or None,
        now,
    )


def _card_buttons(escalation: Escalation, claimed: EscalationClaim | None) -> list[list[Button]]:
    claim: Button = (
        (t(texts.DESK_TAKE_OVER), f"esc:{escalation.id}:take")
        if claimed is not None
        else (t(texts.DESK_CLAIM), f"esc:{escalation.id}:claim")
    )
    return [
        [
            (t(texts.ESCALATION_ACK), f"esc:{escalation.id}:ack"),
            (t(texts.ESCALATION_RESOLVE), f"esc:{escalation.id}:res"),
        ],
        [(t(texts.ESCALATION_MESSAGE), f"esc:{escalation.id}:msg"), claim],
    ]


async def card_delivered(
    session: AsyncSession,
    *,
    receipt: dict[str, object],
    chat_id: int,
    now: datetime,
    message_id: int | None = None,
) -> None:
    """Telegram accepted a card: now the escalation was shown to `receipt["to"]`."""
    escalation = await session.get(Escalation, receipt.get("escalation"))
    if escalation is None:
        return
    if message_id is not None:  # a claim is shown on every copy
        session.add(
            EscalationCard(escalation_id=escalation.id, chat_id=chat_id, message_id=message_id)
        )
    role = str(receipt.get("to"))
    kind = "reminded" if receipt.get("round") else "notified"
    actor = chat_id if role == texts.DISCLOSED_COORDINATOR else None
    await _event(session, escalation, kind, actor, role, now)


async def card_undeliverable(
    session: AsyncSession,
    *,
    receipt: dict[str, object],
    chat_id: int,
    reason: str,
    now: datetime,
) -> None:
    """Telegram refused a card for good. Recorded as such; if it was the staff chat (bot
    removed, chat missing), the card and its context go at once to every coordinator privately
    and to the fallback chat, instead of waiting for the first reminder."""
    escalation = await session.get(Escalation, receipt.get("escalation"))
    if escalation is None:
        return
    role = str(receipt.get("to"))
    actor = chat_id if role == texts.DISCLOSED_COORDINATOR else None
    await _event(session, escalation, "could not notify", actor, f"{role} ({reason})", now)
    if role != texts.DISCLOSED_STAFF_CHAT or escalation.status == "resolved":
        return
    targets: list[Target] = [
        (c, texts.DISCLOSED_COORDINATOR) for c in await coordinator_ids(session)
    ]
    fallback = receipt.get("fallback")
    if isinstance(fallback, int):
        targets.append((fallback, texts.DISCLOSED_FALLBACK))
    mentee = await session.get(Member, escalation.mentee_id) if escalation.mentee_id else None
    mentor = await session.get(Member, escalation.mentor_id) if escalation.mentor_id else None
    round_number = receipt.get("round")
    await _post_card(
        session,
        escalation,
        targets,
        mentee,
        mentor,
        now,
        reminder_round=round_number if isinstance(round_number, int) else 0,
        claimed=await session.get(EscalationClaim, escalation.id),
    )


async def _context(session: AsyncSession, pairing_id: int | None) -> list[RelayedMessage]:
    if pairing_id is None:
        return []
    rows = (
        await session.scalars(
            select(RelayedMessage)
            .where(RelayedMessage.pairing_id == pairing_id)
            .order_by(RelayedMessage.id.desc())
            .limit(CONTEXT_MESSAGES)
        )
    ).all()
    return list(reversed(rows))


async def who_it_is_about(session: AsyncSession, escalation: Escalation) -> str:
    """The mentee, or the writer when a mentor wrote it: "Sam (M-0001)", for staff."""
    about = escalation.mentee_id or escalation.writer_id
    return _who(await session.get(Member, about) if about else None)


def _who(member: Member | None) -> str:
    return "—" if member is None else f"{h(member.pseudonym)} ({member.short_id})"


def _clip(text: str) -> str:
    return text[:FLAGGED_TEXT_LIMIT] + "…" if len(text) > FLAGGED_TEXT_LIMIT else text


def _card(
    escalation: Escalation,
    mentee: Member | None,
    mentor: Member | None,
    writer: Member | None,
    context: int,
    claim: EscalationClaim | None = None,
) -> Text:
    flagged: Text | str = ""
    if escalation.flagged_text:
        flagged = t(texts.ESCALATION_FLAGGED, text=h(_clip(escalation.flagged_text)))
    written_by = (
        t(texts.ESCALATION_WRITER, role=t_item(texts.ROLE_NAMES, writer.role), who=_who(writer))
        if writer is not None and writer.role in texts.ROLE_NAMES
        else ""
    )
    why: Text | str = ""
    if escalation.evidence or escalation.probability is not None:
        why = t(
            texts.ESCALATION_WHY,
            evidence=h(escalation.evidence or "—"),
            probability=(
                t(texts.ESCALATION_PROBABILITY, percent=round(100 * escalation.probability))
                if escalation.probability is not None
                else ""
            ),
        )
    claimed: Text | str = t(texts.DESK_CLAIMED_BY, name=h(claim.name)) if claim else ""
    return claimed + t(
        texts.ESCALATION_CARD,
        writer=written_by,
        at_risk=t_known(texts.ESCALATION_AT_RISK, escalation.subject or "", ""),
        why=why,
        id=escalation.id,
        severity=t_known(texts.SEVERITY_NAMES, escalation.severity, escalation.severity),
        category=t_known(texts.CATEGORY_NAMES, escalation.category, escalation.category),
        mentee=_who(mentee),
        mentor=_who(mentor),
        raised_by=t_known(texts.RAISED_BY, escalation.raised_by, escalation.raised_by),
        when=escalation.opened_at.strftime("%Y-%m-%d %H:%M:%S"),
        flagged=flagged,
        context=t_plural(texts.ESCALATION_CONTEXT_PLURAL, context) if context else "",
        notice=t(texts.REDISCLOSURE),
    )


async def _event(
    session: AsyncSession,
    escalation: Escalation,
    kind: str,
    actor: int | None,
    detail: str | None,
    now: datetime,
) -> None:
    session.add(
        EscalationEvent(escalation_id=escalation.id, at=now, kind=kind, actor=actor, detail=detail)
    )


async def acknowledge(
    session: AsyncSession, *, escalation_id: int, coordinator: int, now: datetime
) -> Text:
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None:
        return t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    if escalation.status != "open":
        return t(texts.ESCALATION_ACKED_ALREADY)
    escalation.status = "acknowledged"
    escalation.acknowledged_at = now
    escalation.acknowledged_by = coordinator
    escalation.next_notify_at = None
    await _event(session, escalation, "acknowledged", coordinator, None, now)
    await _tell_mentor_of_progress(
        session, escalation, texts.ALERT_ACKNOWLEDGED_FOR_MENTOR, "mentor: acked", now
    )
    return t(texts.ESCALATION_ACKED, id=escalation.id)


async def _tell_mentor_of_progress(
    session: AsyncSession, escalation: Escalation, template: str, kind: str, now: datetime
) -> Member | None:
    """The mentor who raised an alarm about their mentee, or was told of one, hears that staff
    acknowledged or resolved it: the fact only, never the staff's notes. Returns the mentor
    when told."""
    if escalation.mentee_id is None or escalation.mentor_id is None:
        return None  # an alarm about the mentor themselves, or a mentee with no mentor
    raised = escalation.writer_id == escalation.mentor_id or escalation.raised_by == "ladder"
    told = raised or await session.scalar(
        select(EscalationEvent.id).where(
            EscalationEvent.escalation_id == escalation.id, EscalationEvent.kind == "mentor told"
        )
    )
    if not told:
        return None
    mentor = await session.get(Member, escalation.mentor_id)
    mentee = await session.get(Member, escalation.mentee_id)
    if mentor is None or mentee is None or mentor.erased_at is not None:
        return None
    if await notify_member(
        session, mentor, t(template, mentee=h(mentee.pseudonym)), now=now
    ):
        await _event(session, escalation, kind, None, None, now)
        return mentor
    return None


async def resolve(
    session: AsyncSession,
    *,
    escalation_id: int,
    coordinator: int,
    note: str,
    chat_id: int,
    now: datetime,
) -> None:
    """Resolve with an outcome note; the answer (to `chat_id`) asks how it ended, with buttons
    (real danger, support needed, false alarm) for the program's reports."""
    escalation = await session.get(Escalation, escalation_id)
    buttons: list[list[Button]] | None = None
    if escalation is None:
        answer: Text = t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    elif escalation.status == "resolved":
        answer = t(texts.ESCALATION_ALREADY_RESOLVED, id=escalation.id)
    else:
        if escalation.acknowledged_at is None:
            escalation.acknowledged_at = now
            escalation.acknowledged_by = coordinator
            await _event(session, escalation, "acknowledged", coordinator, None, now)
        escalation.status = "resolved"
        escalation.resolved_at = now
        escalation.resolved_by = coordinator
        escalation.outcome = note
        escalation.next_notify_at = None
        await _event(session, escalation, "resolved", coordinator, note, now)
        told = await _tell_mentor_of_progress(
            session, escalation, texts.ALERT_RESOLVED_FOR_MENTOR, "mentor: resolved", now
        )
        if told is not None:  # the mentor went through it too: ask them tomorrow how they are
            await wellbeing.plan_debrief(session, escalation=escalation, mentor=told, now=now)
        answer = t(texts.ESCALATION_RESOLVED, id=escalation.id) + t(texts.ASK_OUTCOME_KIND)
        kinds: list[Button] = [
            (t_item(texts.OUTCOME_KINDS, kind), f"out:{escalation.id}:{kind}")
            for kind in texts.OUTCOME_KINDS
        ]
        buttons = [kinds[:2], kinds[2:]]
    await send_text(
        session, chat_id, answer, buttons=buttons, now=now, priority=Priority.ESCALATION
    )


async def record_outcome(
    session: AsyncSession,
    *,
    escalation_id: int,
    coordinator: int,
    kind: str,
    chat_id: int,
    prompt_id: int,
    now: datetime,
) -> Text:
    """A coordinator says how a resolved escalation ended (real danger, support needed, a
    false alarm); counted in reports. Returns the toast."""
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None or kind not in texts.OUTCOME_KINDS:
        return t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    if escalation.status != "resolved":
        return t(texts.OUTCOME_NOT_RESOLVED, id=escalation_id)
    escalation.outcome_kind = kind
    await _event(session, escalation, "outcome", coordinator, texts.OUTCOME_KINDS[kind], now)
    recorded = t(texts.OUTCOME_RECORDED, id=escalation_id, kind=t_item(texts.OUTCOME_KINDS, kind))
    await edit_text(session, chat_id, prompt_id, recorded, now=now)
    return recorded


async def remind_unacknowledged(
    session: AsyncSession, policy: EscalationPolicy, now: datetime
) -> int:
    """Re-send unacknowledged critical escalations to every coordinator privately; after
    three rounds, to the fallback chat too. Returns how many were re-sent."""
    due = (
        await session.scalars(
            select(Escalation)
            .where(
                Escalation.status == "open",
                Escalation.next_notify_at.is_not(None),
                Escalation.next_notify_at <= now,
            )
            .order_by(Escalation.id)
            # Several workers: one reminds, the others skip what it holds (see checkins).
            .with_for_update(skip_locked=True)
        )
    ).all()
    coordinators: list[Target] = (
        [(c, texts.DISCLOSED_COORDINATOR) for c in await coordinator_ids(session)] if due else []
    )
    hours = policy.program_hours
    on_call = (
        await on_call_now(session, now)
        if due and hours is not None and not hours.is_open(now)
        else None
    )
    for escalation in due:
        escalation.notify_round += 1
        targets = coordinators
        staff = {c for c, _ in targets}
        claimed = await session.get(EscalationClaim, escalation.id)
        if claimed is not None and claimed.coordinator in staff:
            # Claimed: the claimer is on it; the others are not woken again.
            targets = [(claimed.coordinator, texts.DISCLOSED_COORDINATOR)]
        elif on_call is not None and on_call in staff and escalation.notify_round == 1:
            # Out of hours: the one on call first; everyone from the next round on.
            targets = [(on_call, texts.DISCLOSED_COORDINATOR)]
        elif escalation.notify_round >= FALLBACK_AFTER_ROUNDS and policy.fallback_chat_id:
            targets = [*targets, (policy.fallback_chat_id, texts.DISCLOSED_FALLBACK)]
        mentee = await session.get(Member, escalation.mentee_id) if escalation.mentee_id else None
        mentor = await session.get(Member, escalation.mentor_id) if escalation.mentor_id else None
        await _post_card(
            session,
            escalation,
            targets,
            mentee,
            mentor,
            now,
            reminder_round=escalation.notify_round,
            claimed=claimed,
        )
        escalation.next_notify_at = now + policy.ack_interval
    return len(due)


CLAIMER_NAME_LIMIT = 64


async def on_call_now(session: AsyncSession, now: datetime) -> int | None:
    """The coordinator on call now (the shift set most recently, if several)."""
    shift = await session.scalar(
        select(OnCallShift)
        .where(OnCallShift.starts_at <= now, OnCallShift.ends_at > now)
        .order_by(OnCallShift.id.desc())
    )
    return shift.coordinator if shift is not None else None


async def claim(
    session: AsyncSession,
    *,
    escalation_id: int,
    coordinator: int,
    name: str,
    take_over: bool,
    now: datetime,
) -> Text:
    """A coordinator claims an escalation (or takes it over from whoever has it): every copy
    of the card shows who has it, and reminders go to them only. Returns the toast."""
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None:
        return t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    if escalation.status == "resolved":
        return t(texts.ESCALATION_ALREADY_RESOLVED, id=escalation_id)
    claimed = await session.get(EscalationClaim, escalation.id)
    if claimed is not None and claimed.coordinator == coordinator:
        return t(texts.DESK_CLAIMED_ALREADY_YOURS)
    if claimed is not None and not take_over:
        return t(texts.DESK_CLAIMED_BY_OTHER, name=claimed.name)
    kind = "taken over" if claimed is not None else "claimed"
    if claimed is None:
        claimed = EscalationClaim(escalation_id=escalation.id)
        session.add(claimed)
    claimed.coordinator = coordinator
    claimed.name = " ".join(name.split())[:CLAIMER_NAME_LIMIT] or "?"
    claimed.claimed_at = now
    await _event(session, escalation, kind, coordinator, None, now)
    await _show_claim(session, escalation, claimed, now)
    return t(texts.DESK_CLAIMED, id=escalation.id)


async def _show_claim(
    session: AsyncSession, escalation: Escalation, claimed: EscalationClaim, now: datetime
) -> None:
    """Every copy of the card, as it reads now, with who has it."""
    mentee = await session.get(Member, escalation.mentee_id) if escalation.mentee_id else None
    mentor = await session.get(Member, escalation.mentor_id) if escalation.mentor_id else None
    writer = await session.get(Member, escalation.writer_id) if escalation.writer_id else None
    context = len(await _context(session, escalation.pairing_id))
    card = _card(escalation, mentee, mentor, writer, context, claimed)
    copies = (
        await session.scalars(
            select(EscalationCard)
            .where(EscalationCard.escalation_id == escalation.id)
            .order_by(EscalationCard.id)
        )
    ).all()
    for copy in copies:
        await edit_text(
            session,
            copy.chat_id,
            copy.message_id,
            card,
            buttons=_card_buttons(escalation, claimed),
            now=now,
            priority=Priority.ESCALATION,
        )


async def list_open(session: AsyncSession) -> Text:
    rows = (
        await session.scalars(
            select(Escalation)
            .where(Escalation.status != "resolved")
            .order_by(Escalation.opened_at)
        )
    ).all()
    if not rows:
        return t(texts.ESCALATIONS_NONE)
    lines: list[Text] = [t(texts.ESCALATIONS_HEADER)]
    for e in rows:
        # Whom it is about: the mentee, or the writer when a mentor wrote it.
        about = e.mentee_id or e.writer_id
        mentee = await session.get(Member, about) if about else None
        lines.append(
            t(
                texts.ESCALATIONS_LINE,
                id=e.id,
                severity=t_known(texts.SEVERITY_NAMES, e.severity, e.severity),
                category=t_known(texts.CATEGORY_NAMES, e.category, e.category),
                mentee=_who(mentee),
                when=e.opened_at.strftime("%Y-%m-%d %H:%M"),
                status=e.status,
            )
        )
    return join(lines)


async def audit_trail(session: AsyncSession, escalation_id: int) -> Text:
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None:
        return t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    events = (
        await session.scalars(
            select(EscalationEvent)
            .where(EscalationEvent.escalation_id == escalation_id)
            .order_by(EscalationEvent.id)
        )
    ).all()
    lines: list[Text] = [
        t(
            texts.ESCALATION_TRAIL_HEADER,
            id=escalation.id,
            severity=t_known(texts.SEVERITY_NAMES, escalation.severity, ""),
            category=t_known(texts.CATEGORY_NAMES, escalation.category, escalation.category),
            status=escalation.status,
        )
    ]
    for event in events:
        actor, detail = _actor_and_detail(event)
        lines.append(
            t(
                texts.ESCALATION_TRAIL_LINE,
                when=event.at.strftime("%Y-%m-%d %H:%M:%S"),
                kind=h(event.kind),
                actor=actor,
                detail=f": {h(detail)}" if detail else "",
            )
        )
    lines.append(t(texts.REDISCLOSURE))
    return join(lines)


def _actor_and_detail(event: EscalationEvent) -> tuple[str, str | None]:
    if event.actor and event.kind in ("notified", "reminded", "could not notify"):
        # Which coordinator it reached (or not): for staff eyes only, never in /mydata.
        return "", f"{event.detail or ''} {event.actor}"
    return (f" by {event.actor}" if event.actor else ""), event.detail


def flagged_words_of_mentee(escalation: Escalation) -> str | None:
    """The flagged message without a mentor's /flag note (the note is not the mentee's)."""
    text = escalation.flagged_text
    if text is None or escalation.raised_by != "flag":
        return text
    if text.startswith(MENTORS_NOTE):
        return None
    head, found, _ = text.partition("\n" + MENTORS_NOTE)
    return head if found else text


ACTION_TTL = timedelta(minutes=30)


async def start_action(
    session: AsyncSession, *, escalation_id: int, coordinator: int, action: str, now: datetime
) -> Text:
    """Resolve or Message pressed: the coordinator's next private message completes it."""
    escalation = await session.get(Escalation, escalation_id)
    if escalation is None:
        return t(texts.ESCALATION_NOT_FOUND, id=escalation_id)
    if action == "resolve" and escalation.status == "resolved":
        return t(texts.ESCALATION_ALREADY_RESOLVED, id=escalation_id)
    mentee = await _person_to_write_to(session, escalation)
    if action == "message" and mentee is None:
        return t(texts.ESCALATION_NO_MENTEE, id=escalation_id)
    pending = await session.get(CoordinatorAction, coordinator)
    if pending is None:
        pending = CoordinatorAction(telegram_user_id=coordinator)
        session.add(pending)
    pending.action = action
    pending.escalation_id = escalation_id
    pending.expires_at = now + ACTION_TTL
    prompt = (
        t(texts.ASK_OUTCOME, id=escalation_id)
        if action == "resolve"
        else t(
            texts.ASK_STAFF_MESSAGE,
            id=escalation_id,
            mentee=h(mentee.pseudonym if mentee else ""),
        )
    )
    await send_text(session, coordinator, prompt, now=now, priority=Priority.ESCALATION)
    return t(texts.ACTION_TOAST)


async def complete_action(
    session: AsyncSession, *, coordinator: int, chat_id: int, text: str, now: datetime
) -> bool:
    """The coordinator's private message after Resolve or Message. Returns whether it was
    taken for that (otherwise it is an ordinary message)."""
    pending = await session.get(CoordinatorAction, coordinator)
    if pending is None:
        return False
    await session.delete(pending)
    if pending.expires_at < now:
        return False
    if not await is_coordinator(session, coordinator):  # removed since pressing the button
        await send_text(session, chat_id, t(texts.STAFF_NO_LONGER_COORDINATOR), now=now)
        return True
    if pending.action == "resolve":
        await resolve(
            session,
            escalation_id=pending.escalation_id,
            coordinator=coordinator,
            note=text,
            chat_id=chat_id,
            now=now,
        )
        return True
    escalation = await session.get(Escalation, pending.escalation_id)
    person = await _person_to_write_to(session, escalation) if escalation is not None else None
    if escalation is None or person is None:
        return False
    sent = await notify_member(
        session,
        person,
        t(texts.STAFF_MESSAGE, text=h(text)),
        now=now,
        priority=Priority.ESCALATION,
    )
    if not sent:
        await _event(session, escalation, "staff msg not sent", coordinator, "unreachable", now)
        await send_text(
            session,
            chat_id,
            t(texts.STAFF_MESSAGE_NOT_SENT, mentee=h(person.pseudonym)),
            now=now,
            priority=Priority.ESCALATION,
        )
        return True
    await _event(session, escalation, "staff wrote", coordinator, f"to the {person.role}", now)
    await send_text(
        session,
        chat_id,
        t(texts.STAFF_MESSAGE_SENT, mentee=h(person.pseudonym)),
        now=now,
        priority=Priority.ESCALATION,
    )
    return True


async def _person_to_write_to(session: AsyncSession, escalation: Escalation) -> Member | None:
    """Whom "Message" reaches: the mentee, or the mentor when the alarm is about the
    mentor's own words. Never an erased member."""
    if escalation.mentee_id is not None:
        person = await session.get(Member, escalation.mentee_id)
    elif escalation.writer_id is not None and escalation.writer_id == escalation.mentor_id:
        person = await session.get(Member, escalation.writer_id)
    else:
        return None
    return person if person is not None and person.erased_at is None else None


async def drop_pending_actions(session: AsyncSession, *, coordinator: int) -> None:
    """A coordinator was removed: what they started can no longer be completed."""
    await session.execute(
        delete(CoordinatorAction).where(CoordinatorAction.telegram_user_id == coordinator)
    )


async def cancel_action(
    session: AsyncSession, *, coordinator: int, chat_id: int, now: datetime
) -> None:
    pending = await session.get(CoordinatorAction, coordinator)
    if pending is not None:
        await session.delete(pending)
    await send_text(
        session,
        chat_id,
        t(texts.ACTION_CANCELLED) if pending else t(texts.NOTHING_TO_CANCEL),
        now=now,
    )
