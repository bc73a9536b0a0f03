"""The program's tables. Every timestamp is aware UTC.

Members' Telegram ids are stored encrypted (EncryptedInt) beside a keyed hash of them
(`*_key`, see `storage.crypto.lookup`) that queries use: the file alone does not say who is
enrolled. Staff ids (coordinators, who acted on an escalation) are kept in clear.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from storage.crypto import lookup
from storage.names import name_key
from storage.types import EncryptedInt, EncryptedText, UTCDateTime

ROLES = ("mentee", "mentor")


class Base(AsyncAttrs, DeclarativeBase):
    pass


class Member(Base):
    """An enrolled mentee or mentor. The pseudonym is the only name the other side sees."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint("role IN ('mentee', 'mentor')", name="ck_members_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(EncryptedInt())
    # Keyed hash of telegram_user_id, set with it; a private chat's id is its user's id.
    telegram_user_key: Mapped[str] = mapped_column(String(64), unique=True)
    chat_id: Mapped[int] = mapped_column(EncryptedInt())
    role: Mapped[str] = mapped_column(String(10))
    pseudonym: Mapped[str] = mapped_column(String(32))
    # Case-folded pseudonym, so "Sam" and "sam" cannot both exist.
    pseudonym_key: Mapped[str] = mapped_column(String(32), unique=True)
    # What the pseudonym looks like (`storage.names.name_key`), set with it: no two members
    # may look alike ("Sam" and "Ѕam" with a Cyrillic Ѕ), even when they enrol at once.
    pseudonym_skeleton: Mapped[str] = mapped_column(String(128), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    # Comma-separated matching tags (mentee: preferences; mentor: experience).
    tags: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set while a check-in note has been offered, so the relay's hot path knows without a query
    # whether the next text is that note.
    note_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the member erased their data: the row stays only as an anonymous placeholder.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @validates("telegram_user_id")
    def _set_key(self, _: str, value: int) -> int:
        self.telegram_user_key = lookup(value)
        return value

    @validates("pseudonym")
    def _set_skeleton(self, _: str, value: str) -> str:
        self.pseudonym_skeleton = name_key(value)
        return value

    @property
    def short_id(self) -> str:
        return f"M-{self.id:04d}"

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class Coordinator(Base):
    """Program staff. Seeded from COORDINATOR_IDS at start-up."""

    __tablename__ = "coordinators"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[int | None] = mapped_column(BigInteger)  # None: from COORDINATOR_IDS
    # The language the bot writes to them in privately (`/language`); None: the program's.
    language: Mapped[str | None] = mapped_column(String(8))


class CoordinatorChange(Base):
    """The audit trail of who made whom a coordinator, or removed them."""

    __tablename__ = "coordinator_changes"
    __table_args__ = (
        CheckConstraint("action IN ('added', 'removed')", name="ck_coordinator_changes"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(8))
    target: Mapped[int] = mapped_column(BigInteger)


class Invite(Base):
    """A one-time enrolment code for one role."""

    __tablename__ = "invites"
    __table_args__ = (CheckConstraint("role IN ('mentee', 'mentor')", name="ck_invites_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # Set when a coordinator revoked the invite (/invites): the link no longer works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def short_id(self) -> str:
        return f"I-{self.id:04d}"


class EnrolmentDraft(Base):
    """Answers of someone who accepted consent but has not finished enrolling."""

    __tablename__ = "enrolment_drafts"

    telegram_user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(EncryptedInt())
    chat_id: Mapped[int] = mapped_column(EncryptedInt())
    invite_id: Mapped[int] = mapped_column(ForeignKey("invites.id"))
    step: Mapped[str] = mapped_column(String(16))
    pseudonym: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @validates("telegram_user_id")
    def _set_key(self, _: str, value: int) -> int:
        self.telegram_user_key = lookup(value)
        return value


class Pairing(Base):
    """A mentee paired with a mentor; ended pairings are kept with their end time."""

    __tablename__ = "pairings"
    __table_args__ = (
        Index(
            "uq_pairings_active_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        CheckConstraint("mentee_id <> mentor_id", name="ck_pairings_distinct"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RelayedMessage(Base):
    """Routing record of one relayed message: ids and direction only, never its content."""

    __tablename__ = "relayed_messages"
    __table_args__ = (
        CheckConstraint(
            "direction IN ('to_mentor', 'to_mentee')", name="ck_relayed_messages_direction"
        ),
        Index("ix_relayed_source", "source_chat_key", "source_message_id"),
        Index("ix_relayed_dest", "dest_chat_key", "dest_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id"))
    direction: Mapped[str] = mapped_column(String(10))
    source_chat_id: Mapped[int] = mapped_column(EncryptedInt())
    source_chat_key: Mapped[str] = mapped_column(String(64))
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    dest_chat_id: Mapped[int] = mapped_column(EncryptedInt())
    dest_chat_key: Mapped[str] = mapped_column(String(64))
    dest_message_id: Mapped[int | None] = mapped_column(BigInteger)
    is_text: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HeldMessage(Base):
    """A message kept until it has somewhere to go (no mentor yet, or 'to whom?')."""

    __tablename__ = "held_messages"
    __table_args__ = (
        CheckConstraint(
            "reason IN ('unpaired', 'choose', 'unreachable')", name="ck_held_messages_reason"
        ),
        CheckConstraint(
            "status IN ('held', 'delivered', 'cancelled')", name="ck_held_messages_status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    source_chat_id: Mapped[int] = mapped_column(EncryptedInt())
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(12))
    # For 'unreachable': the member the message is for, once they can be reached again.
    target_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(10), default="held")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A Telegram call to make, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="ck_outbox_status"),
        Index("ix_outbox_pending", "status", "priority", "id"),
        Index("ix_outbox_chat", "chat_key", "status", "id"),
        # Ids are never reused: the delivery worker marks a row sent by its id after the send,
        # and a row cancelled meanwhile (an erasure) must not hand its id to a new message,
        # which would then be marked sent without ever being sent.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Keyed hash of the chat id (the id itself is in the encrypted payload). Needed to keep a
    # chat's order and to find what waits for it; a person's is dropped once the row is sent.
    chat_key: Mapped[str | None] = mapped_column(String(64))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32))
    # The Bot API call's JSON: message text, chat id. Encrypted until sent, then emptied.
    payload: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set only when a send failed and must wait (backoff, 429); NULL means "as soon as allowed".
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    relay_id: Mapped[int | None] = mapped_column(ForeignKey("relayed_messages.id"))


class InboxUpdate(Base):
    """A raw update from Telegram, committed before it is confirmed, processed once."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The raw update (message text, sender): encrypted until processed, then emptied.
    payload: Mapped[str] = mapped_column(EncryptedText())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed: Mapped[bool] = mapped_column(Boolean, default=False)


class CheckInSchedule(Base):
    """When a member's next check-in is due: daily for mentees, weekly for mentors."""

    __tablename__ = "checkin_schedules"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday; weekly schedules only
    quiet_start: Mapped[str] = mapped_column(String(5))
    quiet_end: Mapped[str] = mapped_column(String(5))
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    missed_streak: Mapped[int] = mapped_column(Integer, default=0)
    recovery_start: Mapped[date | None] = mapped_column(Date)
    last_milestone: Mapped[int | None] = mapped_column(Integer)


class CheckIn(Base):
    """One daily check-in of a mentee: sent, answered or missed; each due time at most once."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("member_id", "due_at", name="uq_checkins_member_due"),
        CheckConstraint("status IN ('sent', 'answered', 'missed')", name="ck_checkins_status"),
        CheckConstraint("mood BETWEEN 1 AND 5", name="ck_checkins_mood"),
        CheckConstraint("craving BETWEEN 0 AND 4", name="ck_checkins_craving"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))
    mood: Mapped[int | None] = mapped_column(Integer)
    craving: Mapped[int | None] = mapped_column(Integer)
    used: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(EncryptedText())
    awaiting_note: Mapped[bool] = mapped_column(Boolean, default=False)
    risk: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MentorReport(Base):
    """A mentor's weekly answer about one mentee."""

    __tablename__ = "mentor_reports"
    __table_args__ = (
        UniqueConstraint("mentor_id", "mentee_id", "due_at", name="uq_mentor_reports_due"),
        CheckConstraint(
            "answer IS NULL OR answer IN ('on_track', 'concern', 'no_contact', 'worried')",
            name="ck_mentor_reports_answer",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Escalation(Base):
    """Someone may be in danger: posted to coordinators and followed until resolved."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'acknowledged', 'resolved')", name="ck_escalations_status"
        ),
        CheckConstraint("severity IN ('critical', 'high')", name="ck_escalations_severity"),
        Index("ix_escalations_due", "status", "next_notify_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    raised_by: Mapped[str] = mapped_column(String(16))  # detected, sos, flag, mentor_report
    category: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(10))
    flagged_text: Mapped[str | None] = mapped_column(EncryptedText())
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id"))
    # Whose own words or action raised it (a mentee's message, a mentor's message, /sos, a
    # mentor's /flag), and which of their messages, so an edit of it is not raised twice.
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Whose danger the words speak of: the writer's own, or someone they wrote about.
    subject: Mapped[str | None] = mapped_column(String(8))
    probability: Mapped[float | None] = mapped_column(Float)  # the risk models' estimate
    evidence: Mapped[str | None] = mapped_column(EncryptedText())  # what decided it
    # How it ended: real danger, support needed, or a false alarm (counts for reports).
    outcome_kind: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(BigInteger)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(EncryptedText())
    notify_round: Mapped[int] = mapped_column(Integer, default=0)
    next_notify_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Concern(Base):
    """A message that may mean someone is struggling, not an emergency: their mentor is
    asked to check in; unanswered in time (or with no mentor able to), it climbs to the
    coordinators as an escalation."""

    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'on_it', 'ok', 'escalated')", name="ck_concerns_status"
        ),
        Index("ix_concerns_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    pairing_id: Mapped[int | None] = mapped_column(ForeignKey("pairings.id"))
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    raised_by: Mapped[str] = mapped_column(String(16))  # detected, checkin
    category: Mapped[str] = mapped_column(String(24))
    probability: Mapped[float] = mapped_column(Float)
    flagged_text: Mapped[str | None] = mapped_column(EncryptedText())
    evidence: Mapped[str | None] = mapped_column(EncryptedText())
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_id: Mapped[int | None] = mapped_column(ForeignKey("escalations.id"))


class EscalationEvent(Base):
    """The audit trail of an escalation: every state change and every notification."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str | None] = mapped_column(EncryptedText())


class CoordinatorAction(Base):
    """What a coordinator's next private message means: an outcome note, or words for a
    mentee (sent through the bot, labelled as staff)."""

    __tablename__ = "coordinator_actions"
    __table_args__ = (
        CheckConstraint("action IN ('resolve', 'message')", name="ck_coordinator_actions"),
    )

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EscalationClaim(Base):
    """The coordinator who claimed an escalation (reminders go to them only), and their first
    name as staff see it in Telegram (shown on the card to staff, never to members)."""

    __tablename__ = "escalation_claims"

    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), primary_key=True)
    coordinator: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EscalationCard(Base):
    """Where a card was shown (a staff chat, a coordinator's private chat), so that a claim
    can be shown on every copy."""

    __tablename__ = "escalation_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # staff only: a group or a coordinator
    message_id: Mapped[int] = mapped_column(BigInteger)


class OnCallShift(Base):
    """Who is on call, from when until when (set with /oncall)."""

    __tablename__ = "on_call_shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_on_call_shifts_window"),
        Index("ix_on_call_shifts_window", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coordinator: Mapped[int] = mapped_column(BigInteger)  # a staff Telegram id
    name: Mapped[str | None] = mapped_column(String(64))  # as staff see them, when known
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutOfHoursNotice(Base):
    """When a member was last told staff are away (once per out-of-hours stretch)."""

    __tablename__ = "out_of_hours_notices"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonThread(Base):
    """A person's topic in the staff forum: everything about them lands there. No thread id
    yet means the topic is being created (the delivery worker records it once Telegram
    answered)."""

    __tablename__ = "person_threads"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id", name="uq_person_threads_topic"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)  # the staff forum (a group id)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyCheck(Base):
    """Which keys wrote this database (one row), checked at every start: a keyed hash of a
    fixed text under the lookup key, and a token of it under the encryption key, or the mark
    that it was started without encryption (ALLOW_UNENCRYPTED)."""

    __tablename__ = "key_check"
    __table_args__ = (CheckConstraint("id = 1", name="ck_key_check_one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encrypted: Mapped[bool] = mapped_column(Boolean)
    lookup_check: Mapped[str] = mapped_column(String(64))
    encryption_check: Mapped[str | None] = mapped_column(String(200))  # raw token, or NULL
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReportDigest(Base):
    """A week whose digest of the program's figures went to the coordinators (once each)."""

    __tablename__ = "report_digests"

    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for statements on hot paths that skip the ORM."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


OUTBOX = table_of(OutboxMessage)
RELAYED = table_of(RelayedMessage)
INBOX = table_of(InboxUpdate)
