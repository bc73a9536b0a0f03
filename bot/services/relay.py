"""The anonymous two-way relay between a mentee and their mentor.

Messages are copied (never forwarded), so the other side never sees a Telegram name,
username or id. Only ids, direction and time are recorded, never content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t, t_plural, tr
from bot.risk import Tier, assess
from bot.services.concerns import raise_alarm
from bot.services.covers import refusal_for_mentor
from bot.services.escalation import (
    EscalationPolicy,
    note_edit_on_open_escalation,
)
from bot.services.flood import FloodGate
from bot.services.languages import language_of_member, recipient_language
from bot.services.members import (
    MentorRoute,
    active_mentees,
    active_mentor_of,
    in_conversation,
)
from bot.services.outbox import (
    RESOLVE_MESSAGE_ID_FROM_RELAY,
    RESOLVE_REPLY_TO_RELAY,
    Button,
    Priority,
    edit_text,
    enqueue,
    h,
    inline_keyboard,
    notify_member,
    send_text,
)
from storage.crypto import lookup
from storage.db import INDEPENDENT
from storage.models import RELAYED, HeldMessage, Member, Pairing, RelayedMessage


@dataclass(frozen=True)
class Incoming:
    """A member's message, as plain values."""

    chat_id: int
    message_id: int
    reply_to_message_id: int | None = None
    is_text: bool = False
    text: str | None = None  # text or caption, assessed for risk and never stored otherwise


class RelayResult(StrEnum):
    RELAYED = "relayed"
    HELD_UNPAIRED = "held_unpaired"
    ASKED_RECIPIENT = "asked_recipient"
    NO_MENTEES = "no_mentees"
    REPLY_TO_ENDED = "reply_to_ended"
    GRADUATED = "graduated"


def label_markup(mentee: Member, language: str) -> dict[str, Any]:
    """The button under each copy a mentor receives: whose message it is."""
    return inline_keyboard(
        [[(t(texts.LABEL, pseudonym=mentee.pseudonym), f"lbl:{mentee.id}")]], language
    )


async def relay_message(
    session: AsyncSession,
    *,
    sender: Member,
    message: Incoming,
    now: datetime,
    escalations: EscalationPolicy | None = None,
    flood: FloodGate | None = None,
    route: MentorRoute | None = None,
) -> RelayResult:
    """Assess the message once, then pass it to the other side of the pairing, or hold it.

    A message that says someone may be in danger opens an escalation whatever happens to it
    next (relayed, kept, waiting for "to whom?", or nowhere to go), and is still delivered.
    A reply to a message of a conversation that has ended never goes to anyone else.
    `route`: a mentee's pairing and mentor, when the caller looked them up with the sender.
    """
    if sender.role == "mentee":
        if route is None:
            current = await active_mentor_of(session, sender.id)
        else:  # looked up with the sender
            current = (route.pairing, route.mentor) if route.mentor and route.pairing else None
        pairing, mentor = current if current is not None else (None, None)
        await _assess(session, escalations, message, sender, sender, mentor, pairing, now)
        if message.reply_to_message_id is not None and await _replies_to_ended(
            session, message, pairing
        ):
            await send_text(session, sender.chat_id, t(texts.REPLY_TO_ENDED_PAIRING), now=now)
            return RelayResult.REPLY_TO_ENDED
        if sender.graduated_at is not None:  # no mentor to wait for any more
            await send_text(session, sender.chat_id, t(texts.GRADUATED_NOT_SENT), now=now)
            return RelayResult.GRADUATED
        if pairing is None or mentor is None:
            _hold(session, sender, message, "unpaired", now)
            await send_text(session, sender.chat_id, t(texts.WAITING_FOR_MENTOR), now=now)
            return RelayResult.HELD_UNPAIRED
        not_before = await _flood_slot(session, flood, sender, mentor, now)
        await copy_between(session, pairing, sender, mentor, message, now, not_before)
        return RelayResult.RELAYED

    mentees = await active_mentees(session, sender.id)
    target, ended, quoted = await _mentor_target(session, message, mentees)
    # Whom the words are addressed to, when known, so that an alarm about a mentee names
    # them; the mentor's own danger is theirs whatever the target.
    await _assess(
        session,
        escalations,
        message,
        sender,
        target[1] if target else None,
        sender,
        target[0] if target else None,
        now,
    )
    if ended or not mentees:
        # A cover that ended, or a mentor away while covered: said so, never redirected.
        why = await refusal_for_mentor(session, mentor=sender, pairing_id=quoted)
        if ended:
            refusal = why or t(texts.REPLY_TO_ENDED_PAIRING)
            await send_text(session, sender.chat_id, refusal, now=now)
            return RelayResult.REPLY_TO_ENDED
        await send_text(session, sender.chat_id, why or t(texts.NO_MENTEES), now=now)
        return RelayResult.NO_MENTEES
    if target is None:
        held = _hold(session, sender, message, "choose", now)
        await session.flush()
        buttons: list[list[Button]] = [[(m.pseudonym, f"to:{held.id}:{m.id}")] for _, m in mentees]
        buttons.append([(t(texts.CHOOSE_CANCEL), f"to:{held.id}:0")])
        prompt = t(texts.CHOOSE_RECIPIENT) if len(mentees) > 1 else t(texts.CHOOSE_RECIPIENT_REPLY)
        await send_text(session, sender.chat_id, prompt, buttons=buttons, now=now)
        return RelayResult.ASKED_RECIPIENT
    pairing, mentee = target
    not_before = await _flood_slot(session, flood, sender, mentee, now)
    await copy_between(session, pairing, sender, mentee, message, now, not_before)
    return RelayResult.RELAYED


async def _mentor_target(
    session: AsyncSession, message: Incoming, mentees: Sequence[tuple[Pairing, Member]]
) -> tuple[tuple[Pairing, Member] | None, bool, int | None]:
    """Which of the mentor's mentees a message goes to, if that is clear, whether it is a
    reply into a conversation that is no longer theirs (ended, or a cover that ended: it then
    goes to nobody), and the pairing of the message it replies to."""
    if message.reply_to_message_id is None:
        return (mentees[0] if len(mentees) == 1 else None), False, None
    record = await record_for(session, message.chat_id, message.reply_to_message_id)
    if record is None:
        # A reply to a message the bot cannot place (a notice, or one whose routing record
        # was erased with its writer) is never guessed: the mentor says to whom.
        return None, False, None
    target = next(((p, m) for p, m in mentees if p.id == record.pairing_id), None)
    return target, target is None, record.pairing_id


async def _replies_to_ended(
    session: AsyncSession, message: Incoming, current: Pairing | None
) -> bool:
    """Whether a mentee's reply quotes a message of a pairing other than their current one."""
    assert message.reply_to_message_id is not None
    record = await record_for(session, message.chat_id, message.reply_to_message_id)
    return record is not None and (current is None or record.pairing_id != current.id)


async def _flood_slot(
    session: AsyncSession,
    flood: FloodGate | None,
    sender: Member,
    recipient: Member,
    now: datetime,
) -> datetime | None:
    """When this message may go: now, or later if the sender is over the per-minute limit
    (told once per burst). Nothing is dropped; later messages queue behind it."""
    if flood is None:
        return None
    slot = flood.admit(sender.id, now)
    if slot.first_delayed and slot.not_before is not None:
        await send_text(
            session,
            sender.chat_id,
            t(texts.SLOW_DOWN, limit=flood.per_minute, pseudonym=h(recipient.pseudonym)),
            now=now,
        )
    return slot.not_before


async def _assess(
    session: AsyncSession,
    escalations: EscalationPolicy | None,
    message: Incoming,
    writer: Member,
    mentee: Member | None,
    mentor: Member | None,
    pairing: Pairing | None,
    now: datetime,
) -> None:
    """Assess the writer's text and raise what its tier calls for (an escalation now, or a
    concern for the mentor to answer)."""
    if escalations is None or not message.text:
        return
    found = assess(message.text)
    await raise_alarm(
        session,
        policy=escalations,
        assessment=found,
        writer=writer,
        mentee=mentee,
        mentor=mentor,
        pairing=pairing,
        text=message.text,
        source_message_id=message.message_id,
        raised_by="detected",
        now=now,
    )


