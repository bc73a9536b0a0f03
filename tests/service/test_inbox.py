"""The durable inbox: an update is processed once, even if it arrives twice or the bot stops
before processing it."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import BotRuntime
from bot.config import Settings
from emulator import BotApiEmulator
from storage import migrate
from storage.models import InboxUpdate
from tests.conftest import COORDINATOR_ID
from tests.helpers import FakeClock


def invite_update(update_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/pairs",
            "chat": {"id": COORDINATOR_ID, "type": "private", "first_name": "Casey"},
            "from": {"id": COORDINATOR_ID, "is_bot": False, "first_name": "Casey"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_stored_update_is_processed_after_restart_and_only_once(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> None:
    emu.user(COORDINATOR_ID, "Casey")
    emu.user_sends(emu.users[COORDINATOR_ID], "hello")  # opens the chat
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()

    # A previous run stored the update (committed) and died before processing it.
    await migrate.upgrade(settings.database_url)
    first = BotRuntime(settings, token, clock=clock, poll_timeout=1)
    await first.inbox.store([invite_update(900)])
    await first.engine.dispose()

    second = BotRuntime(settings, token, clock=clock, poll_timeout=1)
    await second.start()
    try:
        await emu.wait_for_bot_message(COORDINATOR_ID, "No active pairings")
        # The same update arriving again (webhook retry, lost confirmation) is ignored.
        await second.inbox.store([invite_update(900)])
        await second.inbox.process_pending()
        async with second.session_factory() as s:
            row = await s.get(InboxUpdate, 900)
            assert row is not None and row.processed_at is not None and not row.failed
            assert row.payload == "{}"  # the update's content is not kept
            assert len((await s.scalars(select(InboxUpdate))).all()) >= 1
    finally:
        await second.stop()
    replies = [m for m in emu.bot_messages(COORDINATOR_ID) if "No active pairings" in m["text"]]
    assert len(replies) == 1


async def test_a_broken_update_is_set_aside_and_the_rest_of_its_batch_still_counts(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> None:
    emu.open_chat(emu.user(COORDINATOR_ID, "Casey"))
    assert settings.telegram_bot_token is not None
    await migrate.upgrade(settings.database_url)
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    broken = {"update_id": 902, "message": {"message_id": 2, "text": "no chat, no date"}}
    await runtime.inbox.store([invite_update(901), broken, invite_update(903)])
    await runtime.start()
    try:
        await emu.wait_for(
            lambda: (
                len(
                    [
                        m
                        for m in emu.bot_messages(COORDINATOR_ID)
                        if "No active pairings" in m["text"]
                    ]
                )
                == 2
            ),
            what="both good updates answered",
        )
        await emu.wait_for_bot_message(COORDINATOR_ID, "hit an error while handling an update")
        async with runtime.session_factory() as s:
            rows = {r.update_id: r for r in (await s.scalars(select(InboxUpdate))).all()}
        assert rows[902].failed and rows[902].processed_at is not None
        assert not rows[901].failed and not rows[903].failed
        assert all(r.payload == "{}" for r in rows.values())
    finally:
        await runtime.stop()


def broken_update(update_id: int) -> dict[str, object]:
    """An update that makes processing fail (no chat, no date)."""
    return {"update_id": update_id, "message": {"message_id": 2, "text": "no chat, no date"}}


async def test_failing_updates_page_the_coordinators_at_most_once_per_interval(
    settings: Settings, emu: BotApiEmulator, clock: FakeClock
) -> None:
    casey = emu.user(COORDINATOR_ID, "Casey")
    emu.open_chat(casey)
    # The updates stored below have ids 910-950; Telegram's next ones come after them (else
    # the bot's offset, read from the inbox, could run ahead of the emulator's numbering).
    emu.skip_update_ids(1000)
    assert settings.telegram_bot_token is not None
    runtime = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    await runtime.start()

    def pages() -> list[str]:
        return [
            str(m["text"])
            for m in emu.bot_messages(COORDINATOR_ID)
            if "hit an error while handling an update" in m["text"]
        ]

    try:
        # Whoever can make a handler fail sends ten such updates: staff are paged once.
        await runtime.inbox.store([broken_update(910 + i) for i in range(10)])
        await runtime.inbox.process_pending()
        await runtime.wait_until_idle()
        assert len(pages()) == 1

        # Later, the next failure pages again, counting the ones that did not page.
        clock.advance(minutes=16)
        await runtime.inbox.store([broken_update(950)])
        await runtime.inbox.process_pending()
        await runtime.wait_until_idle()
        assert len(pages()) == 2
        assert "10 updates failed" in pages()[1]

        # Every one of them is set aside (none is retried forever) and /health counts them.
        async with runtime.session_factory() as s:
            failed = (await s.scalars(select(InboxUpdate).where(InboxUpdate.failed))).all()
        assert len(failed) == 11
        emu.user_sends(casey, "/health")
        await emu.wait_for_bot_message(COORDINATOR_ID, "set aside after an error since start: 11")
    finally:
        await runtime.stop()
