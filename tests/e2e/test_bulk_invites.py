"""Bulk invites (/invite mentee 40), the CSV when they don't fit one message, and /invites with
its Revoke buttons."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from typing import Any

from sqlalchemy import func, select

from bot import texts
from emulator import BotApiEmulator, FakeUser
from emulator.scenario import LINK_RE
from storage.models import Invite, Member
from tests.e2e.conftest import Program

SHORT_ID_RE = re.compile(r"I-\d{4,}")


async def _invite_count(program: Program) -> int:
    async with program.runtime.session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(Invite)) or 0)


async def _new_bot_messages(program: Program, chat_id: int, text: str) -> list[dict[str, Any]]:
    before = program.emu.last_message_id(chat_id)
    program.emu.user_sends(program.coordinator, text)
    await program.settle()
    return [m for m in program.emu.bot_messages(chat_id) if m["message_id"] > before]


async def test_forty_links_in_one_message_each_enrols_exactly_one_person(
    program: Program, emu: BotApiEmulator
) -> None:
    coordinator = program.coordinator
    replies = await _new_bot_messages(program, coordinator.id, "/invite mentee 40")
    assert len(replies) == 1, [m.get("text") for m in replies]
    codes = [m.group(2) for m in LINK_RE.finditer(replies[0]["text"])]
    assert len(codes) == 40 and len(set(codes)) == 40
    assert "40" in replies[0]["text"] and "mentee" in replies[0]["text"]

    people = [emu.user(7_500_000_000 + n, f"Person{n}") for n in range(40)]
    welcomes = await asyncio.gather(
        *(
            program.scenario.enrol(person, code, f"Person{n}")
            for n, (person, code) in enumerate(zip(people, codes, strict=True))
        )
    )
    assert all("enrolled" in w["text"] for w in welcomes)
    await program.settle()
    async with program.runtime.session_factory() as s:
        members = (await s.scalars(select(Member))).all()
        used = (await s.scalars(select(Invite).where(Invite.used_at.is_not(None)))).all()
    assert len(members) == 40 and {m.role for m in members} == {"mentee"}
    assert len(used) == 40 and len({i.used_by_member_id for i in used}) == 40

    # A second use of any of them is refused.
    latecomer = emu.user(7_600_000_000, "Latecomer")
    reply = await program.scenario.say(latecomer, f"/start {codes[7]}")
    assert reply is not None and reply["text"] == texts.INVITE_USED


async def test_more_than_one_message_holds_comes_as_a_csv_file(
    program: Program, emu: BotApiEmulator
) -> None:
    coordinator = program.coordinator
    replies = await _new_bot_messages(program, coordinator.id, "/invite mentor 120")
    assert len(replies) == 1
    document = replies[0]
    assert document["document"]["file_name"].endswith(".csv")
    content = emu.uploads[(coordinator.id, document["message_id"])].decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["link", "role", "expires_utc"]
    body = rows[1:]
    assert len(body) == 120 and {r[1] for r in body} == {"mentor"}
    codes = [LINK_RE.fullmatch(r[0]).group(2) for r in body]  # type: ignore[union-attr]
    assert len(set(codes)) == 120
    assert {r[2] for r in body} == {"2026-03-09 12:00"}  # INVITE_TTL_DAYS (7) from now
    assert await _invite_count(program) == 120
    # Any of them works.
    consent = await program.scenario.open_invite(emu.user(7_500_000_001, "Pat"), codes[99])
    assert consent is not None and "invited as a mentor" in consent["text"]


async def test_bad_counts_get_a_usage_line_and_create_nothing(program: Program) -> None:
    coordinator = program.coordinator
    for command in (
        "/invite mentee -3",
        "/invite mentee lots",
        "/invite boss 5",
        "/invite mentee 0",
        "/invite mentee 5 6",
        "/invite mentee ٣",
    ):
        replies = await _new_bot_messages(program, coordinator.id, command)
        assert [m["text"] for m in replies] == [
            "Usage: /invite mentee or /invite mentor, optionally with how many links "
            "(1 to 200): /invite mentee 40"
        ], command
    replies = await _new_bot_messages(program, coordinator.id, "/invite mentee 201")
    assert [m["text"] for m in replies] == [
        "At most 200 invite links at a time. Usage: /invite mentee 40"
    ]
    assert await _invite_count(program) == 0


def _listed(message: dict[str, Any]) -> list[str]:
    return SHORT_ID_RE.findall(message["text"])


async def test_invites_lists_open_ones_by_page_and_revoke_works(
    program: Program, emu: BotApiEmulator
) -> None:
    coordinator, scenario = program.coordinator, program.scenario
    first = await _new_bot_messages(program, coordinator.id, "/invite mentee 24")
    codes = [m.group(2) for m in LINK_RE.finditer(first[0]["text"])]
    await program.join(emu.user(7_500_000_002, "Used"), "mentor", "Used")  # a used one

    listing = await _new_bot_messages(program, coordinator.id, "/invites")
    assert len(listing) == 1
    page = listing[0]
    assert "24 open" in page["text"]
    seen = _listed(page)
    assert len(seen) == 10
    while "Next" in str(page.get("reply_markup")):
        await scenario.press_label(coordinator, page, "Next")
        await program.settle()
        page = emu.chats[coordinator.id].messages[page["message_id"]]
        seen += _listed(page)
    # Every open invite once, the used one never, all from one message.
    assert len(seen) == 24 and len(set(seen)) == 24
    assert all("mentee" in line for line in page["text"].splitlines() if "I-" in line)

    # Revoke the first invite of the first link batch: find its short id by its link order.
    async with program.runtime.session_factory() as s:
        target = await s.scalar(select(Invite).where(Invite.code == codes[0]))
    assert target is not None
    short_id = f"I-{target.id:04d}"
    await scenario.press_label(coordinator, page, "◀")  # back to a page...
    await program.settle()
    page = emu.chats[coordinator.id].messages[page["message_id"]]
    while short_id not in page["text"]:
        await scenario.press_label(coordinator, page, "◀")
        await program.settle()
        page = emu.chats[coordinator.id].messages[page["message_id"]]
    toast = await scenario.press_label(coordinator, page, f"Revoke {short_id}")
    assert short_id in toast
    await program.settle()
    page = emu.chats[coordinator.id].messages[page["message_id"]]
    assert short_id not in page["text"] and "23 open" in page["text"]

    # The revoked link, when opened, says it is no longer valid; the others still work.
    stranger = emu.user(7_500_000_003, "Late")
    reply = await scenario.say(stranger, f"/start {codes[0]}")
    assert reply is not None and reply["text"] == texts.INVITE_REVOKED
    reply = await scenario.open_invite(stranger, codes[1])
    assert "Do you agree" in reply["text"]

    # A second press on the same Revoke is harmless.
    query_id = emu.press_raw(coordinator, page, f"iv:r:{target.id}")
    await emu.wait_for(lambda: emu.answer_of(query_id) is not None, what="an answer")
    assert emu.answer_of(query_id) == texts.INVITE_NOT_OPEN


async def test_consent_shown_before_a_revoke_cannot_be_accepted(
    program: Program, emu: BotApiEmulator
) -> None:
    code = await program.scenario.invite(program.coordinator, "mentee")
    pat = emu.user(7_500_000_004, "Pat")
    consent = await program.scenario.open_invite(pat, code)
    assert consent is not None
    async with program.runtime.session_factory() as s:
        invite_id = await s.scalar(select(Invite.id).where(Invite.code == code))
    listing = await _new_bot_messages(program, program.coordinator.id, "/invites")
    await program.scenario.press(program.coordinator, listing[0], f"iv:r:{invite_id}")
    await program.scenario.press(pat, consent, f"cn:y:{code}:en")
    await program.settle()
    assert emu.chats[pat.id].messages[consent["message_id"]]["text"] == texts.INVITE_REVOKED
    async with program.runtime.session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Member)) == 0


async def test_members_cannot_list_or_revoke_invites(
    program: Program, emu: BotApiEmulator
) -> None:
    sam: FakeUser = await program.join(emu.user(7_100_000_001, "Samantha"), "mentee", "Sam")
    code = await program.scenario.invite(program.coordinator, "mentor")
    async with program.runtime.session_factory() as s:
        invite_id = await s.scalar(select(Invite.id).where(Invite.code == code))
    reply = await program.scenario.say(sam, "/invites")
    assert reply is not None and reply["text"] == texts.NOT_ALLOWED
    for data in (f"iv:r:{invite_id}", "iv:p:1"):
        query_id = emu.press_raw(sam, emu.bot_messages(sam.id)[-1], data)
        await emu.wait_for(lambda q=query_id: emu.answer_of(q) is not None, what="an answer")
        assert emu.answer_of(query_id) == texts.BUTTON_FOR_COORDINATORS
    # Forged presses by a coordinator change nothing either.
    listing = await _new_bot_messages(program, program.coordinator.id, "/invites")
    for data in ("iv:r:999999", "iv:r:abc", "iv:x:1", "iv:p:-1"):
        query_id = emu.press_raw(program.coordinator, listing[0], data)
        await emu.wait_for(lambda q=query_id: emu.answer_of(q) is not None, what="an answer")
    await program.settle()
    async with program.runtime.session_factory() as s:
        invite = await s.get(Invite, invite_id)
    assert invite is not None and invite.revoked_at is None and invite.used_at is None
    consent = await program.scenario.open_invite(emu.user(7_500_000_005, "Kim"), code)
    assert consent is not None and "Do you agree" in consent["text"]
