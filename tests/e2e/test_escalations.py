"""Escalations end to end: detected danger, /sos and /flag reach the coordinators as cards,
the writer gets crisis resources, reminders repeat until someone acknowledges."""

from __future__ import annotations

import time

import pytest

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import Escalation
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program
from tests.helpers import FakeClock

# How every crisis help message ends (bot/resources/crisis.json, English): the marker that
# the person got it, whichever lines fit their alarm.
CRISIS_HELP = "staff have been told"

STAFF_GROUP = -100500
FALLBACK = -100900
OTHER_COORDINATOR = 1001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "coordinator_chat_id": STAFF_GROUP,
            "escalation_fallback_chat_id": FALLBACK,
            "coordinator_ids": (COORDINATOR_ID, OTHER_COORDINATOR),
        }
    )


@pytest.fixture
def staff(emu: BotApiEmulator) -> None:
    emu.add_group(STAFF_GROUP, "Program staff")
    emu.add_group(FALLBACK, "On-call supervisors")
    emu.open_chat(emu.user(OTHER_COORDINATOR, "Robin", username="robin_staff"))


def cards(emu: BotApiEmulator, chat_id: int) -> list[dict[str, object]]:
    return [m for m in emu.bot_messages(chat_id) if "Escalation #" in str(m.get("text", ""))]


async def escalation(runtime: BotRuntime, escalation_id: int = 1) -> Escalation:
    async with runtime.session_factory() as s:
        found = await s.get(Escalation, escalation_id)
        assert found is not None
        return found


async def test_a_dangerous_message_is_delivered_and_escalated(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "hi alex, just checking in")
    await paired.settle()
    started = time.monotonic()
    emu.user_sends(sam, "i cant do this anymore, tonight im going to end it all")
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    print(f"flagged message to card: {1000 * (time.monotonic() - started):.0f} ms")
    text = card["text"]
    assert "CRITICAL" in text and "suicide or self-harm" in text
    assert "Sam (M-0001)" in text and "Alex (M-0002)" in text
    assert "end it all" in text and "42 CFR Part 2" in text
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Acknowledge", "Resolve", "Message the mentee", "Claim"]
    # Peer support is not blocked: the mentor still gets the message, and is told.
    await emu.wait_for_bot_message(alex.id, "end it all")
    await emu.wait_for_bot_message(alex.id, "may mean they are in danger")
    # The writer gets the crisis resources for suicide or self-harm at once.
    resources = await emu.wait_for_bot_message(sam.id, "988 Suicide")
    assert "911" in resources["text"] and "Your mentor" in resources["text"]
    # The card is followed by the last messages of the pairing, as copies.
    await emu.wait_for(
        lambda: (
            sum(
                1 for m in emu.bot_messages(STAFF_GROUP) if "checking in" in str(m.get("text", ""))
            )
            == 1
        ),
        what="context copies",
    )
    for secret in sam.identity_strings() + alex.identity_strings():
        assert secret not in str(emu.bot_messages(STAFF_GROUP)), secret


async def test_ordinary_messages_and_idioms_do_not_escalate(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "killing it at work today, got my flu shot too")
    await emu.wait_for_bot_message(alex.id, "killing it")
    await paired.settle()
    assert cards(emu, STAFF_GROUP) == []


