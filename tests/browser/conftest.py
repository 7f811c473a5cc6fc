"""Browser tests: the app (over the service's in-memory doubles) served by uvicorn in a thread on a
free loopback port, driven by Debian's Chromium through Playwright's Python client.

Never runs `playwright install`: the browser is the system `chromium`. Screenshots go to
test-artifacts/browser/ (gitignored; CI uploads it).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
TOKEN = "browser-test-token"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from shelfmind.service.app import create_app
    from shelfmind.service.testing import test_runtime

    rt = test_runtime(tmp_path_factory.mktemp("browser-home"), api_token=TOKEN)
    with LiveServer(create_app(rt)) as server:
        server.runtime = rt  # type: ignore[attr-defined]
        yield server


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app over the real Runtime and factories on the bundled catalog (hashing embedder and the
    fake LLM keep it fast and offline; statements are parsed by the personas module's rules)."""
    from importlib.resources import files

    from shelfmind.catalog.ingest import ingest_file
    from shelfmind.catalog.products_text import render_catalog
    from shelfmind.runtime import Runtime
    from shelfmind.service.app import create_app

    search_factory = pytest.importorskip("shelfmind.search.factory")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHELFMIND_STATEMENT_LLM", "0")
        mp.setenv("SHELFMIND_ALLOW_MODEL_REQUESTS", "0")
        rt = Runtime(home=tmp_path_factory.mktemp("real-home"), embedder="hashing", llm_strong="fake:",
                     llm_fast="fake:", api_token=TOKEN)
        ingest_file(str(files("shelfmind") / "data" / "grocery" / "catalog.toml"), rt.catalog, progress=False)
        render_catalog(rt.catalog, None, rt.paths.artifacts_dir, show=0, progress=False)
        search_factory.index_catalog(rt, progress=False)
        with LiveServer(create_app(rt)) as server:
            server.runtime = rt  # type: ignore[attr-defined]
            yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium); CI installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot(page: Any) -> Any:
    """screenshot("name") saves test-artifacts/browser/name.png (full page) and returns its path."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
