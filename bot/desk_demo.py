"""`python -m bot demo --desk`: the coordinator's desk, played against the bundled emulator.

The staff chat is a forum supergroup with two coordinators, Casey and Robin; Sam (mentee) and
Alex (mentor) are paired. Sam writes something the risk assessor escalates: the card lands in
Sam's topic. Robin claims it, writes in the topic (Sam receives it as program staff),
acknowledges it and resolves it with a note; Alex hears both, never the note. Casey ends with
/stats. Each step is printed as who sees what, and in which topic. The program's clock is a
stage clock moved by the script, so the transcript (and the times in /stats) are the same at
every run.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import BotRuntime
from bot.config import load_settings
from bot.demo import describe
from emulator import BotApiEmulator, FakeUser
from emulator.scenario import Scenario
from storage.crypto import generate_key, generate_lookup_key

STAFF_CHAT = -1001000000777
CASEY, ROBIN = 1000, 1001
ZONE = "America/New_York"
# Monday 10:00 in New York: within any program's hours, far from anyone's check-in time.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class ScriptClock:
    """The program's time: fixed, moved forward only by the script."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self._now += timedelta(**kwargs)


# What the people write, per language (the bot's own words come from its catalogs).
LINES = {
    "en": {
        "hello": "Hi Alex. Rough day, my ex came by the house.",
        "answer": "I'm here. Do you want to talk about it?",
        "danger": "I can't do this anymore. Tonight I'm going to end it all.",
        "staff": "Hi Sam, this is the program team. We are here with you. Can we call you now?",
        "note": "Called Sam; her sister is with her tonight. Safety plan gone through.",
    },
    "es": {
        "hello": "Hola Alex. Mal día, mi ex vino a la casa.",
        "answer": "Aquí estoy. ¿Quieres hablar de eso?",
        "danger": "Ya no puedo más. Esta noche voy a acabar con todo, me quiero morir.",
        "staff": "Hola Sam, somos el equipo del programa. Estamos contigo. ¿Te llamamos ahora?",
        "note": "Hablamos con Sam; su hermana está con ella esta noche. Repasamos el plan.",
    },
}


def shown_as(message: dict[str, Any]) -> str:
    """The message as its reader sees it (the demo's `describe`, buttons under the text)."""
    return describe(message).replace("\n      buttons: ", "\nbuttons: ")


