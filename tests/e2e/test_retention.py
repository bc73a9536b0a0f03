"""Retention: routing records and held messages go after 30 days; escalation content after a
year, with the audit trail kept but redacted."""

from __future__ import annotations

from sqlalchemy import func, select, text

from emulator import BotApiEmulator, FakeUser
from storage.models import Escalation, EscalationEvent, HeldMessage, OutboxMessage, RelayedMessage
from tests.e2e.conftest import Program
from tests.helpers import FakeClock


async def count(program: Program, model: type) -> int:
    async with program.runtime.session_factory() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_daily_purge_keeps_the_fact_of_an_escalation_but_not_its_content(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    jo: FakeUser,
    coordinator: FakeUser,
) -> None:
    await paired.join(jo, "mentee", "Jo")
    # Held until Jo has a mentor. (Not "still waiting for a mentor": the models put that at
    # the concern tier, and an unpaired mentee's concern goes to the coordinators.)
    emu.user_sends(jo, "hello, when do we start?")
    emu.user_sends(sam, "things are hard, i want to kill myself")
    await emu.wait_for_bot_message(coordinator.id, "Escalation #1")
    await paired.scenario.say(coordinator, "/resolve 1 talked with Sam, safety plan made")
    await paired.settle()
    assert await count(paired, RelayedMessage) == 1
    assert await count(paired, HeldMessage) == 1
    events = await count(paired, EscalationEvent)

    clock.advance(days=29)
    purged = await paired.runtime.run_retention()
    assert purged.routing == 0 and await count(paired, RelayedMessage) == 1

    clock.advance(days=2)
    purged = await paired.runtime.run_retention()
    assert purged.routing == 1 and purged.held == 1
    assert await count(paired, RelayedMessage) == 0 and await count(paired, HeldMessage) == 0
    assert await count(paired, OutboxMessage) == 0  # sent rows are gone too
    async with paired.runtime.session_factory() as s:
        escalation = await s.get(Escalation, 1)
        assert escalation is not None and escalation.flagged_text is not None

    clock.advance(days=365)
    purged = await paired.runtime.run_retention()
    assert purged.escalations == 1
    async with paired.runtime.session_factory() as s:
        escalation = await s.get(Escalation, 1)
        assert escalation is not None
        assert escalation.flagged_text is None and "redacted" in (escalation.outcome or "")
        assert escalation.status == "resolved"  # the fact of it is kept
        details = [e.detail for e in (await s.scalars(select(EscalationEvent))).all()]
    assert await count(paired, EscalationEvent) == events
    assert not any("safety plan" in (d or "") for d in details)


async def stored_rows(program: Program, table: str) -> list[tuple[object, ...]]:
    """The rows exactly as stored (ciphertexts included): a rewrite changes them."""
    async with program.runtime.session_factory() as s:
        result = await s.execute(text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608
        return [tuple(row) for row in result.all()]


async def test_a_redacted_escalation_is_not_redacted_again_the_next_day(
    paired: Program,
    emu: BotApiEmulator,
    clock: FakeClock,
    sam: FakeUser,
    coordinator: FakeUser,
) -> None:
    emu.user_sends(sam, "things are hard, i want to kill myself")
    await emu.wait_for_bot_message(coordinator.id, "Escalation #1")
    await paired.scenario.say(coordinator, "/resolve 1 talked with Sam, safety plan made")
    await paired.settle()

    clock.advance(days=366)
    assert (await paired.runtime.run_retention()).escalations == 1
    escalations = await stored_rows(paired, "escalations")
    events = await stored_rows(paired, "escalation_events")

    for _ in range(2):  # the next days: nothing left to redact, nothing rewritten
        clock.advance(days=1)
        assert (await paired.runtime.run_retention()).escalations == 0
        assert await stored_rows(paired, "escalations") == escalations
        assert await stored_rows(paired, "escalation_events") == events
