"""Thin Telegram handlers: read the update, call one service, answer."""

from __future__ import annotations

from bot.context import BotApplication
from handlers import (
    checkins,
    common,
    coordinator,
    coping,
    desk,
    enrolment,
    escalations,
    goals,
    language,
    lifecycle,
    privacy,
    relay,
    reminders,
    to_staff,
)


def register_all(app: BotApplication) -> None:
    # Order matters: the gate (group -1) runs first; commands before the catch-all relay.
    common.register(app)
    coordinator.register(app)
    enrolment.register(app)
    checkins.register(app)
    goals.register(app)
    escalations.register(app)
    coping.register(app)
    desk.register(app)
    to_staff.register(app)
    lifecycle.register(app)
    privacy.register(app)
    reminders.register(app)
    language.register(app)
    relay.register(app)
    common.register_fallback(app)
