"""The recurring JobQueue job, ticking fast here, sends check-ins without being called."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from emulator import BotApiEmulator, FakeUser
from storage.models import CheckInSchedule
from tests.e2e.conftest import Program
from tests.e2e.test_checkins import prompts
from tests.helpers import FakeClock


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The recurring job ticks fast here, so the tests need not call it."""
    return settings.model_copy(update={"checkin_tick_seconds": 0.05})


async def test_the_recurring_job_sends_when_the_clock_reaches_the_time(
    program: Program, emu: BotApiEmulator, clock: FakeClock, sam: FakeUser
) -> None:
    await program.join(sam, "mentee", "Sam", timezone="Europe/London")

    async def scheduled() -> bool:
        async with program.runtime.session_factory() as s:
            return await s.scalar(select(func.count()).select_from(CheckInSchedule)) == 1

    # The job itself gives the newcomer a schedule (due 19:00 today) on one of its ticks.
    for _ in range(500):
        if await scheduled():
            break
        await asyncio.sleep(0.01)
    assert await scheduled()
    clock.advance(hours=7)  # 19:00 in London
    await emu.wait_for(lambda: prompts(emu, sam), what="the prompt from the recurring job")
