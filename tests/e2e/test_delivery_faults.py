"""Delivery under Telegram's failures: 429, 5xx, timeouts, dropped connections, blocked users.
Every message still arrives once, in order per chat."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import Verbatim
from bot.services.health import delivery_health, health_report
from bot.services.outbox import Priority, send_text
from emulator import BotApiEmulator, FakeUser
from storage.crypto import lookup
from storage.db import transaction
from storage.models import Member, OutboxMessage
from tests.conftest import COORDINATOR_ID
from tests.e2e.conftest import Program


def texts_at(emu: BotApiEmulator, chat_id: int, prefix: str) -> list[str]:
    return [
        m["text"] for m in emu.bot_messages(chat_id) if (m.get("text") or "").startswith(prefix)
    ]


async def test_every_message_arrives_once_in_order_despite_faults(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    await paired.settle()
    emu.inject("429", method="copyMessage", retry_after=1)
    emu.inject("500", method="copyMessage", times=2)
    emu.inject("reset", method="copyMessage")
    emu.inject("timeout", method="copyMessage")
    sent = [f"msg {n}" for n in range(1, 7)]
    for text in sent:
        emu.user_sends(sam, text)
    await emu.wait_for(
        lambda: len(texts_at(emu, alex.id, "msg ")) >= 6,
        timeout=60,
        what="all six messages at the mentor",
    )
    await paired.settle()
    assert texts_at(emu, alex.id, "msg ") == sent
    assert emu.faults == []  # every injected fault was actually hit


async def test_fetching_updates_survives_telegram_errors_without_losing_one(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    await paired.settle()
    emu.inject("500", method="getUpdates")
    emu.inject("429", method="getUpdates", retry_after=1)
    emu.inject("reset", method="getUpdates")
    sent = [f"msg {n}" for n in range(1, 4)]
    for text in sent:
        emu.user_sends(sam, text)
    await emu.wait_for(
        lambda: len(texts_at(emu, alex.id, "msg ")) >= 3,
        timeout=30,
        what="all three messages at the mentor",
    )
    await paired.settle()
    assert texts_at(emu, alex.id, "msg ") == sent
    assert emu.faults == []  # every injected fault was actually hit


async def test_blocked_mentor_is_unreachable_until_they_return_and_nothing_is_lost(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    await paired.settle()
    emu.blocked.add(alex.id)
    emu.user_sends(sam, "first while blocked")
    warning = await emu.wait_for_bot_message(COORDINATOR_ID, "can no longer reach mentor")
    assert "Alex" in warning["text"] and "Alexander" not in warning["text"]
    emu.user_sends(sam, "second while blocked")
    await emu.wait_for_bot_message(sam.id, "can't be reached by the bot")
    await paired.settle()
    async with paired.runtime.session_factory() as s:
        mentor = await s.scalar(select(Member).where(Member.pseudonym == "Alex"))
        assert mentor is not None and not mentor.reachable
        queued = (
            await s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_key == lookup(alex.id), OutboxMessage.status == "pending"
                )
            )
        ).all()
        assert queued == []  # nothing more is queued for someone who blocked the bot

    # Alex comes back: both messages arrive, once each, in order.
    emu.user_sends(alex, "/start")
    await emu.wait_for(
        lambda: (
            len(texts_at(emu, alex.id, ""))
            and len([t for t in texts_at(emu, alex.id, "") if "while blocked" in t]) >= 2
        ),
        what="held messages at the returning mentor",
    )
    await paired.settle()
    held = [t for t in texts_at(emu, alex.id, "") if "while blocked" in t]
    assert held == ["first while blocked", "second while blocked"]
    await emu.wait_for_bot_message(COORDINATOR_ID, "can be reached again")


async def test_blocked_mentee_is_reported_to_their_mentor(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    await paired.settle()
    emu.blocked.add(sam.id)
    emu.user_sends(alex, "how are you doing?")
    note = await emu.wait_for_bot_message(alex.id, "can't reach")
    assert "Sam" in note["text"] and "Samantha" not in note["text"]
    await emu.wait_for_bot_message(COORDINATOR_ID, "can no longer reach mentee")


async def test_undeliverable_message_is_parked_and_shown_in_health(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    emu = paired.emu
    await paired.settle()
    emu.inject("400", method="copyMessage")
    emu.user_sends(sam, "this one will not make it")
    emu.user_sends(sam, "but this one will")
    await emu.wait_for_bot_message(alex.id, "but this one will")
    await paired.settle()
    report = await paired.scenario.say(paired.coordinator, "/health")
    assert report is not None
    assert "Parked as undeliverable: 1" in report["text"]
    assert "copyMessage" in report["text"]
    assert "message to copy not found" in report["text"].lower()
    assert "Outbox: 0 waiting" in report["text"]
    # The writer learns that this one message did not get through.
    await emu.wait_for_bot_message(sam.id, "could not be passed on")


async def test_an_edit_telegram_calls_not_modified_counts_as_delivered(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    """Telegram answers "Bad Request: message is not modified: ..." (PTB capitalises it)."""
    emu = paired.emu
    emu.user_sends(sam, "same words")
    copy = await emu.wait_for_bot_message(alex.id, "same words")
    await paired.settle()
    original = [m for m in emu.chats[sam.id].messages.values() if m.get("text") == "same words"]
    emu.user_edits(sam, original[0]["message_id"], "same words")  # an edit that changes nothing
    await emu.wait_for(
        lambda: any(method == "editMessageText" for method, _ in emu.calls), what="the edit"
    )
    await paired.settle()
    assert emu.chats[alex.id].messages[copy["message_id"]]["text"] == "same words"
    async with paired.runtime.session_factory() as s:
        dead = (await s.scalars(select(OutboxMessage).where(OutboxMessage.status == "dead"))).all()
        assert dead == []
    report = await paired.scenario.say(paired.coordinator, "/health")
    assert report is not None and "Parked as undeliverable: 0" in report["text"]


async def test_a_revoked_token_pauses_sending_and_loses_nothing(
    paired: Program, sam: FakeUser, alex: FakeUser
) -> None:
    """401 is not a network error: every queued message waits, whole, for the token."""
    emu = paired.emu
    await paired.settle()
    runtime = paired.runtime
    emu.token_revoked = True
    now = runtime.clock.now()
    async with transaction(runtime.session_factory) as s:
        for n in range(1, 4):
            queued, card = Verbatim(f"queued {n}"), Verbatim(f"card {n}")
            await send_text(s, sam.id, queued, now=now, priority=Priority.ESCALATION)
            await send_text(s, COORDINATOR_ID, card, now=now, priority=Priority.ESCALATION)
    runtime.delivery.wake()
    await emu.wait_for(
        lambda: (
            "sendMessage" in emu.unauthorized_calls
            and runtime.delivery.token_rejected_since is not None
        ),
        what="the bot to meet the revoked token",
    )
    await emu.wait_for(
        lambda: emu.unauthorized_calls.count("getMe") >= 2, timeout=15, what="probes"
    )
    sends_refused = emu.unauthorized_calls.count("sendMessage")
    async with runtime.session_factory() as s:
        rows = (await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        assert [r.status for r in rows[-6:]] == ["pending"] * 6  # nothing parked
        assert all(r.attempts == 0 for r in rows[-6:])  # no attempt used up
        report = health_report(
            await delivery_health(
                s, now, token_rejected_since=runtime.delivery.token_rejected_since
            )
        ).render("en")
    assert "rejected the bot token" in report and "Outbox: 6 waiting" in report
    # While paused the worker probes; it does not keep throwing messages at Telegram.
    assert sends_refused <= 6

    emu.token_revoked = False
    await emu.wait_for(
        lambda: (
            len(texts_at(emu, sam.id, "queued ")) == 3
            and len(texts_at(emu, COORDINATOR_ID, "card ")) == 3
        ),
        timeout=30,
        what="every queued message once the token works again",
    )
    await paired.settle()
    assert texts_at(emu, sam.id, "queued ") == ["queued 1", "queued 2", "queued 3"]
    assert texts_at(emu, COORDINATOR_ID, "card ") == ["card 1", "card 2", "card 3"]
    assert runtime.delivery.token_rejected_since is None
