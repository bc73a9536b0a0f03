"""A careless operator starts the bot a second time on the same database (a systemd unit
plus `bash scripts/run.sh` by hand, or two containers on one volume)."""

from __future__ import annotations

from collections import Counter

from bot.app import BotRuntime
from bot.config import ConfigError, Settings
from emulator import BotApiEmulator, FakeUser
from tests.e2e.conftest import Program
from tests.helpers import FakeClock


async def test_a_second_bot_on_the_same_database_does_not_send_everything_twice(
    paired: Program,
    settings: Settings,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    alex: FakeUser,
) -> None:
    """The README promises "Nothing else is ever sent twice" and the delivery worker says
    "One worker per database; it is the only sender". But BotRuntime.start takes the database
    lock *shared* (storage/db.py: DatabaseLock), so a second bot starts happily; both
    delivery workers claim the same pending outbox rows (claims live only in memory,
    bot/delivery.py: DeliveryWorker._dispatch) and the mentor gets Sam's messages twice.
    Either the second bot refuses to start, or nothing is duplicated."""
    assert settings.telegram_bot_token is not None
    second = BotRuntime(
        settings, settings.telegram_bot_token.get_secret_value(), clock=clock, poll_timeout=1
    )
    try:
        await second.start()
    except ConfigError:
        return  # refusing to run beside another bot is a correct answer
    try:
        for n in range(30):
            emu.user_sends(sam, f"message number {n}")
        await emu.wait_for_bot_message(alex.id, "message number 29")
        await paired.settle()
        await second.wait_until_idle()
        texts = [
            str(m.get("text") or m.get("caption") or "")
            for m in emu.bot_messages(alex.id)
            if "message number" in str(m.get("text") or m.get("caption") or "")
        ]
        twice = sorted(t for t, n in Counter(texts).items() if n > 1)
        assert len(texts) == 30, f"sent twice: {twice}"
    finally:
        await second.stop()
