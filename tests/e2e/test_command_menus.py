"""Telegram's command menu per person: each role sees only its commands, set when they enrol
or become a coordinator, removed when they leave; strangers see the default."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from bot import texts
from emulator import BotApiEmulator, FakeUser
from storage.models import OutboxMessage
from tests.e2e.conftest import Program

MENTEE_ONLY = {"checkin", "schedule", "quiet", "pause", "resume", "sober"}
MENTOR_ONLY = {"flag"}
STAFF_ONLY = {"invite", "invites", "members", "pair", "match", "escalations", "coordinators"}


async def get_commands(emu: BotApiEmulator, chat_id: int | None = None) -> list[str]:
    """getMyCommands for one chat's scope (or the default scope), as the Bot API answers."""
    params: dict[str, Any] = {}
    if chat_id is not None:
        params["scope"] = {"type": "chat", "chat_id": chat_id}
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{emu.base_url}{emu.token}/getMyCommands", json=params)
    assert response.status_code == 200, response.text
    return [c["command"] for c in response.json()["result"]]


async def test_strangers_see_the_default_menu(program: Program, emu: BotApiEmulator) -> None:
    await program.settle()
    assert await get_commands(emu) == ["start", "help", "id"]
    stranger = emu.user(7900000009, "Stranger")
    await program.scenario.say(stranger, "/start")
    await program.settle()
    assert await get_commands(emu, stranger.id) == []
    assert emu.menu_seen_in(stranger.id) == ["start", "help", "id"]


async def test_each_role_sees_only_its_commands_once_enrolled(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    mentee = set(await get_commands(emu, sam.id))
    mentor = set(await get_commands(emu, alex.id))
    assert {"help", "sos", "mydata", "deleteme", "progress", "id"} <= mentee & mentor
    assert MENTEE_ONLY <= mentee and not mentee & (MENTOR_ONLY | STAFF_ONLY)
    assert MENTOR_ONLY <= mentor and not mentor & (MENTEE_ONLY | STAFF_ONLY)
    # The coordinator's menu is set when they start the bot (and at every start-up).
    await program.scenario.say(program.coordinator, "/start")
    await program.settle()
    staff = set(await get_commands(emu, program.coordinator.id))
    assert STAFF_ONLY <= staff and "health" in staff and "erase" in staff
    assert not staff & (MENTEE_ONLY | MENTOR_ONLY | {"sos", "mydata"})


async def test_a_coordinator_added_and_removed_gets_and_loses_the_staff_menu(
    program: Program, emu: BotApiEmulator
) -> None:
    newcomer = emu.user(4242, "Nia")
    await program.scenario.say(newcomer, "/id")
    await program.scenario.say(program.coordinator, "/coordinators add 4242")
    await program.settle()
    assert STAFF_ONLY <= set(await get_commands(emu, newcomer.id))
    await program.scenario.say(program.coordinator, "/coordinators remove 4242")
    await program.settle()
    assert await get_commands(emu, newcomer.id) == []
    assert emu.menu_seen_in(newcomer.id) == ["start", "help", "id"]


async def test_a_member_who_leaves_or_is_erased_loses_their_menu(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    assert await get_commands(emu, sam.id)

    ask = await program.scenario.say(sam, "/deleteme")
    assert ask is not None
    await program.scenario.press_label(sam, ask, texts.ERASE_YES)
    await program.settle()
    assert await get_commands(emu, sam.id) == []

    ask = await program.scenario.say(program.coordinator, "/erase Alex")
    assert ask is not None
    await program.scenario.press_label(program.coordinator, ask, texts.ERASE_YES)
    await program.settle()
    assert await get_commands(emu, alex.id) == []


async def test_welcome_messages_mention_help_and_sos(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    for person, role in ((sam, "mentee"), (alex, "mentor")):
        code = await program.scenario.invite(program.coordinator, role)
        welcome = await program.scenario.enrol(person, code, person.first_name[:4])
        assert "/help" in welcome["text"] and "/sos" in welcome["text"], welcome["text"]
    greeting = await program.scenario.say(program.coordinator, "/start")
    assert greeting is not None
    assert "/help" in greeting["text"] and "/sos" in greeting["text"], greeting["text"]


async def test_a_menu_telegram_refuses_loses_nothing_else(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.inject("403", method="setMyCommands", chat_id=None, times=1)
    emu.inject("400", method="setMyCommands", chat_id=None, times=1)
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    assert "Paired" in await program.pair("Sam", "Alex")
    emu.user_sends(sam, "hello Alex")
    await emu.wait_for_bot_message(alex.id, "hello Alex")
    await program.settle()
    # Nobody was marked unreachable, nothing parked as undeliverable, nothing left waiting.
    report = await program.scenario.say(program.coordinator, "/health")
    assert report is not None
    assert "Parked as undeliverable: 0" in report["text"]
    assert "Members the bot cannot reach: 0" in report["text"]
    await program.settle()  # the /health reply arrives before its row is marked sent
    async with program.runtime.session_factory() as s:
        pending = await s.scalar(
            select(func.count()).where(OutboxMessage.status != "sent")
        )
    assert pending == 0