async def test_sos_opens_a_critical_escalation_and_sends_resources(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "SOS: the writer asked for help" in card["text"] and "CRITICAL" in card["text"]
    await emu.wait_for_bot_message(sam.id, CRISIS_HELP)


async def test_mentor_flags_a_relayed_message(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    emu.user_sends(sam, "my uncle is visiting this weekend")
    copy = await emu.wait_for_bot_message(alex.id, "uncle")
    await paired.settle()
    emu.user_sends(
        alex, "/flag last time he visited she ended up in hospital", reply_to=copy["message_id"]
    )
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "flagged by the mentor" in card["text"] and "uncle" in card["text"]
    assert "ended up in hospital" in card["text"]
    await emu.wait_for_bot_message(alex.id, "Staff have been alerted")


async def test_only_coordinators_can_acknowledge_and_reminders_escalate_to_fallback(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    refused = await paired.scenario.press_label(alex, card, "Acknowledge")
    assert refused == "That button is for program coordinators."
    assert (await escalation(paired.runtime)).status == "open"

    for round_number in (1, 2, 3):
        clock.advance(minutes=5)
        await paired.settle()  # SKIP LOCKED on PostgreSQL: the cards' receipts first
        assert await paired.runtime.run_escalation_timers() == 1
        for coordinator_id in (COORDINATOR_ID, OTHER_COORDINATOR):
            await emu.wait_for_bot_message(coordinator_id, f"reminder {round_number}")
    await emu.wait_for_bot_message(FALLBACK, "reminder 3")

    answer = await paired.scenario.press_label(coordinator, card, "Acknowledge")
    assert answer.startswith("Acknowledged by you")
    clock.advance(minutes=10)
    assert await paired.runtime.run_escalation_timers() == 0


async def test_resolve_with_a_note_and_the_audit_trail(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    listing = await paired.scenario.say(coordinator, "/escalations")
    assert listing is not None and "#1 CRITICAL" in listing["text"]
    bad = await paired.scenario.say(coordinator, "/resolve 1")
    assert bad is not None and "Usage" in bad["text"]
    done = await paired.scenario.say(coordinator, "/resolve 1 called her, she is safe with family")
    assert done is not None and "resolved" in done["text"]
    # How it ended, for the reports: one press.
    toast = await paired.scenario.press_label(coordinator, done, "Support needed")
    assert toast == "Escalation #1: recorded as “Support needed”."
    await paired.settle()  # the toast is answered from the handler, before its batch commits
    assert (await escalation(paired.runtime)).outcome_kind == "support_needed"
    trail = await paired.scenario.say(coordinator, "/escalation 1")
    assert trail is not None
    for step in (
        "opened",
        "notified",
        "crisis help sent",
        "acknowledged by 1000",
        "resolved by 1000: called her, she is safe with family",
        "outcome by 1000: Support needed",
    ):
        assert step in trail["text"], step
    listing = await paired.scenario.say(coordinator, "/escalations")
    assert listing is not None and "No open escalations" in listing["text"]
    refused = await paired.scenario.say(sam, "/escalation 1")
    assert refused is not None and "for program coordinators" in refused["text"]


async def test_reminders_survive_a_restart(
    paired: Program,
    staff: None,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    settings: Settings,
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await paired.settle()
    await paired.runtime.stop()
    clock.advance(minutes=6)
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()
    try:
        assert await runtime.run_escalation_timers() == 1
        await emu.wait_for_bot_message(COORDINATOR_ID, "reminder 1")
    finally:
        await runtime.stop()


async def test_resolve_button_takes_the_next_message_as_the_outcome_note(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    toast = await paired.scenario.press_label(coordinator, card, "Resolve")
    assert toast == "Check your private chat with the bot."
    await emu.wait_for_bot_message(COORDINATOR_ID, "send the outcome note")
    reply = await paired.scenario.say(coordinator, "spoke with Sam, safe at her sister's")
    assert reply is not None and "resolved" in reply["text"]
    assert (await escalation(paired.runtime)).outcome == "spoke with Sam, safe at her sister's"


async def start_staff_message(program: Program, sam: FakeUser, coordinator: FakeUser) -> None:
    """Sam presses /sos; the coordinator chooses to write to the mentee from the card."""
    await program.scenario.say(sam, "/sos", expect_reply=False)
    card = await program.emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    await program.scenario.press_label(coordinator, card, "Message the mentee")
    await program.emu.wait_for_bot_message(COORDINATOR_ID, "labelled as program staff")


async def test_staff_can_message_the_mentee_through_the_bot(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await start_staff_message(paired, sam, coordinator)
    await paired.scenario.say(coordinator, "Hi Sam, this is the program. Are you safe now?")
    received = await emu.wait_for_bot_message(sam.id, "Are you safe now?")
    assert received["text"].startswith("🛟 Program staff")
    received_all = str(emu.bot_messages(sam.id))
    for secret in ("Casey", "Coordinator", "casey_staff"):  # the coordinator's Telegram names
        assert secret not in received_all
    trail = await paired.scenario.say(coordinator, "/escalation 1")
    assert trail is not None and "staff wrote by 1000: to the mentee" in trail["text"]


async def test_a_check_in_note_is_assessed_too(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser
) -> None:
    reply = await paired.scenario.say(sam, "/checkin")
    assert reply is not None
    for label in ("😐", "medium", "no"):
        await paired.settle()
        current = emu.chats[sam.id].messages[reply["message_id"]]
        await paired.scenario.press_label(sam, current, label)
    await emu.wait_for_bot_message(sam.id, "type a short note")
    await paired.settle()
    emu.user_sends(sam, "honestly i have a plan to end my life this weekend")
    card = await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    assert "check-in note" in card["text"] and "suicide or self-harm" in card["text"]
    await emu.wait_for_bot_message(sam.id, CRISIS_HELP)


async def test_a_staff_message_too_long_with_its_label_arrives_whole_in_parts(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await start_staff_message(paired, sam, coordinator)
    await paired.settle()
    words = [f"w{n:04d}" for n in range(682)]
    long_text = " ".join(words) + " <&>!"
    assert len(long_text) == 4096  # Telegram's limit: with the staff label it is over
    before = emu.last_message_id(sam.id)
    emu.user_sends(coordinator, long_text)
    await emu.wait_for_bot_message(COORDINATOR_ID, "as program staff.")
    await paired.settle()
    parts = [m["text"] for m in emu.bot_messages(sam.id) if m["message_id"] > before]
    assert len(parts) == 2 and parts[0].startswith("🛟 Program staff")
    # Every word, in order, nothing cut off (Telegram's limit is enforced by the emulator).
    assert " ".join(parts).split()[-683:] == [*words, "<&>!"]


async def test_a_message_at_telegrams_limit_is_relayed_whole(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    long_text = ("all good here " * 300)[:4096]
    emu.user_sends(sam, long_text)
    copy = await emu.wait_for_bot_message(alex.id, "all good here")
    assert copy["text"] == long_text  # the label is a button, so the copy keeps every word
    assert copy["reply_markup"]["inline_keyboard"][0][0]["text"].endswith("Sam")


async def audit(program: Program, coordinator: FakeUser, escalation_id: int = 1) -> str:
    await program.settle()
    trail = await program.scenario.say(coordinator, f"/escalation {escalation_id}")
    assert trail is not None
    return str(trail["text"])


@pytest.mark.parametrize("breakage", ["kicked", "missing"])
async def test_a_broken_staff_chat_sends_the_card_to_each_coordinator_and_the_fallback_at_once(
    breakage: str,
    paired: Program,
    emu: BotApiEmulator,
    sam: FakeUser,
    alex: FakeUser,
    coordinator: FakeUser,
) -> None:
    """403 (the bot was removed from the group) or 400 "chat not found": no waiting for the
    first reminder, and the audit trail says what really happened."""
    emu.add_group(FALLBACK, "On-call supervisors")
    emu.open_chat(emu.user(OTHER_COORDINATOR, "Robin", username="robin_staff"))
    if breakage == "kicked":
        emu.add_group(STAFF_GROUP, "Program staff")
        emu.kicked.add(STAFF_GROUP)
    emu.user_sends(sam, "hi alex, just checking in")
    await emu.wait_for_bot_message(alex.id, "checking in")
    await paired.settle()
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    for chat_id in (COORDINATOR_ID, OTHER_COORDINATOR, FALLBACK):
        card = await emu.wait_for_bot_message(chat_id, "Escalation #1")
        assert "reminder" not in card["text"] and "SOS: the writer asked for help" in card["text"]
        await emu.wait_for_bot_message(chat_id, "checking in")  # the context copy follows
    trail = await audit(paired, coordinator)
    assert "could not notify: program staff chat" in trail
    assert "notified: program staff chat" not in trail
    assert "notified: coordinator (private)" in trail and "notified: fallback chat" in trail
    report = await paired.scenario.say(coordinator, "/health")
    assert report is not None and "Staff chat (COORDINATOR_CHAT_ID) is broken" in report["text"]


async def test_the_audit_trail_says_notified_only_once_telegram_accepted_the_card(
    paired: Program, staff: None, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for_bot_message(STAFF_GROUP, "Escalation #1")
    trail = await audit(paired, coordinator)
    assert "card queued: program staff chat" in trail
    assert "notified: program staff chat" in trail
    assert str(STAFF_GROUP) not in trail


async def test_every_card_waiting_for_a_removed_staff_chat_falls_back(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    """403 parks everything queued for that chat: a second card waiting behind the first
    must reach the coordinators too."""
    emu.add_group(STAFF_GROUP, "Program staff")
    emu.add_group(FALLBACK, "On-call supervisors")
    emu.kicked.add(STAFF_GROUP)
    # The first card is held back (429) until the second is queued behind it.
    emu.inject("429", method="sendMessage", chat_id=STAFF_GROUP, retry_after=3)
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    await emu.wait_for(lambda: emu.faults == [], what="the first card to be held back")
    await paired.scenario.say(sam, "/sos", expect_reply=False)
    for number in (1, 2):
        await emu.wait_for_bot_message(COORDINATOR_ID, f"Escalation #{number}", timeout=15)
        await emu.wait_for_bot_message(FALLBACK, f"Escalation #{number}")
    assert "could not notify: program staff chat" in await audit(paired, coordinator, 2)
