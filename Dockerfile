# The bot as a container: `docker compose up -d` (compose.yaml) with the settings in .env.
# The database lives in the volume /data; the data keys come from the environment only (never
# bake .env into the image: .dockerignore keeps it out of the build context).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A dedicated user without a login; /data is its home and only its own (0700), as the bot
# wants its database folder.
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin bot \
    && mkdir -p /data \
    && chown bot:bot /data \
    && chmod 0700 /data

# Installed as a wheel (not editable), with the PostgreSQL driver (the postgres extra); the
# sources are not kept in the image.
COPY pyproject.toml README.md /src/
COPY bot /src/bot
COPY handlers /src/handlers
COPY storage /src/storage
COPY emulator /src/emulator
RUN pip install "/src[postgres]" && rm -rf /src

USER bot
WORKDIR /data
ENV DATABASE_URL=sqlite+aiosqlite:////data/bot.sqlite3 \
    MPLCONFIGDIR=/tmp/matplotlib
VOLUME ["/data"]

# Settings, database, migrations, keys and the token (one getMe); exit 1 if any fails.
HEALTHCHECK --interval=5m --timeout=60s --start-period=2m --retries=3 \
    CMD ["python", "-m", "bot", "doctor"]

# SIGTERM: stop fetching, let sends in flight finish (10 s at most), close the database.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
