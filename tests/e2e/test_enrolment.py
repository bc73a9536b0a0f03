"""Joining the program by invite: consent, pseudonym, timezone, preferences."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotRuntime
from emulator import BotApiEmulator, FakeUser
from emulator.scenario import Scenario
from storage.models import EnrolmentDraft, Member
from tests.conftest import COORDINATOR_ID
from tests.helpers import FakeClock


async def _count(runtime: BotRuntime, model: type) -> int:
    factory: async_sessionmaker[AsyncSession] = runtime.session_factory
    async with factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_coordinator_invites_and_a_mentee_enrols(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser, runtime: BotRuntime
) -> None:
    reply = await scenario.say(coordinator, "/invite mentee")
    assert reply is not None
    assert f"https://t.me/{emu.bot_username}?start=" in reply["text"]
    code = reply["text"].split("?start=")[1].split()[0]

    sam = emu.user(2001, "Samantha")
    consent = await scenario.open_invite(sam, code)
    assert consent is not None
    assert "not an emergency service" in consent["text"]
    assert "988" in consent["text"]
    welcome = await scenario.enrol(
        sam, code, "Sam", timezone="Asia/Tokyo", language="es", tags=["opioids", "parenting"]
    )
    assert "Sam" in welcome["text"] and "M-0001" in welcome["text"]

    async with runtime.session_factory() as session:
        member = await session.scalar(select(Member))
    assert member is not None
    assert (member.role, member.pseudonym, member.timezone, member.language) == (
        "mentee",
        "Sam",
        "Asia/Tokyo",
        "es",
    )
    assert member.tag_list == ["opioids", "parenting"]
    # The coordinators hear about the newcomer, with a hint to match them.
    note = await emu.wait_for_bot_message(COORDINATOR_ID, "New mentee enrolled")
    assert "/match M-0001" in note["text"]


async def test_typed_timezone_is_validated(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser
) -> None:
    code = await scenario.invite(coordinator, "mentor")
    alex = emu.user(3001, "Alexander")
    consent = await scenario.open_invite(alex, code)
    assert consent is not None
    await scenario.press(alex, consent, f"cn:y:{code}:en")
    await emu.wait_for_bot_message(alex.id, "Choose a")
    await scenario.say(alex, "Alex")
    bad = await scenario.say(alex, "Mars/Olympus_Mons")
    assert bad is not None and "don't know that timezone" in bad["text"]
    good = await scenario.say(alex, "america/chicago")
    assert good is not None and "America/Chicago" in good["text"]


async def test_declining_consent_stores_nothing(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser, runtime: BotRuntime
) -> None:
    code = await scenario.invite(coordinator, "mentee")
    sam = emu.user(2001, "Samantha")
    consent = await scenario.open_invite(sam, code)
    assert consent is not None
    await scenario.press(sam, consent, f"cn:n:{code}:en")
    await emu.wait_for(
        lambda: "Nothing about you has been stored" in emu.bot_messages(sam.id)[-1]["text"],
        what="the decline message",
    )
    assert await _count(runtime, Member) == 0
    assert await _count(runtime, EnrolmentDraft) == 0
    # The invite is still good for when they change their mind.
    again = await scenario.open_invite(sam, code)
    assert again is not None and "Do you agree" in again["text"]


async def test_stranger_without_invite_is_told_how_to_join(
    emu: BotApiEmulator, scenario: Scenario, runtime: BotRuntime
) -> None:
    stranger = emu.user(4040, "Curious")
    reply = await scenario.say(stranger, "/start")
    assert reply is not None and "ask your program coordinator" in reply["text"]
    reply = await scenario.say(stranger, "hello?")
    assert reply is not None and "invite link" in reply["text"]
    assert await _count(runtime, Member) == 0
    assert await _count(runtime, EnrolmentDraft) == 0


async def test_forged_used_and_expired_codes_are_refused(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser, clock: FakeClock
) -> None:
    forged = await scenario.say(emu.user(4041, "Mallory"), "/start AAAAAAAAAAAAAAAAAAAAAA")
    assert forged is not None and "not valid" in forged["text"]

    code = await scenario.invite(coordinator, "mentee")
    await scenario.enrol(emu.user(2001, "Samantha"), code, "Sam")
    reused = await scenario.say(emu.user(2002, "Joanna"), f"/start {code}")
    assert reused is not None and "already been used" in reused["text"]

    old = await scenario.invite(coordinator, "mentee")
    clock.advance(days=8)
    expired = await scenario.say(emu.user(2003, "Pat"), f"/start {old}")
    assert expired is not None and "expired" in expired["text"]


async def test_bad_pseudonyms_get_a_reason(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser
) -> None:
    code = await scenario.invite(coordinator, "mentee")
    await scenario.enrol(emu.user(2001, "Samantha"), code, "Sam")
    code = await scenario.invite(coordinator, "mentee")
    jo = emu.user(2002, "Joanna")
    consent = await scenario.open_invite(jo, code)
    assert consent is not None
    await scenario.press(jo, consent, f"cn:y:{code}:en")
    await emu.wait_for_bot_message(jo.id, "Choose a")
    for attempt, reason in [
        ("x" * 40, "at most 24"),
        ("<b>Jo</b>", "only letters"),
        ("Program Staff", "mistaken for program staff"),
        ("C00rdinator Jo", "mistaken for program staff"),
        ("sam", "already uses it"),
        ("M-0001", "mistaken for program staff"),
        # Look-alikes from other scripts: Cyrillic о, Ѕ, С and М, Greek Α.
        ("Pr\u043egram \u0405taff", "mistaken for program staff"),
        ("\u0421oordinator", "mistaken for program staff"),
        ("\u0391dmin", "mistaken for program staff"),
        ("\u041c-0001", "mistaken for program staff"),
        ("erased M-0001", "mistaken for program staff"),
        ("\u0405am", "already uses it"),
    ]:
        reply = await scenario.say(jo, attempt)
        assert reply is not None and reason in reply["text"], (attempt, reply["text"])
    ok = await scenario.say(jo, "Jo B")
    assert ok is not None and "timezone" in ok["text"]
