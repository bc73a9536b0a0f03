"""A scripted program played against the bundled Bot API emulator: no token, no network.

A coordinator invites a mentee and a mentor, they enrol, get matched and paired, and talk,
photo included. Then each person's chat is printed as they would see it. `--lang es` plays
it in Spanish: the program's language, both people's choice and what they write.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from bot import texts
from bot.app import BotRuntime
from bot.config import load_settings
from bot.i18n import t
from emulator import BotApiEmulator, FakeUser
from emulator.html_check import plain_text
from emulator.scenario import Scenario
from storage.crypto import generate_key, generate_lookup_key

MEDIA_KINDS = (
    "photo",
    "voice",
    "video",
    "document",
    "sticker",
    "location",
    "audio",
    "video_note",
    "animation",
)


def describe(message: dict[str, Any]) -> str:
    """One message as a person sees it: its text or a [media] marker, and any buttons."""
    parts = [f"[{kind}]" for kind in MEDIA_KINDS if kind in message]
    body = message.get("text") or message.get("caption") or ""
    if body:
        parts.append(body)
    if "reply_to_message" in message:
        quoted = message["reply_to_message"].get("text") or "[media]"
        parts.insert(0, f"(replying to “{quoted[:40]}”)")
    text = " ".join(parts)
    buttons = [
        b["text"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
    ]
    if buttons:
        text += "\n      buttons: " + " | ".join(f"[{b}]" for b in buttons)
    return text


def transcript(emu: BotApiEmulator, user: FakeUser, title: str) -> str:
    lines = [f"\n=== What {title} sees ===".ljust(60, "=")]
    for message in emu.all_messages(user.id):
        who = "bot" if message.get("from", {}).get("id") == emu.bot_id else user.first_name
        body = describe(message).replace("\n", "\n      ")
        lines.append(f"  {who:>8}: {body}")
    return "\n".join(lines)


# What the people write, per language (the bot's own words come from its catalogs).
LINES = {
    "en": {
        "first": "Hi Alex, day 12 today. Cravings were loud this afternoon.",
        "reply": "Day 12 is huge. What helped you get through it?",
        "caption": "A long walk instead of the bar",
        "again": "Beautiful. Same time tomorrow?",
        "edit": "Hi Alex, day 12 today. Cravings were loud this afternoon, but I'm ok.",
    },
    "es": {
        "first": "Hola Alex, hoy llevo 12 días. Las ganas fueron fuertes esta tarde.",
        "reply": "12 días es muchísimo. ¿Qué te ayudó a pasarlo?",
        "caption": "Una caminata larga en vez del bar",
        "again": "Precioso. ¿Mañana a la misma hora?",
        "edit": (
            "Hola Alex, hoy llevo 12 días. Las ganas fueron fuertes esta tarde, pero estoy bien."
        ),
    },
}


async def play(
    emu: BotApiEmulator, runtime: BotRuntime, language: str = "en"
) -> list[tuple[FakeUser, str]]:
    scene = Scenario(emu)
    lines = LINES[language]

    def shown(template: str, **params: object) -> str:
        """A bot text as a person sees it in this demo's language."""
        return plain_text(t(template, **params).render(language))

    casey = emu.user(1000, "Casey", username="casey_coordinator")
    sam = emu.user(7100000001, "Samantha", "Jones", username="samj_1990")
    alex = emu.user(7300000001, "Alexander", "Smith", username="alex_smith")

    mentee_code = await scene.invite(casey, "mentee")
    mentor_code = await scene.invite(casey, "mentor")
    await scene.enrol(
        sam, mentee_code, "Sam", timezone="America/New_York", language=language, tags=["alcohol"]
    )
    await scene.enrol(
        alex,
        mentor_code,
        "Alex",
        timezone="America/Chicago",
        language=language,
        tags=["alcohol", "parenting"],
    )

    await runtime.wait_until_idle()  # Casey reads the enrolment notices first
    before = emu.last_message_id(casey.id)
    emu.user_sends(casey, "/match Sam")
    header = shown(texts.MATCH_HEADER, mentee="Sam", mentee_id="M-0001")
    suggestions = await emu.wait_for_bot_message(casey.id, header, after=before)
    await scene.press_label(casey, suggestions, shown(texts.MATCH_BUTTON, mentor="Alex"))
    await emu.wait_for_bot_message(sam.id, shown(texts.PAIRED_MENTEE, mentor="Alex"))

    first = emu.user_sends(sam, lines["first"])
    copy = await emu.wait_for_bot_message(alex.id, lines["first"])
    await runtime.wait_until_idle()  # Alex reads before replying
    emu.user_sends(alex, lines["reply"], reply_to=copy["message_id"])
    await emu.wait_for_bot_message(sam.id, lines["reply"])
    emu.user_sends(sam, kind="photo", caption=lines["caption"])
    await emu.wait_for(
        lambda: any("photo" in m for m in emu.bot_messages(alex.id)), what="the photo"
    )
    emu.user_sends(alex, lines["again"])
    await emu.wait_for_bot_message(sam.id, lines["again"])
    emu.user_edits(sam, first["message_id"], lines["edit"])
    await emu.wait_for(
        lambda: emu.chats[alex.id].messages[copy["message_id"]].get("text") == lines["edit"],
        what="the edit",
    )
    await scene.say(casey, "/pairs")
    return [(casey, "Casey (coordinator)"), (sam, "Sam (mentee)"), (alex, "Alex (mentor)")]


async def run_demo(language: str = "en") -> int:
    # Warnings only, on the handler itself: starting the bot sets some libraries' loggers to
    # INFO (python-telegram-bot's "Application started"), and the transcript is all we show.
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    emu = BotApiEmulator()
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            telegram_bot_token=emu.token,
            telegram_api_base_url=emu.base_url,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.sqlite3'}",
            coordinator_ids="1000",
            default_language=language,
            # The scripted people answer instantly; real people never type 3 messages a second.
            rate_limit_chat_per_s=20,
            rate_limit_chat_burst=10,
            _env_file=None,
            # A throwaway database, encrypted as a real one is, with throwaway keys.
            data_encryption_key=generate_key(),
            data_lookup_key=generate_lookup_key(),
        )
        runtime = BotRuntime(settings, emu.token, poll_timeout=1)
        await runtime.start()
        try:
            people = await play(emu, runtime, language)
        finally:
            await runtime.stop()
            await emu.stop()
    print("Demo: the bot ran against the bundled Telegram emulator (no token, no network).")
    print("Nobody below ever sees another person's Telegram name, username or id.")
    for user, title in people:
        print(transcript(emu, user, title))
    print(
        "\nTo run the real bot, put TELEGRAM_BOT_TOKEN and COORDINATOR_IDS in .env "
        "(see .env.example)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(run_demo()))
