"""Languages end to end: the language is chosen first, and every person reads the bot in
their own: a mentee who chose Español, their mentor in English, a coordinator who switched.

Expected texts are looked up from the catalogs (`bot.i18n`), never written here. Where the
Spanish catalog lacks an entry the lookup gives the English, so these assertions get their
full strength once every text is translated (tests/unit/test_catalogs.py demands that);
`spanish()` additionally proves that texts the catalog does translate arrive translated.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot import texts
from bot.crisis import CATEGORIES, CrisisDirectory
from bot.i18n import Text, t, t_item, t_plural
from bot.services.consent import ConsentTerms, consent_text
from bot.services.escalation import DEFAULT_CRISIS_FILE
from emulator import BotApiEmulator, FakeUser
from emulator.html_check import plain_text
from storage.models import Coordinator, Member
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program


def read(text: Text, language: str) -> str:
    """What a person sees of a text: rendered in their language, without the HTML."""
    return plain_text(text.render(language))


def spanish(text: Text) -> str:
    rendered = read(text, "es")
    english = read(text, "en")
    assert rendered != english or not translated(text), "a translated text arrived in English"
    return rendered


def translated(text: Text) -> bool:
    return text.render("es") != text.render("en")


def labels(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def language_of(program: Program, user: FakeUser) -> str | None:
    async with program.runtime.session_factory() as session:
        members = (await session.scalars(select(Member))).all()
        return next(m.language for m in members if m.telegram_user_id == user.id)


async def test_spanish_mentee_reads_spanish_and_english_mentor_english(
    program: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    scenario = program.scenario
    code = await scenario.invite(program.coordinator, "mentee")
    # The first screen after the invite is the language choice, in both languages.
    choice = await scenario.say(sam, f"/start {code}")
    assert choice is not None
    assert choice["text"] == read(t(texts.CHOOSE_LANGUAGE), "en")
    assert labels(choice) == ["English", "Español"]
    # Consent, and everything after it, in the language chosen there.
    consent = await scenario.open_invite(sam, code, "es")
    terms = ConsentTerms.from_settings(program.runtime.settings)
    assert consent["text"] == spanish(consent_text("mentee", terms))
    assert labels(consent) == [spanish(t(texts.CONSENT_AGREE)), spanish(t(texts.CONSENT_DECLINE))]
    welcome = await scenario.enrol(sam, code, "Sam", language="es")
    assert welcome["text"] == spanish(
        t(
            texts.ENROLLED_MENTEE,
            pseudonym="Sam",
            short_id="M-0001",
            crisis_line=program.runtime.settings.crisis_line,
        )
        + t(texts.ENROLLED_COMMANDS_HINT)
    )
    assert await language_of(program, sam) == "es"
    await program.settle()

    # Written before there is a mentor: kept, and told so in Spanish.
    before = emu.last_message_id(sam.id)
    emu.user_sends(sam, "hola, ¿hay alguien?")
    waiting = await emu.wait_for_bot_message(sam.id, after=before)
    assert waiting["text"] == spanish(t(texts.WAITING_FOR_MENTOR))

    await program.join(alex, "mentor", "Alex", language="en")
    assert "M-0001" in await program.pair("Sam", "Alex")
    await program.settle()
    # The mentor (English) is told in English, with the right plural; the mentee in Spanish.
    assert any(
        m.get("text") == read(t_plural(texts.HELD_DELIVERED_MENTOR_PLURAL, 1, mentee="Sam"), "en")
        for m in emu.bot_messages(alex.id)
    )
    assert any(
        m.get("text") == spanish(t(texts.PAIRED_MENTEE, mentor="Alex"))
        for m in emu.bot_messages(sam.id)
    )

    # A relayed message: the copy reaches the mentor under an English label.
    before = emu.last_message_id(alex.id)
    emu.user_sends(sam, "gracias por escribirme")
    copy = await emu.wait_for_bot_message(alex.id, "gracias", after=before)
    assert labels(copy) == [read(t(texts.LABEL, pseudonym="Sam"), "en")]

    # A check-in in Spanish: the prompt, and the craving buttons after the mood.
    prompt = await scenario.say(sam, "/checkin")
    assert prompt is not None and prompt["text"] == spanish(t(texts.CHECKIN_MOOD))
    await scenario.press(
        sam, prompt, prompt["reply_markup"]["inline_keyboard"][0][2]["callback_data"]
    )
    craving = await emu.wait_for(
        lambda: next(
            (
                m
                for m in emu.bot_messages(sam.id)
                if m["message_id"] == prompt["message_id"] and ":c:" in str(m.get("reply_markup"))
            ),
            None,
        ),
        what="the craving question",
    )
    assert labels(craving) == [
        spanish(t_item(texts.CRAVING_BUTTONS, v)) for v in texts.CRAVING_BUTTONS
    ]
    assert spanish(t(texts.CHECKIN_CRAVING)) in craving["text"]

    # /sos: the crisis help in Spanish to her, the mentor told in English, the card in the
    # program's language.
    before_sam, before_alex = emu.last_message_id(sam.id), emu.last_message_id(alex.id)
    await scenario.say(sam, "/sos", expect_reply=False)
    help_text = await emu.wait_for_bot_message(sam.id, after=before_sam)
    data = json.loads(DEFAULT_CRISIS_FILE.read_text(encoding="utf-8"))
    directory = CrisisDirectory.load(data, program.runtime.settings.crisis_region)
    spanish_help = {
        plain_text(directory.text(category, "es", mentor_told=told))
        for category in CATEGORIES
        for told in (True, False)
    }
    assert help_text["text"] in spanish_help
    told = await emu.wait_for_bot_message(alex.id, after=before_alex)
    assert told["text"] == read(t(texts.MENTOR_TOLD_OF_ESCALATION, mentee="Sam"), "en")
    card = await emu.wait_for_bot_message(COORDINATOR_ID, "#1")
    assert labels(card)[0] == read(t(texts.ESCALATION_ACK), "en")
    await program.settle()

    # /mydata: the caption and the file's words in Spanish.
    await scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    assert document["caption"] == spanish(t(texts.MYDATA_CAPTION))
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    assert data["relayed_messages"]["note"] == spanish(t(texts.MYDATA_RELAYED_NOTE))
    assert data["notice"] == spanish(t(texts.REDISCLOSURE))
    assert data["escalations_about_you"][0]["disclosed_to"][0]["to"] == spanish(
        t(texts.DISCLOSED_COORDINATOR)
    )


async def test_language_command_switches_and_persists(
    paired: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    scenario = paired.scenario
    offer = await scenario.say(sam, "/language")
    assert offer is not None and labels(offer) == ["English", "Español"]
    before = emu.last_message_id(sam.id)
    await scenario.press(sam, offer, "ln:es")
    done = await emu.wait_for_bot_message(sam.id, after=before)
    assert done["text"] == spanish(t(texts.LANGUAGE_SET))
    assert await language_of(paired, sam) == "es"
    # Kept: what comes later is in Spanish too (the button toasts as well).
    reply = await scenario.say(sam, "/help")
    assert reply is not None and reply["text"] == spanish(
        t(texts.HELP_MENTEE, crisis_line=paired.runtime.settings.crisis_line)
        + t(texts.HELP_TOOLS_MENTEE)
    )
    # And back, typed.
    back = await scenario.say(sam, "/language en")
    assert back is not None and back["text"] == read(t(texts.LANGUAGE_SET), "en")
    assert await language_of(paired, sam) == "en"


async def test_a_coordinator_reads_their_own_language(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    scenario, coordinator = paired.scenario, paired.coordinator
    done = await scenario.say(coordinator, "/language es")
    assert done is not None and done["text"] == spanish(t(texts.LANGUAGE_SET))
    async with paired.runtime.session_factory() as session:
        row = await session.get(Coordinator, COORDINATOR_ID)
        assert row is not None and row.language == "es"
    # Their private messages follow it; the members' do not change.
    before = emu.last_message_id(alex.id)
    await scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(COORDINATOR_ID, "#1")
    assert labels(card)[0] == spanish(t(texts.ESCALATION_ACK))
    told = await emu.wait_for_bot_message(alex.id, after=before)
    assert told["text"] == read(t(texts.MENTOR_TOLD_OF_ESCALATION, mentee="Sam"), "en")