@dataclass
class Desk:
    """The scene: who is watched, under which name, and what each chat showed so far."""

    emu: BotApiEmulator
    runtime: BotRuntime
    clock: ScriptClock
    names: dict[int, str]
    seen: dict[tuple[int, int], str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    async def settle(self) -> None:
        """Until the bot has taken every update and sent everything it queued."""
        await self.emu.wait_for(lambda: self.emu.pending_updates() == 0, 10, what="updates")
        await self.runtime.wait_until_idle()

    def where(self, chat_id: int, message: dict[str, Any]) -> str:
        if chat_id != STAFF_CHAT:
            return f"{self.names[chat_id]}'s chat"
        thread = message.get("message_thread_id")
        topic = self.emu.topics(STAFF_CHAT).get(thread) if thread is not None else None
        return "Staff chat › General" if topic is None else f"Staff chat › topic “{topic.name}”"

    def mark(self) -> None:
        """Take what every watched chat shows now as already seen (nothing printed)."""
        for chat_id in self.names:
            for message in self.emu.all_messages(chat_id):
                self.seen[(chat_id, message["message_id"])] = shown_as(message)

    async def step(self, title: str, toast: str | None = None, presser: str = "") -> None:
        """Print the step and what it changed: new bot messages, and cards edited in place."""
        await self.settle()
        local = self.clock.now().astimezone(ZoneInfo(ZONE))
        self.lines.append(f"\n── {local:%H:%M}  {title}")
        if toast is not None:
            self.lines.append(f"   (shown to {presser} only, as the button's answer: “{toast}”)")
        last_label = ""
        for chat_id in self.names:
            for message in self.emu.all_messages(chat_id):
                key = (chat_id, message["message_id"])
                shown = shown_as(message)
                before = self.seen.get(key)
                if before == shown:
                    continue
                self.seen[key] = shown
                if message.get("from", {}).get("id") != self.emu.bot_id:
                    continue  # people's own words are in the step's title
                label = self.where(chat_id, message)
                if before is not None:  # a message edited in place: what changed
                    label += " (edited in place)"
                    shown = "\n".join(
                        line[:1] + " " + line[2:].strip()
                        for line in difflib.ndiff(before.splitlines(), shown.splitlines())
                        if line[:1] in "+-"
                    )
                elif "forum_topic_created" in message:
                    shown = f"[topic created: {message['forum_topic_created']['name']}]"
                if label != last_label:
                    self.lines.append(f"   {label}:")
                    last_label = label
                first, *rest = shown.splitlines() or [""]
                self.lines.append(f"      ▸ {first}".rstrip())
                self.lines.extend(f"        {line}".rstrip() for line in rest)


def card_in(emu: BotApiEmulator) -> dict[str, Any]:
    return next(m for m in emu.bot_messages(STAFF_CHAT) if "esc:1:" in str(m.get("reply_markup")))


def button(emu: BotApiEmulator, message: dict[str, Any], prefix: str) -> tuple[str, str]:
    """The data and label of the message's button whose data starts with `prefix`."""
    current = emu.chats[message["chat"]["id"]].messages[message["message_id"]]
    for row in current.get("reply_markup", {}).get("inline_keyboard", []):
        for b in row:
            if str(b["callback_data"]).startswith(prefix):
                return str(b["callback_data"]), str(b["text"])
    raise AssertionError(f"no button {prefix!r}")


async def press(
    scene: Scenario, desk: Desk, user: FakeUser, message: dict[str, Any], prefix: str, why: str
) -> None:
    """`user` presses the button (named as they see it); the step is printed."""
    data, label = button(scene.emu, message, prefix)
    toast = await scene.press(user, message, data)
    await desk.step(f"{why}{user.first_name} presses [{label}]", toast, user.first_name)


async def play_desk(
    emu: BotApiEmulator, runtime: BotRuntime, clock: ScriptClock, language: str
) -> list[str]:
    scene = Scenario(emu)
    lines = LINES[language]
    casey = emu.user(CASEY, "Casey", username="casey_coordinator")
    robin = emu.user(ROBIN, "Robin", username="robin_coordinator")
    emu.open_chat(robin)
    sam = emu.user(7100000001, "Samantha", "Jones", username="samj_1990")
    alex = emu.user(7300000001, "Alexander", "Smith", username="alex_smith")
    desk = Desk(
        emu,
        runtime,
        clock,
        {
            STAFF_CHAT: "Staff chat",
            ROBIN: "Robin (coordinator)",
            CASEY: "Casey (coordinator)",
            sam.id: "Sam (mentee)",
            alex.id: "Alex (mentor)",
        },
    )

    # Not shown: enrolment, pairing and a first exchange, as in `python -m bot demo`.
    for user, role, name, zone in (
        (sam, "mentee", "Sam", "America/New_York"),
        (alex, "mentor", "Alex", "America/Chicago"),
    ):
        code = await scene.invite(casey, role)
        await scene.enrol(user, code, name, timezone=zone, language=language)
        await desk.settle()
    await scene.say(casey, "/pair Sam Alex")
    emu.user_sends(sam, lines["hello"])
    copy = await emu.wait_for_bot_message(alex.id, lines["hello"])
    await desk.settle()
    emu.user_sends(alex, lines["answer"], reply_to=copy["message_id"])
    await emu.wait_for_bot_message(sam.id, lines["answer"])
    await desk.settle()
    desk.mark()

    clock.advance(minutes=10)
    emu.user_sends(sam, lines["danger"])
    await emu.wait_for(lambda: "esc:1:" in str(emu.bot_messages(STAFF_CHAT)), what="the card")
    await desk.step(f"Sam writes to Alex: “{lines['danger']}”")

    clock.advance(minutes=2)
    await press(scene, desk, robin, card_in(emu), "esc:1:claim", "")

    clock.advance(minutes=1)
    thread = card_in(emu)["message_thread_id"]
    emu.user_sends(robin, lines["staff"], chat_id=STAFF_CHAT, thread_id=thread)
    await emu.wait_for_bot_message(sam.id, lines["staff"].split(".")[0])
    await desk.step(f"Robin writes in Sam's topic: “{lines['staff']}”")

    await press(scene, desk, robin, card_in(emu), "esc:1:ack", "")

    clock.advance(minutes=42)
    await press(scene, desk, robin, card_in(emu), "esc:1:res", "After the call, ")

    before = emu.last_message_id(ROBIN)
    emu.user_sends(robin, lines["note"])
    resolved = await emu.wait_for_bot_message(ROBIN, after=before)
    await desk.step(
        f"Robin writes the outcome note in a private chat with the bot: “{lines['note']}”"
    )
    await press(scene, desk, robin, resolved, "out:1:support_needed", "")

    clock.advance(minutes=5)
    await scene.say(casey, "/stats")
    await desk.step("Casey sends /stats")
    return desk.lines


async def run_desk_demo(language: str = "en") -> int:
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    emu = BotApiEmulator()
    await emu.start()
    # Before the bot starts: it asks Telegram at start whether the staff chat is a forum.
    emu.add_forum(STAFF_CHAT, "Program staff")
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            telegram_bot_token=emu.token,
            telegram_api_base_url=emu.base_url,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'desk.sqlite3'}",
            coordinator_ids=f"{CASEY},{ROBIN}",
            coordinator_chat_id=STAFF_CHAT,
            default_language=language,
            default_timezone=ZONE,
            rate_limit_chat_per_s=20,
            rate_limit_chat_burst=10,
            rate_limit_group_per_min=600,
            _env_file=None,
            data_encryption_key=generate_key(),
            data_lookup_key=generate_lookup_key(),
        )
        clock = ScriptClock(START)
        runtime = BotRuntime(settings, emu.token, clock=clock, poll_timeout=1)
        await runtime.start()
        try:
            lines = await play_desk(emu, runtime, clock, language)
        finally:
            await runtime.stop()
            await emu.stop()
    print("Desk demo: the bot ran against the bundled Telegram emulator (no token, no network).")
    print(
        "The staff chat is a forum supergroup; coordinators Casey and Robin. Sam (mentee) and "
        "Alex (mentor)\nare enrolled and paired (not shown). Times are the program's "
        "(America/New_York)."
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run_desk_demo()))
