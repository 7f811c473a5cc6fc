#!/usr/bin/env bash
# Installs everything (embedded models included), then runs the demo: bundled catalog -> enrich ->
# knowledge -> index -> serve the storefront on localhost. Extra arguments go to `shelfmind demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
SHELFMIND_SKIP_BROWSER=1 bash scripts/install.sh
exec "${PYTHON:-python3}" -m shelfmind demo "$@"
