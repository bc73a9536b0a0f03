"""The database cannot be written (a full disk): the bot takes no update it has not stored,
sets none aside for it, tells staff, and carries on by itself when space returns."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator import FakeUser
from storage.models import InboxUpdate
from tests.e2e.conftest import Program

pytestmark = pytest.mark.sqlite_only(
    reason="a full disk is made with SQLite's max_page_count"
)

NO_LIMIT = 1_073_741_823
DANGER = "i cant do this anymore, tonight im going to end it all"


class FullDisk:
    """SQLite's `max_page_count` on every connection the bot takes from its pool: a write
    that needs the file to grow fails with SQLITE_FULL ("database or disk is full"), as on a
    full disk; raising it again is space coming back."""

    def __init__(self, engine: AsyncEngine, db_path: str) -> None:
        self.limit = NO_LIMIT
        self.full_errors = 0
        self._path = db_path
        self._armed = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._full_from_now)
        event.listen(engine.sync_engine, "checkout", self._apply)
        event.listen(engine.sync_engine, "handle_error", self._count)

    def _apply(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA max_page_count={self.limit}")
        cursor.close()

    def _full_from_now(
        self, _conn: Any, cursor: Any, statement: str, *_args: Any
    ) -> None:
        if self._armed and statement.lstrip().startswith("SELECT inbox.update_id"):
            self._armed = False
            cursor.execute("PRAGMA page_count")
            (pages,) = cursor.fetchone()
            self.limit = int(pages)
            cursor.execute(f"PRAGMA max_page_count={self.limit}")

    async def fill_once_stored(self) -> None:
        """The disk fills up after the next update is stored, before it is processed."""
        await asyncio.to_thread(self._vacuum)  # no free pages left inside the file
        self._armed = True

    def _vacuum(self) -> None:
        with sqlite3.connect(self._path, timeout=30) as db:
            db.execute("VACUUM")

    def _count(self, context: Any) -> None:
        if "full" in str(context.original_exception):
            self.full_errors += 1

    async def fill(self) -> None:
        """The file may not grow (what free pages are left inside it still fill up)."""
        self.limit = await asyncio.to_thread(self._pages)

    def _pages(self) -> int:
        with sqlite3.connect(self._path, timeout=30) as db:
            (pages,) = db.execute("PRAGMA page_count").fetchone()
        return int(pages)

    def free(self) -> None:
        self.limit = NO_LIMIT


async def test_a_full_disk_loses_nothing_and_the_bot_resumes_by_itself(
    paired: Program, sam: FakeUser, alex: FakeUser, db_url: str
) -> None:
    emu, runtime = paired.emu, paired.runtime
    runtime.inbox.backoff_max = 0.2  # seconds: the test should not wait minutes for a retry
    await paired.settle()
    disk = FullDisk(runtime.engine, db_url.split("///", 1)[1])
    # Stored, then the disk is full: processing it (an escalation, its card, crisis
    # resources, the copy) fails, and so does setting it aside.
    await disk.fill_once_stored()
    emu.user_sends(sam, DANGER)
    await emu.wait_for(lambda: disk.full_errors >= 2, 20, what="writes to fail on the full disk")
    # More arrive while the disk is full: storing them fails too.
    await disk.fill()
    texts = [f"while full {i} " + "x" * 300 for i in range(8)]
    for text in texts:
        emu.user_sends(sam, text)
    errors = disk.full_errors
    await emu.wait_for(lambda: disk.full_errors >= errors + 3, 20, what="more failed writes")

    disk.free()

    def relayed() -> list[str]:
        return [
            m["text"] for m in emu.bot_messages(alex.id) if "while full" in (m.get("text") or "")
        ]

    await emu.wait_for(
        lambda: len(relayed()) >= len(texts),
        30,
        what="every message to reach the mentor after space returned",
    )
    await paired.settle()
    # The crisis message was assessed after all: staff got the card, the mentor the copy.
    await emu.wait_for_bot_message(paired.coordinator.id, "Escalation #1")
    assert [m for m in emu.bot_messages(alex.id) if m.get("text") == DANGER]
    assert relayed() == texts  # all of them, once each, in order
    async with runtime.session_factory() as s:
        assert (await s.scalars(select(InboxUpdate).where(InboxUpdate.failed))).all() == []
    # Sam was never told something broke: nothing of theirs was set aside.
    assert not [m for m in emu.bot_messages(sam.id) if "went wrong" in (m.get("text") or "")]
    # Staff heard about it (once the outbox could be written), and not once per retry.
    staff = [m["text"] for m in emu.bot_messages(paired.coordinator.id) if "database" in m["text"]]
    assert 1 <= len(staff) <= 2
    # The bot keeps taking messages.
    emu.user_sends(sam, "after the outage")
    await emu.wait_for_bot_message(alex.id, "after the outage")
