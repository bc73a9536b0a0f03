"""The Dockerfile, compose.yaml and the systemd units: what they point at exists, and they say
what running it as a service needs. (No Docker or systemd here: these read the files.)"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_URL = "sqlite+aiosqlite:////data/bot.sqlite3"


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((ROOT / "deploy" / name).read_text())
    return parser


def test_the_dockerfile_copies_what_exists_and_runs_the_bot_unprivileged() -> None:
    steps = dockerfile()
    (base,) = [args for op, args in steps if op == "FROM"]
    version = re.fullmatch(r"python:3\.(\d+)-slim(-\w+)?", base)
    assert version is not None and int(version.group(1)) >= 11, base
    for op, args in steps:
        if op == "COPY":
            *sources, _ = args.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the project"
    copied = {s for op, args in steps if op == "COPY" for s in args.split()[:-1]}
    # Every package pyproject.toml installs, and the files its metadata reads.
    assert {"pyproject.toml", "README.md", "bot", "handlers", "storage", "emulator"} <= copied

    ops = [op for op, _ in steps]
    user = [args for op, args in steps if op == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert ops.index("USER") < ops.index("CMD")
    assert [args for op, args in steps if op == "VOLUME"] == ['["/data"]']
    env = " ".join(args for op, args in steps if op == "ENV")
    assert f"DATABASE_URL={DATA_URL}" in env
    (health,) = [args for op, args in steps if op == "HEALTHCHECK"]
    assert health.endswith('CMD ["python", "-m", "bot", "doctor"]')
    (cmd,) = [args for op, args in steps if op == "CMD"]
    assert cmd == '["python", "-m", "bot", "run"]'

    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and ".venv/" in ignored and "data/" in ignored


def test_compose_reads_env_keeps_data_in_a_volume_and_restarts() -> None:
    """Read by hand (no YAML parser in the project): two-space indents, no tabs, and the
    keys a deployment needs, each where it belongs."""
    text = (ROOT / "compose.yaml").read_text()
    assert "\t" not in text
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    for line in lines:
        indent = len(line) - len(line.lstrip())
        assert indent % 2 == 0, line
        body = line.strip()
        assert body.startswith("- ") or re.fullmatch(r"[A-Za-z_-]+:( .+)?", body), line
    top = [line for line in lines if not line.startswith(" ")]
    assert top == ["services:", "volumes:"]
    assert "  bot:" in lines and "  bot-data:" in lines
    service = lines[lines.index("  bot:") + 1 : lines.index("volumes:")]
    assert "    build: ." in service
    assert service[service.index("    env_file:") + 1] == "      - .env"
    assert service[service.index("    volumes:") + 1] == "      - bot-data:/data"
    assert "    restart: unless-stopped" in service
    assert f'      DATABASE_URL: "{DATA_URL}"' in service


def test_the_systemd_unit_runs_the_bot_as_its_own_user_hardened() -> None:
    service = unit("recovery-mentor-bot.service")
    assert set(service.sections()) == {"Unit", "Service", "Install"}
    s = service["Service"]
    assert s["User"] not in ("root", "0") and s["User"] == s["Group"]
    assert s["EnvironmentFile"].startswith("/etc/")
    assert s["Restart"] == "on-failure"
    assert shlex.split(s["ExecStart"])[1:] == ["-m", "bot", "run"]
    assert s["WorkingDirectory"] == f"/var/lib/{s['StateDirectory']}"
    assert s["StateDirectoryMode"] == "0700" and s["UMask"] == "0077"
    for setting, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert s[setting] == value, setting
    assert service["Install"]["WantedBy"] == "multi-user.target"

    backup = unit("recovery-mentor-bot-backup.service")["Service"]
    assert backup["User"] == s["User"] and backup["Type"] == "oneshot"
    assert "-m bot backup" in backup["ExecStart"]
    assert "%%Y" in backup["ExecStart"]  # a literal % in a unit file is written %%
    timer = unit("recovery-mentor-bot-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
