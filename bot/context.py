"""The typed context handlers receive: services, the clock, and this update's unit of work."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings

if TYPE_CHECKING:
    from bot.delivery import DeliveryWorker
    from bot.services.escalation import EscalationPolicy
    from bot.services.flood import FloodGate
    from bot.services.health import IntakeStatus


@dataclass
class UnitOfWork:
    """The one transaction an update's effects, its outbox rows and its inbox mark share."""

    session: AsyncSession
    failed: bool = False
    error: BaseException | None = None  # what made a handler fail, for the inbox to judge


# Set by the inbox processor around each update; task-local, so concurrent work can't mix.
CURRENT_UNIT: ContextVar[UnitOfWork] = ContextVar("current_unit")


@dataclass
class Services:
    settings: Settings
    clock: Clock
    session_factory: async_sessionmaker[AsyncSession]
    delivery: DeliveryWorker
    escalations: EscalationPolicy
    flood: FloodGate
    intake: IntakeStatus


@dataclass
class BotData:
    services_: Services | None = field(default=None)

    @property
    def services(self) -> Services:
        if self.services_ is None:
            raise RuntimeError("services are wired in bot.app.build_application")
        return self.services_


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """What every handler gets as `context`."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def settings(self) -> Settings:
        return self.bot_data.services.settings

    @property
    def session(self) -> AsyncSession:
        return CURRENT_UNIT.get().session

    def now(self) -> datetime:
        return self.bot_data.services.clock.now()


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any
]
