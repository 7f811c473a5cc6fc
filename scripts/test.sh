#!/usr/bin/env bash
# Installs everything, then runs lint, type checks and the whole test suite (real embedded model included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PY=${PYTHON:-python3}
echo "== ruff" >&2
"$PY" -m ruff check src tests bench
echo "== mypy" >&2
"$PY" -m mypy
echo "== pytest" >&2
"$PY" -m pytest -q "$@"
