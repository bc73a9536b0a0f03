"""A local Telegram Bot API emulator over real HTTP, for the tests and the demo."""

from emulator.server import ApiError, BotApiEmulator, FakeUser

__all__ = ["ApiError", "BotApiEmulator", "FakeUser"]
