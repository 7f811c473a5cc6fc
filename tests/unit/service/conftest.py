from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfmind.service.app import create_app
from shelfmind.service.testing import TestRuntime, test_runtime

TOKEN = "unit-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> TestRuntime:
    return test_runtime(tmp_path_factory.mktemp("svc-template"))


@pytest.fixture
def rt(tmp_path: Path, _template: TestRuntime) -> TestRuntime:
    return test_runtime(tmp_path / "svc", api_token=TOKEN, template=_template)


@pytest.fixture
def client(rt: TestRuntime) -> Any:
    with TestClient(create_app(rt), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def auth() -> dict[str, str]:
    return dict(AUTH)


@pytest.fixture
def login(client: Any) -> Any:
    def as_user(user_id: str) -> None:
        assert client.post("/api/session", json={"user_id": user_id}).status_code == 200

    return as_user
