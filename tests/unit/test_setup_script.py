"""scripts/setup.sh installs only when something changed (run.sh and test.sh call it every
time; reinstalling cost about 8 s per run). pip is replaced by a stand-in `.venv/bin/python`
that records what it was asked to do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../../calls.log"
if [ "${FAIL_INSTALL:-0}" = 1 ] && [ "$3" = install ]; then exit 1; fi
exit 0
"""


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "setup.sh", project / "scripts" / "setup.sh")
    shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return project


def setup(project: Path, **env: str) -> tuple[int, list[str]]:
    log = project / "calls.log"
    before = log.read_text().splitlines() if log.exists() else []
    result = subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=project,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    after = log.read_text().splitlines() if log.exists() else []
    return result.returncode, after[len(before) :]


def test_setup_installs_once_and_again_only_when_pyproject_changes(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    status, calls = setup(project)
    assert status == 0
    assert any("pip install" in c and "-e .[dev]" in c for c in calls), calls

    assert setup(project) == (0, [])  # nothing changed: pip is not run

    with (project / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency would go here\n")
    status, calls = setup(project)
    assert status == 0 and any("-e .[dev]" in c for c in calls), calls
    assert setup(project) == (0, [])


def test_a_failed_install_is_tried_again_next_time(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    status, _ = setup(project, FAIL_INSTALL="1")
    assert status != 0
    status, calls = setup(project)
    assert status == 0 and any("-e .[dev]" in c for c in calls), calls
