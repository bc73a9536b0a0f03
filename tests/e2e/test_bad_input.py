"""Unknown commands, wrong roles, groups, channels, unsupported content: answered or ignored
on purpose, never a crash, and never message text in the logs."""

from __future__ import annotations

import logging

import pytest

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program


async def test_unknown_command_gets_help_pointer(paired: Program, sam: FakeUser) -> None:
    reply = await paired.scenario.say(sam, "/frobnicate now")
    assert reply is not None and "don't know that command" in reply["text"]
    assert not any(
        "frobnicate" in (m.get("text") or "") for m in paired.emu.bot_messages(7300000001)
    )


async def test_group_chats_get_one_line_and_channels_nothing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    emu.add_group(-100200, "Recovery group")
    emu.user_sends(sam, "/pairs", chat_id=-100200)
    reply = await emu.wait_for_bot_message(-100200, "only work in private chats")
    assert reply["chat"]["id"] == -100200
    emu.user_sends(sam, "plain chatter in the group", chat_id=-100200)
    emu.channel_post(-100300, "channel news")
    # A private message after them is handled, so the earlier ones were processed.
    emu.user_sends(sam, "still here")
    await emu.wait_for_bot_message(7300000001, "still here")
    assert len(emu.bot_messages(-100200)) == 1
    assert emu.bot_messages(-100300) == []


@pytest.mark.parametrize("kind", ["contact", "poll", "dice"])
async def test_unsupported_content_is_not_relayed(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser, kind: str
) -> None:
    emu.user_sends(sam, kind=kind)
    await emu.wait_for_bot_message(sam.id, "can't pass this kind of message on")
    assert not any(kind in m for m in emu.bot_messages(alex.id))


async def test_forged_and_malformed_buttons_get_a_short_answer(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    anchor = emu.last_bot_message(sam.id)
    for data in ("pm:1:2", "to:999:1", "lbl:abc", "zz", "tz:Mars/Base", "cn:y:nope"):
        query = emu.press_raw(sam, anchor, data)
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None, what=data)
    members = await paired.scenario.say(paired.coordinator, "/pairs")
    assert members is not None and members["text"].count("↔") == 1


async def test_logs_never_contain_message_text(
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "my secret relapse story 4471"
    emu.user_sends(sam, secret)
    await emu.wait_for_bot_message(alex.id, "4471")
    emu.user_sends(sam, kind="photo", caption=secret)
    await emu.wait_for(lambda: any("photo" in m for m in emu.bot_messages(alex.id)), what="photo")
    reply = await paired.scenario.say(paired.coordinator, "/members")
    assert reply is not None
    logged = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "bot.delivery outbox id=" in logged and "bot.inbox updates=" in logged
    assert "4471" not in logged
    assert emu.token not in logged


# Python's int() takes any Unicode decimal digit ("٣", Arabic-Indic three) and str.isdigit()
# takes "²", which int() refuses; huge numbers overflow the database's 64-bit integers.
HOSTILE_NUMBERS = ["²", "٣", "99999999999999999999999", "-1"]


async def test_non_ascii_and_huge_numbers_get_a_clear_answer_not_a_crash(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    from sqlalchemy import func, select

    from bot import texts
    from storage.models import Coordinator, InboxUpdate

    says: list[tuple[FakeUser, str, str]] = []
    for n in HOSTILE_NUMBERS:
        says += [
            (sam, f"/pause {n}", "Usage: <code>/pause 7</code>"),
            (paired.coordinator, f"/resolve {n} x", "Usage: <code>/resolve"),
            (paired.coordinator, f"/escalation {n}", "Usage: <code>/escalation"),
            (paired.coordinator, f"/coordinators add {n}", "Usage: <code>/coordinators"),
        ]
    says += [
        (sam, "/schedule ١٩:٠٠", "Usage: <code>/schedule"),
        (sam, "/quiet ２２:00 08:00", "Usage: <code>/quiet"),
        (sam, "/sober ٢٠٢٦-01-01", "Send <code>/sober 2026-01-31</code>"),
    ]
    for user, command, usage in says:
        reply = await paired.scenario.say(user, command)
        assert reply is not None, command
        assert usage.replace("<code>", "").replace("</code>", "") in reply["text"], (
            command,
            reply["text"],
        )
    anchor = emu.last_bot_message(paired.coordinator.id)
    for data in ("pm:²:³", "pm:٣:٣", "pm:99999999999999999999999:2", "esc:٣:ack"):
        query = emu.press_raw(paired.coordinator, anchor, data)
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None, what=data)
        assert emu.answer_of(query) == texts.STALE_BUTTON, data
    mentor_anchor = emu.last_bot_message(alex.id)
    for data in ("lbl:٣", "to:٣:٣", "mr:٣:on_track", "del:٣:yes"):
        query = emu.press_raw(alex, mentor_anchor, data)
        await emu.wait_for(lambda q=query: emu.answer_of(q) is not None, what=data)
        assert emu.answer_of(query) == texts.STALE_BUTTON, data
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        failed = await s.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.failed.is_(True))
        )
        coordinators = list(await s.scalars(select(Coordinator.telegram_user_id)))
    assert failed == 0
    assert coordinators == [paired.coordinator.id]
    assert not any(
        "hit an error" in (m.get("text") or "")
        for m in emu.bot_messages(paired.coordinator.id)
    )
    assert not any("went wrong" in (m.get("text") or "") for m in emu.bot_messages(sam.id))
