"""Settings, read once from the environment or a .env file and passed in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.hours import ProgramHours
from bot.ratelimit import Limits
from bot.schedule import format_hhmm, parse_hhmm
from storage.crypto import DataCipher, valid_key

# The checkout the bot runs from (pyproject.toml beside the packages): its .env is found from
# any working folder.
PROJECT_DIR = Path(__file__).resolve().parents[1]
TELEGRAM_API = "https://api.telegram.org/bot"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class StartupError(Exception):
    """The bot cannot start; the message is one line naming the cause and the fix, and never
    a secret."""


class ConfigError(StartupError):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    # Which .env is read is chosen by `python -m bot` (`env_file_path`); the environment wins.
    model_config = SettingsConfigDict(env_file=None, env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    # Reaching Telegram at start-up (getMe): seconds per attempt, and attempts before giving up
    # with one line (a network that is still coming up after a reboot gets a few seconds).
    telegram_startup_timeout_s: float = Field(default=10.0, gt=0, le=120)
    telegram_startup_attempts: int = Field(default=3, ge=1, le=20)
    database_url: str = "sqlite+aiosqlite:///data/bot.sqlite3"
    coordinator_ids: Annotated[tuple[int, ...], NoDecode] = ()
    # Refuses to start with no coordinator (nobody would answer an alarm), unless waived to
    # learn one's own id with /id.
    allow_no_coordinator: bool = False
    coordinator_chat_id: int | None = None
    default_timezone: str = "UTC"
    # When staff are at their desks, in DEFAULT_TIMEZONE ("mon-fri 09:00-17:00"); unset: always.
    program_hours: str | None = None
    # The program's language: the staff chat's, and anyone's who has not chosen one.
    default_language: Literal["en", "es"] = "en"
    mentor_capacity: int = Field(default=3, ge=1, le=50)
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    crisis_line: str = "988 (call or text, US) or your local emergency number"
    # Check-ins: daily for mentees at their local time, weekly for mentors.
    checkin_default_time: str = "19:00"
    quiet_hours: str = "22:00-08:00"
    checkin_grace_hours: float = Field(default=3.0, ge=0, le=24)
    missed_nudge_after: int = Field(default=2, ge=1)
    missed_alert_after: int = Field(default=4, ge=1)
    mentor_checkin_day: str = "sunday"
    mentor_checkin_time: str = "18:00"
    checkin_tick_seconds: float = Field(default=30.0, gt=0)
    # Escalations: unacknowledged critical ones are re-sent to every coordinator this often,
    # and after three rounds also to the fallback chat, if one is set.
    escalation_ack_minutes: float = Field(default=5.0, gt=0)
    concern_response_minutes: float = Field(default=15.0, gt=0)
    escalation_fallback_chat_id: int | None = None
    crisis_resources_file: str | None = None
    # Retention: routing records and held messages, and escalation content (the audit trail
    # is kept, redacted).
    retention_days: int = Field(default=30, ge=1)
    escalation_retention_days: int = Field(default=365, ge=1)
    # Telegram's limits, kept by the delivery worker (a little under them, to never hit 429).
    rate_limit_global_per_s: float = Field(default=28.0, gt=0)
    rate_limit_chat_per_s: float = Field(default=1.0, gt=0)
    rate_limit_chat_burst: float = Field(default=3.0, ge=1)
    rate_limit_group_per_min: float = Field(default=19.0, gt=0)
    # Per-person flood control: more relayed messages a minute than this wait their turn.
    flood_messages_per_minute: int = Field(default=20, ge=1, le=1000)
    # Webhook mode (`python -m bot --webhook`): the public https URL Telegram posts updates
    # to, the secret it must send with them, and where this process listens (loopback: a
    # TLS-terminating reverse proxy in front of it takes the public connections).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    # Encryption at rest (storage/crypto.py). Comma-separated Fernet keys, newest first;
    # `python -m bot keygen` makes a pair. The lookup key hashes Telegram ids for look-ups.
    data_encryption_key: SecretStr | None = None
    data_lookup_key: SecretStr | None = None
    allow_unencrypted: bool = False
    # Start-up brings the database to this version's schema; AUTO_MIGRATE=0 makes it refuse
    # instead, for operators who back up and run `python -m bot migrate` themselves.
    auto_migrate: bool = True

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not TOKEN_RE.match(value.strip()):
            raise ValueError("does not look like a bot token from @BotFather (123456:ABC...)")
        return value.strip()

    @field_validator("data_encryption_key", "data_lookup_key", mode="before")
    @classmethod
    def _blank_secret(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("data_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not all(
            valid_key(k.strip()) for k in value.get_secret_value().split(",")
        ):
            raise ValueError(
                "must be Fernet keys (32 url-safe base64 bytes), comma-separated, newest first; "
                "`python -m bot keygen` makes one"
            )
        return value

    @field_validator("webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the https URL Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("data_lookup_key")
    @classmethod
    def _lookup_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 32:
            raise ValueError("must be at least 32 characters; `python -m bot keygen` makes one")
        return value

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
        return value

    @field_validator("coordinator_chat_id", "escalation_fallback_chat_id", mode="before")
    @classmethod
    def _chat(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("program_hours", mode="before")
    @classmethod
    def _program_hours(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str):
            ProgramHours.parse(value, "UTC")  # ProgramHoursError is a ValueError: one line
            return " ".join(value.split())
        return value

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {value!r}") from None
        return value

    @field_validator("checkin_default_time", "mentor_checkin_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        parsed = parse_hhmm(value)
        if parsed is None:
            raise ValueError("must be a time like 19:00")
        return format_hhmm(parsed)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parts = value.replace(" ", "").split("-")
        times = [parse_hhmm(p) for p in parts] if len(parts) == 2 else []
        if len(times) != 2 or times[0] is None or times[1] is None:
            raise ValueError("must look like 22:00-08:00")
        return f"{format_hhmm(times[0])}-{format_hhmm(times[1])}"

    @field_validator("mentor_checkin_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.strip().lower() not in WEEKDAYS:
            raise ValueError("must be a day of the week, like sunday")
        return value.strip().lower()

    @property
    def mentor_checkin_weekday(self) -> int:
        return WEEKDAYS.index(self.mentor_checkin_day)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "not a supported database; use sqlite+aiosqlite:///path/to/bot.sqlite3 "
                "or postgresql+asyncpg://user:password@host/db"
            )
        return value


def limits_from(settings: Settings) -> Limits:
    return Limits(
        global_per_s=settings.rate_limit_global_per_s,
        chat_per_s=settings.rate_limit_chat_per_s,
        chat_burst=settings.rate_limit_chat_burst,
        group_per_min=settings.rate_limit_group_per_min,
    )


def webhook_settings(settings: Settings) -> tuple[str, str]:
    """The webhook URL and secret; ConfigError naming what is missing."""
    if settings.webhook_url is None:
        raise ConfigError("WEBHOOK_URL: required in webhook mode (the https URL for Telegram)")
    if settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET: required in webhook mode (16-256 characters of A-Z a-z 0-9 _ -)"
        )
    return settings.webhook_url, settings.webhook_secret.get_secret_value()


def data_cipher(settings: Settings) -> DataCipher:
    """The cipher for data at rest; ConfigError when the keys are missing and encryption has
    not been explicitly waived (ALLOW_UNENCRYPTED=1, for local use)."""
    if settings.data_encryption_key is None:
        if not settings.allow_unencrypted:
            raise ConfigError(
                "DATA_ENCRYPTION_KEY: not set, and health data must not be stored in clear. "
                "Run `python -m bot keygen` and put both lines in .env, "
                "or set ALLOW_UNENCRYPTED=1 for local use"
            )
        return DataCipher.unencrypted()
    if settings.data_lookup_key is None:
        raise ConfigError(
            "DATA_LOOKUP_KEY: required with DATA_ENCRYPTION_KEY; `python -m bot keygen` makes one"
        )
    keys = [k.strip() for k in settings.data_encryption_key.get_secret_value().split(",")]
    return DataCipher(keys, settings.data_lookup_key.get_secret_value().strip())


def env_file_path(cwd: Path | None = None) -> Path:
    """The .env a bot reads when not given `--env-file`: the project's, beside pyproject.toml,
    when it runs from a checkout (whatever the working folder); else the working folder's."""
    if (PROJECT_DIR / "pyproject.toml").is_file():
        return PROJECT_DIR / ".env"
    return (cwd or Path.cwd()) / ".env"


def load_settings(**overrides: object) -> Settings:
    """Read settings (from the environment, and the .env given as `_env_file`); raise
    ConfigError with one line naming the first bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
