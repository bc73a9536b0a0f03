"""/mydata: a member gets a JSON file of what is stored about them, and who saw it."""

from __future__ import annotations

import json

from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program


async def test_mydata_sends_everything_stored_including_disclosures(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "hello")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(1000, "Escalation #1")
    await paired.settle()
    await paired.scenario.say(sam, "/mydata", expect_reply=False)
    document = await emu.wait_for(
        lambda: next((m for m in emu.bot_messages(sam.id) if "document" in m), None),
        what="the export",
    )
    data = json.loads(emu.uploads[(sam.id, document["message_id"])])
    assert data["member"]["pseudonym"] == "Sam" and data["member"]["role"] == "mentee"
    assert data["pairings"][0]["with"] == "Alex"
    assert data["relayed_messages"]["count"] == 1
    assert data["escalations_about_you"][0]["category"] == "sos"
    assert data["escalations_about_you"][0]["disclosed_to"] == ["to 1000"]
    assert "42 CFR Part 2" in data["notice"]
    # Nothing in it identifies the other side on Telegram.
    for secret in alex.identity_strings():
        assert secret not in json.dumps(data)


async def test_strangers_are_told_nothing_is_stored(emu: BotApiEmulator, program: Program) -> None:
    reply = await program.scenario.say(emu.user(4242, "Curious"), "/mydata")
    assert reply is not None and "Nothing about you is stored" in reply["text"]
