"""`python -m bot`: run the bot (or the demo when no token is configured).

python -m bot          the real bot if TELEGRAM_BOT_TOKEN is set, else the demo
python -m bot run      the real bot (TELEGRAM_BOT_TOKEN required), fetching updates itself
python -m bot --webhook  the real bot, Telegram posting updates to WEBHOOK_URL
python -m bot demo     a scripted conversation against the bundled Bot API emulator
                       (`demo --lang es`: played in Spanish; `demo --desk`: the coordinators'
                       desk, a forum topic per person, claim, staff reply, resolve, /stats)
python -m bot doctor   check settings, database, migrations and the token
python -m bot keygen   print a new DATA_ENCRYPTION_KEY and DATA_LOOKUP_KEY for .env
python -m bot rotate-keys  re-encrypt stored data with the first DATA_ENCRYPTION_KEY
python -m bot backup PATH [--force]  a consistent copy of the SQLite database, bot running or not
python -m bot restore PATH  put a backup in place (bot stopped; the old file is kept beside)
python -m bot migrate  apply pending migrations (what start-up does unless AUTO_MIGRATE=0)
python -m bot migrate-data --from URL --to URL  copy the data into a new, empty database
python -m bot risk train   train the risk models from bot/risk/corpus (needs the train extra)

Settings come from the environment, then from the project's .env (beside pyproject.toml,
whatever the working folder), or from the file given with `--env-file PATH`.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import (
    ConfigError,
    Settings,
    StartupError,
    data_cipher,
    env_file_path,
    load_settings,
    webhook_settings,
)
from bot.i18n import LANGUAGES
from bot.logs import configure_logging


async def _run(settings: Settings, webhook: bool) -> None:
    from bot.app import BotRuntime

    assert settings.telegram_bot_token is not None
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    runtime = BotRuntime(settings, settings.telegram_bot_token.get_secret_value(), webhook=webhook)
    await runtime.run_until(stopped)


def refuse(exc: StartupError) -> int:
    """One line on stderr naming the cause and the fix; exit status 2."""
    label = "Configuration error" if isinstance(exc, ConfigError) else "Cannot start"
    print(f"{label}: {exc}", file=sys.stderr)
    return 2


def keygen(_settings: Settings, _env_file: Path) -> int:
    from storage.crypto import generate_key, generate_lookup_key

    print(f"DATA_ENCRYPTION_KEY={generate_key()}")
    print(f"DATA_LOOKUP_KEY={generate_lookup_key()}")
    return 0


def rotate_keys(settings: Settings, _env_file: Path) -> int:
    from bot.keys import rotate_keys

    return asyncio.run(rotate_keys(settings))


def doctor(settings: Settings, _env_file: Path) -> int:
    from bot.doctor import run_doctor

    return asyncio.run(run_doctor(settings))


def demo(_settings: Settings, _env_file: Path, language: str = "en", desk: bool = False) -> int:
    if desk:
        from bot.desk_demo import run_desk_demo

        print("Running the offline desk demo (asked for with `python -m bot demo --desk`).\n")
        return asyncio.run(run_desk_demo(language))
    from bot.demo import run_demo

    print("Running the offline demo (asked for with `python -m bot demo`).\n")
    return asyncio.run(run_demo(language))


def auto(settings: Settings, env_file: Path, language: str = "en") -> int:
    """The bot when a token is configured anywhere; else the demo, saying where it looked."""
    if settings.telegram_bot_token is not None:
        return run(settings, env_file)
    from bot.demo import run_demo

    print(
        f"No TELEGRAM_BOT_TOKEN in the environment or {env_file}: running the offline demo.\n"
    )
    return asyncio.run(run_demo(language))


def run(settings: Settings, _env_file: Path, *, webhook: bool = False) -> int:
    if settings.telegram_bot_token is None:
        return refuse(
            ConfigError("TELEGRAM_BOT_TOKEN: required to run the bot (get one from @BotFather)")
        )
    try:
        data_cipher(settings)
        if webhook:
            webhook_settings(settings)
    except ConfigError as exc:
        return refuse(exc)
    configure_logging()
    try:
        asyncio.run(_run(settings, webhook))
    except KeyboardInterrupt:
        pass
    except StartupError as exc:  # found at start-up: keys, database, coordinators, Telegram
        return refuse(exc)
    return 0


def operation(command: str, args: list[str]) -> Callable[[Settings, Path], int]:
    """backup, restore and migrate (bot/backup.py), with their own arguments."""

    def run_operation(settings: Settings, _env_file: Path) -> int:
        from bot.backup import main as run_backup_operation

        return run_backup_operation(command, args, settings)

    return run_operation


COMMANDS: dict[str, Callable[..., int]] = {
    "auto": auto,
    "run": run,
    "demo": demo,
    "doctor": doctor,
    "keygen": keygen,
    "rotate-keys": rotate_keys,
}


def _option(argv: list[str], name: str) -> tuple[list[str], str | None]:
    """Take `--name VALUE` or `--name=VALUE` out of argv."""
    rest: list[str] = []
    value: str | None = None
    args = iter(argv)
    for arg in args:
        if arg == name:
            value = next(args, "")
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, value


def main(argv: list[str]) -> int:
    webhook = "--webhook" in argv
    desk = "--desk" in argv
    argv = [a for a in argv if a not in ("--webhook", "--desk")]
    argv, env_file_arg = _option(argv, "--env-file")
    argv, language = _option(argv, "--lang")
    if language is not None and language not in LANGUAGES:
        print(f"--lang: one of {', '.join(LANGUAGES)}", file=sys.stderr)
        return 2
    command = argv[0] if argv else ("run" if webhook else "auto")
    if command == "risk":
        if argv[1:] != ["train"]:
            print(__doc__, file=sys.stderr)
            return 2
        from bot.risk.train import main as train_risk_models

        train_risk_models()
        return 0
    if command == "migrate-data":  # needs no settings: both databases are named
        from storage.transfer import main as migrate_data

        return migrate_data(argv[1:])
    operations = ("backup", "restore", "migrate")
    if command not in COMMANDS and command not in operations:
        print(__doc__, file=sys.stderr)
        return 2
    if env_file_arg is not None:
        env_file = Path(env_file_arg).expanduser().resolve()
        if not env_file.is_file():
            return refuse(ConfigError(f"--env-file: no such file {env_file}"))
    else:
        env_file = env_file_path()
    try:
        settings = load_settings(_env_file=env_file)
    except ConfigError as exc:
        if command == "doctor":
            print(f"error  settings: {exc}")
            return 1
        return refuse(exc)
    if webhook and command in ("auto", "run"):
        return run(settings, env_file, webhook=True)
    if command in operations:
        return operation(command, argv[1:])(settings, env_file)
    if command == "demo":
        return demo(settings, env_file, language or "en", desk=desk)
    if command == "auto":
        return auto(settings, env_file, language or "en")
    return COMMANDS[command](settings, env_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
