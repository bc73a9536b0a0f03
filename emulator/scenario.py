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
        """Go through consent, pseudonym, timezone, language and tags; return the welcome."""
        consent = await self.say(user, f"/start {code}")
        assert consent is not None
        await self.press(user, consent, f"cn:y:{code}")
        await self.emu.wait_for_bot_message(user.id, "Choose a", after=consent["message_id"])
        tz_prompt = await self.say(user, pseudonym)
        assert tz_prompt is not None and "timezone" in tz_prompt["text"], tz_prompt
        before = self.emu.last_message_id(user.id)
        if f"tz:{timezone}" in str(tz_prompt.get("reply_markup")):
            await self.press(user, tz_prompt, f"tz:{timezone}")
        else:
            self.emu.user_sends(user, timezone)
        lang_prompt = await self.emu.wait_for_bot_message(user.id, "language", after=before)
        await self.press(user, lang_prompt, f"lang:{language or 'any'}")
        tag_prompt = await self.emu.wait_for_bot_message(
            user.id, "Done", after=lang_prompt["message_id"]
        )
        for tag in tags:
            await self.press(user, tag_prompt, f"tag:{tag}")
        before = self.emu.last_message_id(user.id)
        await self.press(user, tag_prompt, "tag:done")
        return await self.emu.wait_for_bot_message(user.id, "enrolled", after=before)
