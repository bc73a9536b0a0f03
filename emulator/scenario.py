"""Acting out people's steps against the emulator: shared by the demo and the e2e tests."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from emulator.server import BotApiEmulator, FakeUser

LINK_RE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


class Scenario:
    def __init__(self, emu: BotApiEmulator, timeout: float = 10.0) -> None:
        self.emu = emu
        self.timeout = timeout

    async def say(
        self, user: FakeUser, text: str, *, reply_to: int | None = None, expect_reply: bool = True
    ) -> dict[str, Any] | None:
        """Send text; return the bot's next new message in this chat (if one is expected)."""
        before = self.emu.last_message_id(user.id)
        self.emu.user_sends(user, text, reply_to=reply_to)
        if not expect_reply:
            return None
        return await self.emu.wait_for_bot_message(user.id, after=before + 1, timeout=self.timeout)

    async def press(self, user: FakeUser, message: dict[str, Any], data: str) -> str:
        """Tap a button and wait until the bot has answered the tap."""
        query_id = self.emu.user_presses(user, message, data)
        answer = await self.emu.wait_for(
            lambda: self.emu.answer_of(query_id) is not None,
            self.timeout,
            what=f"an answer to button {data!r}",
        )
        assert answer
        return self.emu.answer_of(query_id) or ""

    async def press_label(self, user: FakeUser, message: dict[str, Any], label: str) -> str:
        return await self.press(user, message, self.emu.button_data(message, label))

    async def invite(self, coordinator: FakeUser, role: str) -> str:
        reply = await self.say(coordinator, f"/invite {role}")
        assert reply is not None
        match = LINK_RE.search(reply["text"])
        if match is None:
            raise AssertionError(f"no invite link in {reply['text']!r}")
        return match.group(2)

    async def open_invite(self, user: FakeUser, code: str, language: str = "en") -> dict[str, Any]:
        """Open an invite link and choose the language on the first screen; return the consent
        screen that follows."""
        choice = await self.say(user, f"/start {code}")
        assert choice is not None and f"cl:{language}:" in str(choice.get("reply_markup")), choice
        before = self.emu.last_message_id(user.id)
        await self.press(user, choice, f"cl:{language}:{code}")
        return await self.emu.wait_for_bot_message(user.id, after=before)

    async def enrol(
        self,
        user: FakeUser,
        code: str,
        pseudonym: str,
        *,
        timezone: str = "Europe/London",
        language: str | None = "en",
        tags: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Choose the language, then go through consent, pseudonym, timezone and tags; return
        the welcome. Waits by buttons, not words, so it works in every language."""
        consent = await self.open_invite(user, code, language or "en")
        agree = consent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert agree.startswith("cn:y:"), agree
        await self.press(user, consent, agree)
        await self.emu.wait_for_bot_message(user.id, after=consent["message_id"])
        tz_prompt = await self.say(user, pseudonym)
        assert tz_prompt is not None and "tz:" in str(tz_prompt.get("reply_markup")), tz_prompt
        before = self.emu.last_message_id(user.id)
        if f"tz:{timezone}" in str(tz_prompt.get("reply_markup")):
            await self.press(user, tz_prompt, f"tz:{timezone}")
        else:
            self.emu.user_sends(user, timezone)
        tag_prompt = await self.emu.wait_for(
            lambda: next(
                (
                    m
                    for m in self.emu.bot_messages(user.id)
                    if m["message_id"] > before and "tag:done" in str(m.get("reply_markup"))
                ),
                None,
            ),
            self.timeout,
            what="the matching preferences",
        )
        for tag in tags:
            await self.press(user, tag_prompt, f"tag:{tag}")
        before = self.emu.last_message_id(user.id)
        await self.press(user, tag_prompt, "tag:done")
        return await self.emu.wait_for_bot_message(user.id, pseudonym, after=before)
