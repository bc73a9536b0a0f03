"""People for the end-to-end tests, enrolled and paired through the real conversation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.app import BotRuntime
from emulator import BotApiEmulator, FakeUser
from emulator.scenario import Scenario


@dataclass
class Program:
    emu: BotApiEmulator
    scenario: Scenario
    coordinator: FakeUser
    runtime: BotRuntime

    async def settle(self) -> None:
        """Wait until everything queued has been sent and recorded (as a person's pause would).

        First until the bot has fetched and confirmed every update the people sent (confirmed
        means stored and processed: the next getUpdates confirms only after that), then until
        its outbox is empty.
        """
        await self.emu.wait_for(
            lambda: self.emu.pending_updates() == 0, 10, what="the bot to fetch every update"
        )
        await self.runtime.wait_until_idle()

    async def join(self, user: FakeUser, role: str, pseudonym: str, **kwargs: object) -> FakeUser:
        code = await self.scenario.invite(self.coordinator, role)
        await self.scenario.enrol(user, code, pseudonym, **kwargs)  # type: ignore[arg-type]
        # The coordinators' "new member" notice must not be mistaken for a later reply.
        await self.settle()
        return user

    async def pair(self, mentee: str, mentor: str) -> str:
        reply = await self.scenario.say(self.coordinator, f"/pair {mentee} {mentor}")
        assert reply is not None
        return str(reply["text"])


@pytest.fixture
def program(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser, runtime: BotRuntime
) -> Program:
    return Program(emu, scenario, coordinator, runtime)


@pytest.fixture
def sam(emu: BotApiEmulator) -> FakeUser:
    return emu.user(
        7100000001, "Samantha", "Realname", username="sam_realname", phone_number="+15550123"
    )


@pytest.fixture
def alex(emu: BotApiEmulator) -> FakeUser:
    return emu.user(
        7300000001, "Alexander", "Truename", username="alex_truename", phone_number="+15550987"
    )


@pytest.fixture
def jo(emu: BotApiEmulator) -> FakeUser:
    return emu.user(7200000002, "Joanna", "Secret", username="jo_secret")


@pytest.fixture
async def paired(program: Program, sam: FakeUser, alex: FakeUser) -> Program:
    await program.join(sam, "mentee", "Sam")
    await program.join(alex, "mentor", "Alex")
    assert "Paired" in await program.pair("Sam", "Alex")
    return program
