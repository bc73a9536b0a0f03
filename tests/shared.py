"""What lies beside the project: `../shared/risk` holds the evaluation sets (not part of
the project, and absent from a fresh clone), and a copy of the project for tests that need
one on its own."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_RISK = ROOT.parent / "shared" / "risk"
ABSENT = "the evaluation sets live in ../shared/risk, beside the project (absent here)"

Test = TypeVar("Test", bound=Callable[..., Any])


def needs_shared(*names: str) -> Callable[[Test], Test]:
    """Skip a test whose files in ../shared/risk are absent (a fresh clone), unless
    REQUIRE_SHARED=1 (CI, where they are beside the project): then it fails, naming them."""
    missing = [name for name in names if not (SHARED_RISK / name).exists()]

    def decorate(test: Test) -> Test:
        if not missing:
            return test
        if os.environ.get("REQUIRE_SHARED") != "1":
            skipped: Test = pytest.mark.skip(reason=ABSENT)(test)
            return skipped

        @functools.wraps(test)
        def fail(*args: object, **kwargs: object) -> None:
            pytest.fail(f"REQUIRE_SHARED=1 but {', '.join(missing)} not in {SHARED_RISK}")

        return fail  # type: ignore[return-value]

    return decorate


def copy_project(destination: Path) -> Path:
    """The project's files (tracked, or new and not ignored) copied to `destination`, as a
    fresh clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination
