"""The recovery peer-mentoring bot: settings, domain services and the Application's wiring."""

import os

# Opt in to python-telegram-bot's future behaviour (time periods as timedelta, e.g.
# RetryAfter.retry_after) instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
