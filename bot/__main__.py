"""`python -m bot`: run the bot (or the demo when no token is configured).

python -m bot          the real bot if TELEGRAM_BOT_TOKEN is set, else the demo
python -m bot run      the real bot (TELEGRAM_BOT_TOKEN required), fetching updates itself
python -m bot --webhook  the real bot, Telegram posting updates to WEBHOOK_URL
python -m bot demo     a scripted conversation against the bundled Bot API emulator
python -m bot doctor   check settings, database, migrations and the token
python -m bot keygen   print a new DATA_ENCRYPTION_KEY and DATA_LOOKUP_KEY for .env
python -m bot rotate-keys  re-encrypt stored data with the first DATA_ENCRYPTION_KEY
python -m bot backup PATH [--force]  a consistent copy of the SQLite database, bot running or not
python -m bot restore PATH  put a backup in place (bot stopped; the old file is kept beside)
python -m bot migrate  apply pending migrations (what start-up does unless AUTO_MIGRATE=0)
python -m bot migrate-data --from URL --to URL  copy the data into a new, empty database
python -m bot risk train   train the risk models from bot/risk/corpus (needs the train extra)
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.config import ConfigError, Settings, data_cipher, load_settings, webhook_settings
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


def main(argv: list[str]) -> int:
    webhook = "--webhook" in argv
    argv = [a for a in argv if a != "--webhook"]
    command = argv[0] if argv else ("run" if webhook else "auto")
    operations = ("backup", "restore", "migrate")  # bot/backup.py
    commands = ("auto", "run", "demo", "doctor", "keygen", "rotate-keys", "risk", "migrate-data")
    if command not in (*commands, *operations):
        print(__doc__, file=sys.stderr)
        return 2
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
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if command == "keygen":
        from storage.crypto import generate_key, generate_lookup_key

        print(f"DATA_ENCRYPTION_KEY={generate_key()}")
        print(f"DATA_LOOKUP_KEY={generate_lookup_key()}")
        return 0
    if command in operations:
        from bot.backup import main as run_operation

        return run_operation(command, argv[1:], settings)
    if command == "rotate-keys":
        from bot.keys import rotate_keys

        return asyncio.run(rotate_keys(settings))
    if command == "doctor":
        from bot.doctor import run_doctor

        return asyncio.run(run_doctor(settings))
    if command == "demo" or (command == "auto" and settings.telegram_bot_token is None):
        from bot.demo import run_demo

        if command == "auto":
            print("No TELEGRAM_BOT_TOKEN configured: running the demo instead.\n")
        return asyncio.run(run_demo())
    if settings.telegram_bot_token is None:
        print(
            "Configuration error: TELEGRAM_BOT_TOKEN: required to run the bot "
            "(get one from @BotFather)",
            file=sys.stderr,
        )
        return 2
    try:
        data_cipher(settings)
        if webhook:
            webhook_settings(settings)
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging()
    try:
        asyncio.run(_run(settings, webhook))
    except KeyboardInterrupt:
        pass
    except ConfigError as exc:  # found at start-up: the keys do not open this database
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
