"""Consent that is true and kept: the terms stay in the chat as sent, /privacy shows them
again, and a member who agreed to an older version is asked again at their next message,
which waits (never lost) until they agree."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import BotRuntime
from bot.services.consent import CONSENT_VERSION
from emulator import BotApiEmulator, FakeUser
from storage.crypto import lookup
from storage.models import HeldMessage, Member, MemberConsent
from tests.e2e.conftest import Program


async def _member_id(runtime: BotRuntime, user: FakeUser) -> int:
    async with runtime.session_factory() as s:
        member = await s.scalar(select(Member).where(Member.telegram_user_key == lookup(user.id)))
        assert member is not None
        return member.id


async def _agreed_version(runtime: BotRuntime, user: FakeUser) -> str | None:
    member_id = await _member_id(runtime, user)
    async with runtime.session_factory() as s:
        agreement = await s.get(MemberConsent, member_id)
        return None if agreement is None else agreement.version


async def _agreed_to_an_older_version(runtime: BotRuntime, user: FakeUser) -> None:
    member_id = await _member_id(runtime, user)
    async with runtime.session_factory() as s, s.begin():
        await s.execute(
            update(MemberConsent).where(MemberConsent.member_id == member_id).values(version="1")
        )


async def test_the_consent_stays_in_the_chat_as_sent_and_says_what_the_mentor_gets(
    program: Program, emu: BotApiEmulator, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam")
    terms = [m for m in emu.bot_messages(sam.id) if "What your mentor gets" in m.get("text", "")]
    assert len(terms) == 1, "the consent screen was edited away"
    consent = terms[0]
    assert "edit_date" not in consent and "reply_markup" not in consent
    for fact in ("check-in answers", "check-ins in a row", "chart", "milestones", "30 days"):
        assert fact in consent["text"], fact
    assert "A pseudonym is a made-up name" in consent["text"]
    # "I agree" added its confirmation below the terms.
    agreed = await emu.wait_for_bot_message(sam.id, "You agreed", after=consent["message_id"])
    assert agreed["message_id"] > consent["message_id"]
    assert await _agreed_version(program.runtime, sam) == CONSENT_VERSION


async def test_privacy_shows_the_terms_again_with_when_they_were_agreed(
    paired: Program, emu: BotApiEmulator, alex: FakeUser
) -> None:
    shown = await paired.scenario.say(alex, "/privacy")
    assert shown is not None
    assert "What your mentees get" in shown["text"]
    assert "You agreed to this on 2026-03-02" in shown["text"]
    assert "reply_markup" not in shown


async def test_new_terms_are_asked_at_the_next_message_which_is_delivered_after_agreeing(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await _agreed_to_an_older_version(paired.runtime, sam)
    before = emu.last_message_id(sam.id)
    emu.user_sends(sam, "hi alex, rough day")
    changed = await emu.wait_for_bot_message(sam.id, "have changed", after=before)
    assert "What changed" in changed["text"] and "/privacy" in changed["text"]
    terms = await emu.wait_for_bot_message(sam.id, "What your mentor gets", after=before)
    emu.user_sends(sam, "are you there?")
    await emu.wait_for_bot_message(sam.id, "Your message is kept", after=terms["message_id"])
    await paired.settle()
    assert not [m for m in emu.bot_messages(alex.id) if "rough day" in m.get("text", "")]

    await paired.scenario.press(sam, terms, f"cv:y:{CONSENT_VERSION}")
    await emu.wait_for_bot_message(alex.id, "rough day")
    await emu.wait_for_bot_message(alex.id, "are you there?")
    await paired.settle()
    texts = [m.get("text", "") for m in emu.bot_messages(alex.id)]
    assert texts.index("hi alex, rough day") < texts.index("are you there?")
    assert sum(t == "hi alex, rough day" for t in texts) == 1
    assert await _agreed_version(paired.runtime, sam) == CONSENT_VERSION
    # The terms stay as they were sent, without their buttons.
    kept = next(m for m in emu.bot_messages(sam.id) if m["message_id"] == terms["message_id"])
    assert kept["text"] == terms["text"] and "reply_markup" not in kept
    # From now on messages go straight through.
    emu.user_sends(sam, "thanks!")
    await emu.wait_for_bot_message(alex.id, "thanks!")


async def test_declining_new_terms_keeps_the_message_and_says_what_happens(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, alex: FakeUser
) -> None:
    await _agreed_to_an_older_version(paired.runtime, sam)
    before = emu.last_message_id(sam.id)
    emu.user_sends(sam, "hi alex")
    terms = await emu.wait_for_bot_message(sam.id, "What your mentor gets", after=before)
    await paired.scenario.press(sam, terms, f"cv:n:{CONSENT_VERSION}")
    said = await emu.wait_for_bot_message(sam.id, "not passed on", after=terms["message_id"])
    assert "/privacy" in said["text"] and "/deleteme" in said["text"] and "/sos" in said["text"]
    await paired.settle()
    assert not [m for m in emu.bot_messages(alex.id) if m.get("text") == "hi alex"]
    async with paired.runtime.session_factory() as s:
        held = (await s.scalars(select(HeldMessage))).all()
    assert [(h.reason, h.status) for h in held] == [("consent", "held")]
    # /privacy offers the terms again; agreeing then sends the kept message on.
    again = await paired.scenario.say(sam, "/privacy")
    assert again is not None and "reply_markup" in again
    await paired.scenario.press(sam, again, f"cv:y:{CONSENT_VERSION}")
    await emu.wait_for_bot_message(alex.id, "hi alex")


async def test_an_alarm_written_before_agreeing_still_reaches_staff_at_once(
    paired: Program, emu: BotApiEmulator, sam: FakeUser, coordinator: FakeUser
) -> None:
    await _agreed_to_an_older_version(paired.runtime, sam)
    emu.user_sends(sam, "i cant do this anymore, tonight im going to end it all")
    await emu.wait_for_bot_message(coordinator.id, "Escalation #1")
    await emu.wait_for_bot_message(sam.id, "988")
