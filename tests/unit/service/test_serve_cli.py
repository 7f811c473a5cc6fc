from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from shelfmind.cli.main import cli


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Capture the app uvicorn would serve instead of blocking."""
    import uvicorn

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: apps.append(self.config))
    return apps


def test_serve_prints_address_and_generates_a_token(served: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHELFMIND_API_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--port", "8123", "--doubles"])
    assert result.exit_code == 0, result.output
    assert "http://localhost:8123/" in result.output
    line = next(x for x in result.output.splitlines() if "API token for this run" in x)
    token = line.rsplit(" ", 1)[-1]
    assert len(token) >= 24
    config = served[0]
    assert (config.host, config.port) == ("127.0.0.1", 8123)
    assert config.app.state.guard.api_token == token


def test_serve_uses_the_configured_token_and_never_prints_it(served: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFMIND_API_TOKEN", "configured-secret-123")
    result = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1", "--port", "8124", "--doubles"])
    assert result.exit_code == 0, result.output
    assert "configured-secret-123" not in result.output
    assert served[0].app.state.guard.api_token == "configured-secret-123"


def test_serve_rejects_a_bad_port() -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert result.exit_code == 2
