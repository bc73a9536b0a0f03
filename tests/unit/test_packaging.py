"""`pip install .` gives a working bot: the wheel alone carries every file the code opens.

Slow-ish (builds a wheel and runs the demo from it, about half a minute), and run by CI: a
data file missing from the wheel only shows once someone installs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import clean_env

ROOT = Path(__file__).resolve().parents[2]


def project_files() -> list[str]:
    """What a clone of the project holds (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


def test_the_wheel_alone_runs_the_bot(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in project_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("recovery_mentor_bot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for data_file in (
        "bot/resources/crisis.json",
        "bot/risk/rules.toml",
        "bot/risk/model.json.gz",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
        "storage/migrations/versions/0001_initial_schema.py",
    ):
        assert data_file in names, f"{data_file} is not in the wheel"

    installed = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        + ["--target", str(installed), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # The installed copy first on the path; -P keeps the working folder off it (and the
    # working folder is not the checkout anyway).
    env = clean_env(
        PYTHONPATH=str(installed),
        DATABASE_URL=f"sqlite+aiosqlite:///{elsewhere / 'bot.sqlite3'}",
        COORDINATOR_IDS="1000",
    )

    def bot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-P", "-m", "bot", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    where = subprocess.run(
        [sys.executable, "-P", "-c", "import bot, storage; print(bot.__file__, storage.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(p.startswith(str(installed)) for p in where.stdout.split()), where.stdout
    migrated = bot("migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    doctor = bot("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr[-2000:]
    assert "ok  migrations: at" in doctor.stdout
    demo = bot("demo")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "You now have a mentor: Alex" in demo.stdout
