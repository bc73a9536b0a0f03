"""Thin Telegram handlers: read the update, call one service, answer."""

from __future__ import annotations

from bot.context import BotApplication
from handlers import (
    checkins,
    common,
    coordinator,
    desk,
    enrolment,
    escalations,
    language,
    privacy,
    relay,
    to_staff,
)


def register_all(app: BotApplication) -> None:
    # Order matters: the gate (group -1) runs first; commands before the catch-all relay.
    common.register(app)
    coordinator.register(app)
    enrolment.register(app)
    checkins.register(app)
    escalations.register(app)
    desk.register(app)
    to_staff.register(app)
    privacy.register(app)
    language.register(app)
    relay.register(app)
    common.register_fallback(app)
