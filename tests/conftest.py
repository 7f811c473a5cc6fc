"""Shared fixtures.

Real model requests are forbidden unless a test opts in with @pytest.mark.real_llm (like
pydantic-ai's ALLOW_MODEL_REQUESTS): providers check SHELFMIND_ALLOW_MODEL_REQUESTS.
Every test gets its own SHELFMIND_HOME, so tests never touch a user's state.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SHELFMIND_HOME", str(home))
    allow = request.node.get_closest_marker("real_llm") is not None
    monkeypatch.setenv("SHELFMIND_ALLOW_MODEL_REQUESTS", "1" if allow else "0")
    return home


@pytest.fixture
def home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA
