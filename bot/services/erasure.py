"""/deleteme: erase a member's data. The pairing ends and the other side is told; what they
wrote and what was recorded about them goes; escalations keep only the fact of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.i18n import Text, t, tr
from bot.services import reminders
from bot.services.escalation import flagged_words_of_mentee
from bot.services.languages import language_of_member, program_language
from bot.services.lifecycle import end_covers_of_erased
from bot.services.menus import refresh_menu
from bot.services.outbox import (
    Button,
    Priority,
    cancel_copies_of,
    cancel_for_chat,
    edit_text,
    enqueue,
    h,
    notify_member,
    send_text,
)
from bot.services.retention import redact_escalations
from storage.crypto import lookup
from storage.db import checkpoint_after_commit
from storage.models import (
    CheckIn,
    CheckInSchedule,
    CheckInTrigger,
    CopingRun,
    EnrolmentDraft,
    Escalation,
    EscalationEvent,
    Goal,
    GoalCheck,
    HeldMessage,
    Member,
    MemberConsent,
    MentorChangeRequest,
    MentorReport,
    MentorWellbeing,
    Pairing,
    PersonThread,
    RecoveryPlan,
    RelayedMessage,
)


def confirm_buttons(member_id: int) -> list[list[Button]]:
    return [
        [(t(texts.ERASE_YES), f"del:{member_id}:yes"), (t(texts.ERASE_NO), f"del:{member_id}:no")]
    ]


async def ask(session: AsyncSession, *, chat_id: int, member: Member, now: datetime) -> None:
    await send_text(
        session,
        chat_id,
        t(texts.ERASE_CONFIRM, pseudonym=h(member.pseudonym), short_id=member.short_id),
        buttons=confirm_buttons(member.id),
        now=now,
    )


async def erase(
    session: AsyncSession,
    *,
    member: Member,
    now: datetime,
    staff_chat_id: int | None = None,
    forum_chat_id: int | None = None,
    default_capacity: int = 3,
) -> None:
    """Erase everything about the member except the anonymous fact of their escalations.
    The staff chats and capacity are for asking staff again for a cover they held."""
    chat_id = member.chat_id
    telegram_user_id = member.telegram_user_id
    chat_key = lookup(chat_id)
    pairings = (
        await session.scalars(
            select(Pairing).where(
                or_(Pairing.mentee_id == member.id, Pairing.mentor_id == member.id),
                Pairing.ended_at.is_(None),
            )
        )
    ).all()
    await end_covers_of_erased(
        session,
        member=member,
        staff_chat_id=staff_chat_id,
        forum_chat_id=forum_chat_id,
        default_capacity=default_capacity,
        now=now,
    )
    for pairing in pairings:
        pairing.ended_at = now
        other = await session.get(
            Member, pairing.mentor_id if pairing.mentee_id == member.id else pairing.mentee_id
        )
        if other is not None:
            await notify_member(
                session, other, t(texts.PARTNER_LEFT, pseudonym=h(member.pseudonym)), now=now
            )
    relay_ids = select(RelayedMessage.id).where(
        or_(RelayedMessage.source_chat_key == chat_key, RelayedMessage.dest_chat_key == chat_key)
    )
    await cancel_copies_of(session, relay_ids)
    await cancel_for_chat(session, chat_id)
    await session.execute(
        delete(RelayedMessage).where(
            or_(
                RelayedMessage.source_chat_key == chat_key,
                RelayedMessage.dest_chat_key == chat_key,
            )
        )
    )
    await session.execute(
        delete(HeldMessage).where(
            or_(HeldMessage.member_id == member.id, HeldMessage.target_member_id == member.id)
        )
    )
    # Goals belong to the pairing, in both sides' words: they go with either side's erasure.
    their_checkins = select(CheckIn.id).where(CheckIn.member_id == member.id)
    their_goals = select(Goal.id).where(
        Goal.pairing_id.in_(
            select(Pairing.id).where(
                or_(Pairing.mentee_id == member.id, Pairing.mentor_id == member.id)
            )
        )
    )
    await session.execute(
        delete(GoalCheck).where(
            or_(GoalCheck.checkin_id.in_(their_checkins), GoalCheck.goal_id.in_(their_goals))
        )
    )
    await session.execute(delete(Goal).where(Goal.id.in_(their_goals)))
    await session.execute(
        delete(CheckInTrigger).where(CheckInTrigger.checkin_id.in_(their_checkins))
    )
    await session.execute(delete(CheckIn).where(CheckIn.member_id == member.id))
    await session.execute(delete(MemberConsent).where(MemberConsent.member_id == member.id))
    await session.execute(delete(CheckInSchedule).where(CheckInSchedule.member_id == member.id))
    await session.execute(delete(RecoveryPlan).where(RecoveryPlan.member_id == member.id))
    await session.execute(delete(CopingRun).where(CopingRun.member_id == member.id))
    await session.execute(
        delete(MentorReport).where(
            or_(MentorReport.mentor_id == member.id, MentorReport.mentee_id == member.id)
        )
    )
    await reminders.erase_for(session, member.id)
    await session.execute(delete(MentorWellbeing).where(MentorWellbeing.mentor_id == member.id))
    await session.execute(
        delete(EnrolmentDraft).where(EnrolmentDraft.telegram_user_key == member.telegram_user_key)
    )
    await session.execute(
        delete(MentorChangeRequest).where(MentorChangeRequest.mentee_id == member.id)
    )
    await _rename_topic(session, member=member, now=now)
    involved = (
        await session.scalars(
            select(Escalation).where(
                or_(
                    Escalation.mentee_id == member.id,
                    Escalation.mentor_id == member.id,
                    Escalation.writer_id == member.id,
                )
            )
        )
    ).all()
    # About them (their own crisis): only the fact stays. Someone else's crisis that they were
    # the mentor in stays whole for the staff who must act on it, without the mentor's words.
    about = [e for e in involved if e.mentee_id == member.id or e.mentee_id is None]
    await redact_escalations(session, about)
    for escalation in involved:
        if escalation not in about and escalation.raised_by == "flag":
            escalation.flagged_text = flagged_words_of_mentee(escalation)
        session.add(
            EscalationEvent(
                escalation_id=escalation.id,
                at=now,
                kind="member erased their data" if escalation in about else "mentor erased data",
                actor=None,
                detail=None,
            )
        )
    language = language_of_member(session, member)  # for the last word, before it goes
    # The row stays as an anonymous placeholder (escalations and pairings refer to it).
    member.pseudonym = f"erased {member.short_id}"
    member.pseudonym_key = f"erased-{member.id}"
    member.telegram_user_id = -member.id
    member.chat_id = -member.id
    member.language = None
    member.tags = ""
    member.reachable = False
    member.note_offered_at = None
    member.erased_at = now
    # Queued under a key of its own: the hash of their chat is stored nowhere after this.
    await send_text(
        session,
        chat_id,
        t(texts.ERASED),
        now=now,
        chat_key=f"erased:{member.id}",
        language=language,
    )
    # Their menu goes too (a coordinator keeps the staff one), after the notice, on its key.
    await refresh_menu(
        session, telegram_user_id=telegram_user_id, now=now, chat_key=f"erased:{member.id}"
    )
    checkpoint_after_commit(session)


async def _rename_topic(session: AsyncSession, *, member: Member, now: datetime) -> None:
    """Their topic in the staff forum no longer carries their pseudonym."""
    thread = await session.get(PersonThread, member.id)
    if thread is None or thread.thread_id is None:
        return
    await enqueue(
        session,
        chat_id=thread.chat_id,
        method="editForumTopic",
        payload={
            "message_thread_id": thread.thread_id,
            "name": tr(program_language(session), texts.DESK_TOPIC_ERASED, member_id=member.id),
        },
        now=now,
        priority=Priority.ESCALATION,
    )


async def answer(
    session: AsyncSession,
    *,
    actor_id: int,
    actor_is_coordinator: bool,
    member_id: int,
    confirmed: bool,
    chat_id: int,
    message_id: int,
    staff_chat_id: int | None,
    forum_chat_id: int | None,
    default_capacity: int,
    now: datetime,
) -> Text | None:
    """A press on the confirmation: by the member themself, or by a coordinator."""
    member = await session.get(Member, member_id)
    if member is None or member.erased_at is not None:
        return t(texts.STALE_BUTTON)
    if member.telegram_user_id != actor_id and not actor_is_coordinator:
        return t(texts.NOT_YOUR_BUTTON)
    if not confirmed:
        await edit_text(session, chat_id, message_id, t(texts.ERASE_CANCELLED), now=now)
        return None
    pseudonym = member.pseudonym
    await erase(
        session,
        member=member,
        now=now,
        staff_chat_id=staff_chat_id,
        forum_chat_id=forum_chat_id,
        default_capacity=default_capacity,
    )
    if member.chat_id != chat_id and actor_is_coordinator:
        await edit_text(
            session,
            chat_id,
            message_id,
            t(texts.ERASED_FOR_COORDINATOR, pseudonym=h(pseudonym)),
            now=now,
        )
    return None