async def assess_edit(
    session: AsyncSession,
    *,
    writer: Member,
    message: Incoming,
    escalations: EscalationPolicy | None,
    now: datetime,
) -> None:
    """An edited message is assessed like a new one, whether it was relayed, is still kept
    or waits in the outbox (the copy carries the text as it is when it is sent). An edit of
    a message that already has an open escalation adds to that escalation's trail."""
    await assess_alone(session, writer=writer, message=message, escalations=escalations, now=now)


async def assess_alone(
    session: AsyncSession,
    *,
    writer: Member,
    message: Incoming,
    escalations: EscalationPolicy | None,
    now: datetime,
) -> None:
    """Assess words a member wrote that are not being relayed now (an edit, the text typed
    after a command), with the writer's current pairing as context."""
    if escalations is None or not message.text:
        return
    # Staff on an open escalation see every later version of its words, an "I'm fine, wrong
    # chat" as much as a worse one.
    if await note_edit_on_open_escalation(
        session,
        policy=escalations,
        writer=writer,
        source_message_id=message.message_id,
        text=message.text,
        now=now,
    ):
        return
    if assess(message.text).tier is Tier.NONE:
        return
    if writer.role == "mentee":
        current = await active_mentor_of(session, writer.id)
        pairing, mentor = current if current is not None else (None, None)
        await _assess(session, escalations, message, writer, writer, mentor, pairing, now)
    else:
        await _assess(session, escalations, message, writer, None, writer, None, now)


async def choose_recipient(
    session: AsyncSession,
    *,
    mentor: Member,
    held_id: int,
    mentee_id: int,
    prompt_id: int,
    now: datetime,
) -> Text:
    """Send (or drop) a mentor's held message to the mentee they picked; returns a toast."""
    held = await session.get(HeldMessage, held_id)
    if held is None or held.member_id != mentor.id:
        return t(texts.NOT_YOUR_BUTTON)
    if held.status != "held":
        return t(texts.CHOICE_STALE)
    if mentee_id == 0:
        held.status = "cancelled"
        await edit_text(session, mentor.chat_id, prompt_id, t(texts.NOT_SENT), now=now)
        return t(texts.NOT_SENT)
    chosen = next(
        ((p, m) for p, m in await active_mentees(session, mentor.id) if m.id == mentee_id), None
    )
    if chosen is None:
        return t(texts.CHOICE_STALE)
    pairing, mentee = chosen
    held.status = "delivered"
    held.delivered_at = now
    await copy_between(
        session,
        pairing,
        mentor,
        mentee,
        Incoming(chat_id=held.source_chat_id, message_id=held.source_message_id),
        now,
    )
    await edit_text(
        session,
        mentor.chat_id,
        prompt_id,
        t(texts.SENT_TO, mentee=h(mentee.pseudonym)),
        now=now,
    )
    return t(texts.SENT_TO_TOAST, mentee=mentee.pseudonym)


async def release_held_for_mentee(
    session: AsyncSession, *, pairing: Pairing, mentee: Member, mentor: Member, now: datetime
) -> int:
    """Deliver what a mentee wrote while they had no mentor, oldest first."""
    held = (
        await session.scalars(
            select(HeldMessage)
            .where(
                HeldMessage.member_id == mentee.id,
                HeldMessage.status == "held",
                HeldMessage.reason == "unpaired",
            )
            .order_by(HeldMessage.id)
        )
    ).all()
    if not held:
        return 0
    await notify_member(
        session,
        mentor,
        t_plural(texts.HELD_DELIVERED_MENTOR_PLURAL, len(held), mentee=h(mentee.pseudonym)),
        now=now,
    )
    for item in held:
        item.status = "delivered"
        item.delivered_at = now
        await copy_between(
            session,
            pairing,
            mentee,
            mentor,
            Incoming(chat_id=item.source_chat_id, message_id=item.source_message_id),
            now,
        )
    return len(held)


async def relay_edit(
    session: AsyncSession,
    *,
    sender: Member,
    chat_id: int,
    message_id: int,
    text: str | None,
    caption: str | None,
    entities: list[dict[str, Any]] | None,
    now: datetime,
    escalations: EscalationPolicy | None = None,
) -> bool:
    """Assess the edited text, then mirror the edit onto the other side's copy when both are
    text (say so otherwise). Returns whether an edit was queued."""
    await assess_edit(
        session,
        writer=sender,
        message=Incoming(chat_id=chat_id, message_id=message_id, text=text or caption),
        escalations=escalations,
        now=now,
    )
    record = await session.scalar(
        select(RelayedMessage)
        .where(
            RelayedMessage.source_chat_key == lookup(chat_id),
            RelayedMessage.source_message_id == message_id,
        )
        .order_by(RelayedMessage.id.desc())
    )
    if record is None:
        return False
    pairing = await session.get(Pairing, record.pairing_id)
    if pairing is None or pairing.ended_at is not None:
        return False
    # An edit is new words: like a reply, it goes only between people still in the
    # conversation (a cover that ended takes its cover mentor out, both ways).
    present = await in_conversation(session, pairing)
    if sender.id not in present:
        why = await refusal_for_mentor(session, mentor=sender, pairing_id=pairing.id)
        await send_text(session, sender.chat_id, why or t(texts.REPLY_TO_ENDED_PAIRING), now=now)
        return False
    if not any(
        record.dest_chat_key == lookup(m.chat_id)
        for m in [await session.get(Member, i) for i in present]
        if m is not None
    ):
        return False
    if not record.is_text or text is None:
        await send_text(session, sender.chat_id, t(texts.EDIT_NOT_RELAYED), now=now)
        return False
    payload: dict[str, Any] = {"text": text, RESOLVE_MESSAGE_ID_FROM_RELAY: record.id}
    if entities:
        payload["entities"] = entities
    if record.direction == "to_mentor":
        mentee = await session.get(Member, pairing.mentee_id)
        mentor = await session.get(Member, pairing.mentor_id)
        assert mentee is not None and mentor is not None
        # Without reply_markup the edit would drop the label.
        payload["reply_markup"] = label_markup(mentee, language_of_member(session, mentor))
    await enqueue(
        session,
        chat_id=record.dest_chat_id,
        method="editMessageText",
        payload=payload,
        now=now,
        priority=Priority.RELAY,
    )
    return True


def hold_for_return(
    session: AsyncSession, sender_id: int, message: Incoming, recipient_id: int, now: datetime
) -> None:
    """Keep a message for a recipient the bot cannot reach, until they come back."""
    session.add(
        HeldMessage(
            member_id=sender_id,
            source_chat_id=message.chat_id,
            source_message_id=message.message_id,
            reason="unreachable",
            target_member_id=recipient_id,
            status="held",
            created_at=now,
        )
    )


def _hold(
    session: AsyncSession, sender: Member, message: Incoming, reason: str, now: datetime
) -> HeldMessage:
    held = HeldMessage(
        member_id=sender.id,
        source_chat_id=message.chat_id,
        source_message_id=message.message_id,
        reason=reason,
        status="held",
        created_at=now,
    )
    session.add(held)
    return held


async def record_for(
    session: AsyncSession, chat_id: int, message_id: int
) -> RelayedMessage | None:
    """The routing record of a message in this chat, whether it was the original or the copy."""
    chat_key = lookup(chat_id)
    return await session.scalar(
        select(RelayedMessage)
        .where(
            or_(
                (RelayedMessage.dest_chat_key == chat_key)
                & (RelayedMessage.dest_message_id == message_id),
                (RelayedMessage.source_chat_key == chat_key)
                & (RelayedMessage.source_message_id == message_id),
            )
        )
        .order_by(RelayedMessage.id.desc())
    )


# Built once: it runs for every relayed message.
_INSERT_RELAYED = insert(RELAYED).execution_options(**{INDEPENDENT: True})  # needs no outbox row


