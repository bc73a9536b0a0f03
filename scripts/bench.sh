#!/usr/bin/env bash
# Set everything up and run the delivery benchmarks (a few minutes; see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python bench/bench.py "$@"
