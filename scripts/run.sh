#!/usr/bin/env bash
# Set everything up and run the bot: the real bot when TELEGRAM_BOT_TOKEN is configured
# (environment or .env), otherwise the offline demo against the bundled emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m bot "$@"
