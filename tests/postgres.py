"""A throw-away PostgreSQL server for the tests: a cluster in a temporary folder, on loopback,
started once per test session when a test needs it, with a fresh database per test.

`TEST_DATABASE=postgres` points every test's `db_url` at it (`.ci/run` runs the service and
end-to-end suites that way too): a database migrated to head once, emptied before each test
(TRUNCATE, ids restarted: the same as a new one, and much faster to make than a new one).
A test marked `blank_database` gets a new, empty database of its own instead. Tests that
need PostgreSQL whatever the run (moving data from SQLite) ask for the `postgres_server`
fixture. Without the server binaries the tests
that need it skip, saying why, unless `REQUIRE_POSTGRES=1` (CI): then they fail.

initdb refuses to run as root; as root the cluster runs as `nobody`.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from storage import migrate

MODE = os.environ.get("TEST_DATABASE", "sqlite")
ON_POSTGRES = MODE == "postgres"
REQUIRED = os.environ.get("REQUIRE_POSTGRES") == "1"
UNPRIVILEGED_USER = "nobody"


def server_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres are: on PATH, or Debian's /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One cluster: `start()`, `fresh_database()` per test, `stop()`."""

    def __init__(self, bin_dir: Path) -> None:
        self._bin = bin_dir
        self._root = Path(tempfile.mkdtemp(prefix="test-pg-"))
        self._data = self._root / "data"
        self._port = _free_port()
        self._numbers = itertools.count(1)
        self._as_root = os.geteuid() == 0
        self._head: str | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._port}"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@{self.host}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", UNPRIVILEGED_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")

    def start(self) -> None:
        self._root.chmod(0o700)
        if self._as_root:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(self._root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync", "--no-instructions")
        options = " ".join([
            "-c listen_addresses=127.0.0.1",
            f"-p {self._port}",
            f"-k {self._root}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c max_connections=300",
        ])
        self._run("pg_ctl", "-D", str(self._data), "-l", str(self._root / "log"), "-w",
                  "-o", options, "start")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self._root, ignore_errors=True)

    async def _admin(self, sql: str, database: str = "postgres") -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=self._port, user="postgres",
                                     database=database)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def emptied_head_database(self) -> str:
        """The shared database at the newest schema, with every table emptied."""
        name = "test_head"
        if self._head is None:
            await self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
            self._head = self.url(name)
            await migrate.upgrade(self._head)
        conn = await asyncpg.connect(host="127.0.0.1", port=self._port, user="postgres",
                                     database=name)
        try:
            # A test's bot killed with SIGKILL may leave sessions behind; they hold locks.
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            version = await conn.fetchval("SELECT version_num FROM alembic_version")
            if version != migrate.head_revision(self._head):
                raise RuntimeError(f"{name} left at revision {version} by a test")
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()
        return self._head

    async def create_database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    async def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextlib.asynccontextmanager
    async def fresh_database(self) -> AsyncIterator[str]:
        url = await self.create_database()
        try:
            yield url
        finally:
            await self.drop_database(url)


def unavailable_reason() -> str:
    return (
        "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql; "
        "install Debian's postgresql package (REQUIRE_POSTGRES=1 makes this a failure)"
    )


def start_server() -> PostgresServer:
    bin_dir = server_bin_dir()
    if bin_dir is None:
        if REQUIRED:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {unavailable_reason()}")
        pytest.skip(unavailable_reason())
    server = PostgresServer(bin_dir)
    server.start()
    return server
