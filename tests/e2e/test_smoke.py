from emulator import BotApiEmulator, FakeUser
from emulator.scenario import Scenario


async def test_enrol_and_pair_and_relay(
    emu: BotApiEmulator, scenario: Scenario, coordinator: FakeUser
) -> None:
    code = await scenario.invite(coordinator, "mentee")
    sam = emu.user(2001, "Samantha", "Real", username="sam_real")
    welcome = await scenario.enrol(sam, code, "Sam")
    assert "Sam" in welcome["text"]
