#!/usr/bin/env bash
# Create .venv (if needed) and install the project with its test tools. Idempotent, and quick
# when nothing changed: pip runs only when pyproject.toml (or this script) differs from the
# last successful install, recorded in .venv/.installed (delete it to force a reinstall).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
wanted="$("$PYTHON" -c 'import hashlib, sys
digest = hashlib.sha256()
for name in sys.argv[1:]:
    with open(name, "rb") as f:
        digest.update(f.read())
print(digest.hexdigest())' pyproject.toml scripts/setup.sh)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  exit 0
fi
rm -f "$stamp"
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
echo "$wanted" > "$stamp"
