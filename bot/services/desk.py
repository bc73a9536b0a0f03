"""The coordinator's desk: one forum topic per person in the staff chat.

When the staff chat (COORDINATOR_CHAT_ID) is a forum supergroup, everything about a person
(escalation cards, concern climbs, risky check-ins, missed check-in alerts, staff notes) goes
to their topic, so their history is one scroll; a coordinator writing in that topic writes to
the person, through the bot, labelled as program staff. Topics are created through the outbox
like every other call: the topic row is written with the first message about the person, the
delivery worker records the thread id Telegram gives, and messages queued behind it are put in
the topic when they are sent. Without a forum the staff chat gets plain cards, as before.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import t
from bot.services.members import find_member, is_coordinator
from bot.services.outbox import (
    RESOLVE_THREAD_OF_MEMBER,
    THREAD_RETRIED,
    TOPIC_RECEIPT,
    Priority,
    enqueue,
    h,
    notify_member,
    send_text,
)
from storage.models import Escalation, EscalationEvent, Member, OutboxMessage, PersonThread

log = logging.getLogger(__name__)

TOPIC_NAME_LIMIT = 128  # Telegram's, in characters
THREAD_NOT_FOUND = "message thread not found"
TOPIC_CLOSED = "topic_closed"


def topic_name(member: Member) -> str:
    return f"{member.pseudonym} · {member.short_id}"[:TOPIC_NAME_LIMIT]


async def topic_for(
    session: AsyncSession, *, forum_chat_id: int | None, member: Member | None, now: datetime
) -> int | None:
    """The member whose topic a staff-chat message about `member` goes to (pass it as
    `thread_of`), creating the topic with the first message; None without a forum."""
    if forum_chat_id is None or member is None or member.erased_at is not None:
        return None
    thread = await session.get(PersonThread, member.id)
    if thread is not None and thread.chat_id == forum_chat_id:
        return member.id
    if thread is None:
        thread = PersonThread(member_id=member.id, chat_id=forum_chat_id, created_at=now)
        session.add(thread)
    else:  # the staff chat changed: a topic in the new one
        thread.chat_id, thread.thread_id, thread.created_at = forum_chat_id, None, now
    await _create_topic(session, thread, member, now)
    return member.id


async def _create_topic(
    session: AsyncSession, thread: PersonThread, member: Member, now: datetime
) -> None:
    await enqueue(
        session,
        chat_id=thread.chat_id,
        method="createForumTopic",
        payload={"name": topic_name(member), TOPIC_RECEIPT: member.id},
        now=now,
        priority=Priority.ESCALATION,  # before every message queued for the topic
    )


async def topic_created(
    session: AsyncSession, *, member_id: int, chat_id: int, thread_id: int
) -> None:
    """Telegram created the topic: messages about the member go into it from now on."""
    thread = await session.get(PersonThread, member_id)
    if thread is not None and thread.chat_id == chat_id:
        thread.thread_id = thread_id
        log.info("forum topic created member=%s thread=%s", member_id, thread_id)


async def topic_not_created(session: AsyncSession, *, member_id: int) -> None:
    """Telegram refused the topic (rights taken away, say): messages go to General, and the
    next message about the member tries again."""
    thread = await session.get(PersonThread, member_id)
    if thread is not None and thread.thread_id is None:
        await session.delete(thread)
    log.warning("forum topic not created member=%s: posting in General", member_id)


async def thread_id_for(session: AsyncSession, payload: dict[str, object]) -> int | None:
    """At send time: the topic a queued staff message goes to (None: General)."""
    member_id = payload.get(RESOLVE_THREAD_OF_MEMBER)
    if not isinstance(member_id, int):
        return None
    thread = await session.get(PersonThread, member_id)
    if thread is None or thread.thread_id is None or thread.chat_id != payload.get("chat_id"):
        return None
    return thread.thread_id


async def thread_unusable(
    session: AsyncSession, *, row: OutboxMessage, error: str, used: int | None, now: datetime
) -> bool:
    """Telegram refused a message for its topic: deleted (recreate it) or closed (reopen
    it). The message is queued again behind that, once; a second refusal puts it in General.
    Returns whether the row was taken care of (it is then deleted: its copy replaces it)."""
    reason = error.lower()
    if THREAD_NOT_FOUND not in reason and TOPIC_CLOSED not in reason:
        return False
    payload = json.loads(row.payload or "{}")
    member_id = payload.get(RESOLVE_THREAD_OF_MEMBER)
    if not isinstance(member_id, int):
        return False
    thread = await session.get(PersonThread, member_id)
    member = await session.get(Member, member_id)
    retried = bool(payload.pop(THREAD_RETRIED, False))
    if retried or thread is None or member is None or member.erased_at is not None:
        payload.pop(RESOLVE_THREAD_OF_MEMBER, None)
        log.warning("forum topic unusable member=%s: message posted in General", member_id)
    elif THREAD_NOT_FOUND in reason:
        if used is not None and thread.thread_id == used:
            thread.thread_id = None
            log.warning("forum topic deleted member=%s thread=%s: recreating", member_id, used)
            await _create_topic(session, thread, member, now)
        payload[THREAD_RETRIED] = True
    else:
        if used is not None and thread.thread_id == used:
            log.warning("forum topic closed member=%s thread=%s: reopening", member_id, used)
            await enqueue(
                session,
                chat_id=thread.chat_id,
                method="reopenForumTopic",
                payload={"message_thread_id": used},
                now=now,
                priority=Priority.ESCALATION,
            )
        payload[THREAD_RETRIED] = True
    chat_id = int(payload.pop("chat_id"))
    await enqueue(
        session,
        chat_id=chat_id,
        method=row.method,
        payload=payload,
        now=now,
        priority=Priority(row.priority),
    )
    await session.delete(row)
    return True


async def member_of_thread(
    session: AsyncSession, *, chat_id: int, thread_id: int
) -> Member | None:
    """Whose topic this is (None: General, a topic of staff's own, or an erased member)."""
    member = await session.scalar(
        select(Member)
        .join(PersonThread, PersonThread.member_id == Member.id)
        .where(PersonThread.chat_id == chat_id, PersonThread.thread_id == thread_id)
    )
    return None if member is None or member.erased_at is not None else member


async def write_to_member(
    session: AsyncSession,
    *,
    forum_chat_id: int | None,
    coordinator: int,
    member: Member,
    text: str,
    answer_chat_id: int,
    answer_thread_of: int | None,
    now: datetime,
) -> None:
    """A coordinator writes to a member through the bot: labelled as program staff, never
    naming who. The member's topic keeps a note of it (unless it was written there), and the
    member's latest open escalation records it in its trail."""
    sent = await notify_member(
        session,
        member,
        t(texts.STAFF_MESSAGE, text=h(text)),
        now=now,
        priority=Priority.ESCALATION,
    )
    escalation = await session.scalar(
        select(Escalation)
        .where(
            (Escalation.mentee_id == member.id) | (Escalation.writer_id == member.id),
            Escalation.status != "resolved",
        )
        .order_by(Escalation.id.desc())
    )
    if escalation is not None:
        session.add(
            EscalationEvent(
                escalation_id=escalation.id,
                at=now,
                kind="staff wrote" if sent else "staff msg not sent",
                actor=coordinator,
                detail=f"to the {member.role}" if sent else "unreachable",
            )
        )
    answer = t(
        texts.STAFF_MESSAGE_SENT if sent else texts.STAFF_MESSAGE_NOT_SENT,
        mentee=h(member.pseudonym),
    )
    await send_text(
        session,
        answer_chat_id,
        answer,
        now=now,
        priority=Priority.ESCALATION,
        thread_of=answer_thread_of,
    )
    topic = await topic_for(session, forum_chat_id=forum_chat_id, member=member, now=now)
    if sent and topic is not None and answer_thread_of != topic and forum_chat_id is not None:
        await send_text(
            session,
            forum_chat_id,
            t(texts.DESK_STAFF_NOTE, member=h(member.pseudonym), text=h(text)),
            now=now,
            priority=Priority.ESCALATION,
            thread_of=topic,
        )


async def staff_wrote_in_topic(
    session: AsyncSession,
    *,
    forum_chat_id: int | None,
    coordinator: int,
    chat_id: int,
    thread_id: int,
    text: str | None,
    now: datetime,
) -> None:
    """A message in a person's topic: a coordinator's words reach that person as program
    staff. Others in the staff chat, General and topics of staff's own are left alone."""
    if forum_chat_id is None or chat_id != forum_chat_id:
        return
    member = await member_of_thread(session, chat_id=chat_id, thread_id=thread_id)
    if member is None or not await is_coordinator(session, coordinator):
        return
    if not text or not text.strip():
        await send_text(session, chat_id, t(texts.DESK_TEXT_ONLY), now=now, thread_of=member.id)
        return
    await write_to_member(
        session,
        forum_chat_id=forum_chat_id,
        coordinator=coordinator,
        member=member,
        text=text,
        answer_chat_id=chat_id,
        answer_thread_of=member.id,
        now=now,
    )


async def reply_command(
    session: AsyncSession,
    *,
    forum_chat_id: int | None,
    coordinator: int,
    args: list[str],
    chat_id: int,
    now: datetime,
) -> None:
    """`/reply <short id or pseudonym> <text>`: the same as writing in the person's topic."""
    member = await find_member(session, args[0]) if len(args) >= 2 else None
    if len(args) < 2:
        await send_text(session, chat_id, t(texts.DESK_REPLY_USAGE), now=now)
        return
    if member is None:
        await send_text(session, chat_id, t(texts.DESK_REPLY_NOBODY, ref=h(args[0])), now=now)
        return
    await write_to_member(
        session,
        forum_chat_id=forum_chat_id,
        coordinator=coordinator,
        member=member,
        text=" ".join(args[1:]),
        answer_chat_id=chat_id,
        answer_thread_of=None,
        now=now,
    )
