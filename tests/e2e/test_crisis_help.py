"""The writer of an alarm gets the help that fits it, in their language, end to end (the full
matrix of kinds, languages and regions is in tests/service/test_crisis_help.py)."""

from __future__ import annotations

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program


def _numbered(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("•")]


async def test_an_overdose_gets_naloxone_steps_not_a_suicide_line(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "my friend took too many pills and is not breathing")
    help_text = (await emu.wait_for_bot_message(sam.id, "naloxone"))["text"]
    assert _numbered(help_text)[0].endswith("911")
    assert "988" not in help_text
    assert "Stay with them" in help_text
    assert "Your mentor and the program staff have been told" in help_text
    await emu.wait_for_bot_message(alex.id, "may mean they are in danger")


async def test_abuse_in_spanish_gets_the_domestic_violence_line_in_spanish(
    program: Program, emu: BotApiEmulator, jo: FakeUser
) -> None:
    await program.join(jo, "mentee", "Jo", language="es")
    emu.user_sends(jo, "mi pareja me pega y tengo miedo de volver a casa")
    help_text = (await emu.wait_for_bot_message(jo.id, "1-800-799-7233"))["text"]
    assert "Violencia Doméstica" in help_text and "Emergencias: 911" in help_text
    # Jo has no mentor yet: nobody tells her a mentor was told.
    assert "mentor" not in help_text.casefold()
    assert "El equipo del programa ya lo sabe" in help_text


async def test_sos_without_a_mentor_gets_the_general_help_and_no_mentor_promise(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    await program.scenario.say(sam, "/sos", expect_reply=False)
    help_text = (await emu.wait_for_bot_message(sam.id, "1-800-662-4357"))["text"]
    assert "988" in help_text and "911" in help_text
    assert "mentor" not in help_text.casefold()
    assert "The program staff have been told" in help_text
