"""The project stands alone: on a fresh clone (no ../shared beside it) the tests that read
the evaluation sets skip and say why; in CI (.ci/run, where ../shared is beside the project)
they must run, so there a missing ../shared fails instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.shared import ROOT, copy_project

SELECTED = ["tests/unit/test_risk.py", "-k", "dev_set or overdose"]


def pytest_in(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "REQUIRE_SHARED"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *SELECTED],
        cwd=project,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_clone_without_shared_skips_with_a_reason_but_ci_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "alone" / "project")
    assert not (project.parent / "shared").exists()

    alone = pytest_in(project)
    assert alone.returncode == 0, alone.stdout[-3000:]
    assert "1 skipped" in alone.stdout
    assert "the evaluation sets live in ../shared/risk" in alone.stdout

    ci = pytest_in(project, REQUIRE_SHARED="1")
    assert ci.returncode == 1, ci.stdout[-3000:]
    assert "1 failed" in ci.stdout and "REQUIRE_SHARED=1 but dev.jsonl not in" in ci.stdout


def test_ci_requires_shared() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export REQUIRE_SHARED=1" in ci
    assert ci.index("export REQUIRE_SHARED=1") < ci.index("bash scripts/test.sh")


def test_ci_installs_postgresql_and_runs_the_suites_on_it_too() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export REQUIRE_POSTGRES=1" in ci
    assert "apt-get install -y -q postgresql" in ci and "/usr/lib/postgresql/*/bin" in ci
    on_sqlite = ci.index("bash scripts/test.sh")
    on_postgres = ci.index(
        "TEST_DATABASE=postgres .venv/bin/python -m pytest -q tests/service tests/e2e"
    )
    assert ci.index("export REQUIRE_POSTGRES=1") < on_sqlite < on_postgres