async def copy_between(
    session: AsyncSession,
    pairing: Pairing,
    sender: Member,
    recipient: Member,
    message: Incoming,
    now: datetime,
    not_before: datetime | None = None,
) -> None:
    """Queue a copy of the sender's message for the recipient, with its routing record.

    For a recipient the bot cannot reach, the message is held for their return instead.
    """
    if not recipient.reachable:
        hold_for_return(session, sender.id, message, recipient.id, now)
        await send_text(
            session,
            sender.chat_id,
            t(texts.RECIPIENT_UNREACHABLE, pseudonym=h(recipient.pseudonym)),
            now=now,
        )
        return
    inserted = await session.execute(
        _INSERT_RELAYED,
        {
            "pairing_id": pairing.id,
            "direction": "to_mentor" if recipient.role == "mentor" else "to_mentee",
            "source_chat_id": message.chat_id,
            "source_chat_key": lookup(message.chat_id),
            "source_message_id": message.message_id,
            "dest_chat_id": recipient.chat_id,
            "dest_chat_key": lookup(recipient.chat_id),
            "is_text": message.is_text,
            "created_at": now,
        },
    )
    assert isinstance(inserted, CursorResult) and inserted.inserted_primary_key is not None
    relay_id = inserted.inserted_primary_key[0]  # SQLite: the cursor's lastrowid, no fetch
    payload: dict[str, Any] = {"from_chat_id": message.chat_id, "message_id": message.message_id}
    if recipient.role == "mentor":
        payload["reply_markup"] = label_markup(sender, language_of_member(session, recipient))
    if message.reply_to_message_id is not None:
        replied = await record_for(session, message.chat_id, message.reply_to_message_id)
        recipient_key = lookup(recipient.chat_id)
        if replied is not None and replied.pairing_id == pairing.id:
            # Under a cover the same pairing spans three chats: quote only a message that is
            # in the recipient's own chat, never an id from someone else's.
            if replied.dest_chat_key == lookup(message.chat_id):
                if replied.source_chat_key == recipient_key:
                    payload["reply_parameters"] = {
                        "message_id": replied.source_message_id,
                        "allow_sending_without_reply": True,
                    }
            elif replied.dest_chat_key != recipient_key:
                pass  # its copy went to another chat (before or during a cover)
            elif replied.dest_message_id is not None:
                payload["reply_parameters"] = {
                    "message_id": replied.dest_message_id,
                    "allow_sending_without_reply": True,
                }
            else:
                payload[RESOLVE_REPLY_TO_RELAY] = replied.id
    await enqueue(
        session,
        chat_id=recipient.chat_id,
        method="copyMessage",
        payload=payload,
        now=now,
        priority=Priority.RELAY,
        relay_id=relay_id,
        not_before=not_before,
    )


async def label_hint(
    session: AsyncSession, *, mentor: Member, mentee_id: int, chat_id: int, message_id: int
) -> Text:
    """The toast for the label under a copy: how to answer that mentee, or that its
    conversation has ended (a reply to it would go nowhere)."""
    mentee = await session.get(Member, mentee_id)
    pairings = (
        await session.scalars(
            select(Pairing).where(Pairing.mentor_id == mentor.id, Pairing.mentee_id == mentee_id)
        )
    ).all()
    if mentee is None or not pairings:
        return t(texts.NOT_YOUR_BUTTON)
    record = await record_for(session, chat_id, message_id)
    if record is not None:
        live = any(p.id == record.pairing_id and p.ended_at is None for p in pairings)
    else:  # its routing record is gone (erased or past retention): judge by the pairing
        live = any(p.ended_at is None for p in pairings)
    if not live:
        return t(texts.LABEL_ENDED)
    return t(texts.LABEL_HINT, pseudonym=mentee.pseudonym)


async def report_undeliverable(session: AsyncSession, *, relay_id: int, now: datetime) -> None:
    """A copy was refused for good: tell its writer, replying to the message concerned."""
    record = await session.get(RelayedMessage, relay_id)
    if record is None:
        return
    payload: dict[str, Any] = {
        "text": tr(await recipient_language(session, record.source_chat_id), texts.NOT_DELIVERED),
        "parse_mode": "HTML",
        "reply_parameters": {
            "message_id": record.source_message_id,
            "allow_sending_without_reply": True,
        },
    }
    await enqueue(
        session,
        chat_id=record.source_chat_id,
        method="sendMessage",
        payload=payload,
        now=now,
        priority=Priority.RELAY,
    )
