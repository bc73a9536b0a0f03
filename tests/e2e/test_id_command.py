"""/id: anyone, anywhere, learns their own Telegram user id and the chat's id (to fill in
COORDINATOR_IDS and COORDINATOR_CHAT_ID), and nothing about a stranger is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.crypto import lookup
from storage.models import (
    OUTBOX,
    Coordinator,
    CoordinatorChange,
    EnrolmentDraft,
    InboxUpdate,
    Invite,
    Member,
)
from tests.e2e.conftest import Program

STAFF_GROUP = -100500
NEW_GROUP = -100888


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"coordinator_chat_id": STAFF_GROUP})


async def _id_reply(program: Program, user: FakeUser, chat_id: int) -> str:
    before = program.emu.last_message_id(chat_id)
    program.emu.user_sends(user, "/id", chat_id=None if chat_id == user.id else chat_id)
    await program.settle()
    replies = [
        str(m.get("text")) for m in program.emu.bot_messages(chat_id) if m["message_id"] > before
    ]
    assert len(replies) == 1, replies
    return replies[0]


def _says_ids(reply: str, user_id: int, chat_id: int) -> None:
    assert f"Your user id: {user_id}" in reply, reply
    assert f"This chat's id: {chat_id}" in reply, reply
    assert "COORDINATOR_IDS" in reply and "COORDINATOR_CHAT_ID" in reply, reply


async def _traces_of(program: Program, telegram_id: int) -> dict[str, int]:
    """Rows that name this person or their chat, table by table."""
    key = lookup(telegram_id)
    async with program.runtime.session_factory() as s:
        counts = {
            "members": await s.scalar(
                select(func.count()).where(Member.telegram_user_key == key)
            ),
            "drafts": await s.scalar(
                select(func.count()).where(EnrolmentDraft.telegram_user_key == key)
            ),
            "coordinators": await s.scalar(
                select(func.count()).where(Coordinator.telegram_user_id == telegram_id)
            ),
            "coordinator_changes": await s.scalar(
                select(func.count()).where(
                    or_(
                        CoordinatorChange.actor == telegram_id,
                        CoordinatorChange.target == telegram_id,
                    )
                )
            ),
            "invites": await s.scalar(
                select(func.count()).where(Invite.created_by == telegram_id)
            ),
            "outbox": await s.scalar(
                select(func.count()).select_from(OUTBOX).where(OUTBOX.c.chat_key.contains(key))
            ),
            # The update itself: its content is emptied once processed.
            "inbox": sum(
                1
                for payload in await s.scalars(select(InboxUpdate.payload))
                if str(telegram_id) in payload
            ),
        }
    return {name: int(count or 0) for name, count in counts.items()}


async def test_a_stranger_gets_their_ids_in_private_and_nothing_is_kept(
    program: Program, emu: BotApiEmulator
) -> None:
    stranger = emu.user(7900000009, "Stranger", username="who_knows")
    reply = await _id_reply(program, stranger, stranger.id)
    _says_ids(reply, stranger.id, stranger.id)
    assert await _traces_of(program, stranger.id) == {
        "members": 0,
        "drafts": 0,
        "coordinators": 0,
        "coordinator_changes": 0,
        "invites": 0,
        "outbox": 0,
        "inbox": 0,
    }


async def test_a_member_gets_their_ids(program: Program, emu: BotApiEmulator) -> None:
    sam = await program.join(emu.user(7100000001, "Samantha"), "mentee", "Sam")
    _says_ids(await _id_reply(program, sam, sam.id), sam.id, sam.id)


async def test_a_coordinator_gets_the_staff_groups_id(
    program: Program, emu: BotApiEmulator
) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")
    reply = await _id_reply(program, program.coordinator, STAFF_GROUP)
    _says_ids(reply, program.coordinator.id, STAFF_GROUP)


async def test_in_a_group_the_bot_was_just_added_to_a_stranger_gets_both_ids(
    program: Program, emu: BotApiEmulator
) -> None:
    emu.add_group(NEW_GROUP, "Our new staff group")
    stranger = emu.user(7900000010, "Newcomer")
    reply = await _id_reply(program, stranger, NEW_GROUP)
    _says_ids(reply, stranger.id, NEW_GROUP)
    traces = await _traces_of(program, stranger.id)
    assert traces == dict.fromkeys(traces, 0)
    # Other commands there are still turned away, as before.
    before = emu.last_message_id(NEW_GROUP)
    emu.user_sends(stranger, "/members", chat_id=NEW_GROUP)
    await program.settle()
    assert [m["text"] for m in emu.bot_messages(NEW_GROUP) if m["message_id"] > before] == [
        "I only work in private chats. Please message me directly."
    ]
