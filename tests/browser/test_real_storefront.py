"""The storefront over the real components (search index, personas, knowledge base) in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


def _wait_changed(page: Any, old: list[str]) -> list[str]:
    """Wait until product cards are shown again and differ from `old` (never an empty page)."""
    page.wait_for_function(
        "old => { const now = [...document.querySelectorAll('[data-testid=product-card]')].map(e => e.dataset.id);"
        " return now.length > 0 && JSON.stringify(now) !== JSON.stringify(old); }", arg=old)
    return page.eval_on_selector_all("[data-testid=product-card]", "els => els.map(e => e.dataset.id)")


def _ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("[data-testid=product-card]", "els => els.map(e => e.dataset.id)")


def test_real_storefront_personas_and_statements(browser: Any, real_server: Any) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=real_server.url)
    page = context.new_page()
    page.set_default_timeout(30000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto("/#/search/peanut butter cookies")
        page.wait_for_selector("[data-testid=theme] [data-testid=product-card]")
        guest = _ids(page)
        users = page.eval_on_selector_all("[data-testid=user-select] option", "els => els.map(e => e.value)")
        assert len([u for u in users if u]) >= 2
        page.select_option("[data-testid=user-select]", users[1])
        page.wait_for_selector(".chip:has-text('Personalised')")
        _wait_changed(page, guest)
        before = _ids(page)
        page.screenshot(path=str(ARTIFACTS / "real-01-personalised.png"), full_page=True)
        page.fill("[data-testid=statement-input]", "I'm allergic to peanuts")
        page.click("[data-testid=statement-save]")
        page.wait_for_selector("[data-testid=statement]:has-text('peanuts')")
        _wait_changed(page, before)
        page.screenshot(path=str(ARTIFACTS / "real-02-after-statement.png"), full_page=True)
        shown = real_server.runtime.catalog.get_many(_ids(page))
        assert shown and all("peanut" not in p.name.lower() for p in shown.values())
    finally:
        context.close()
    assert not errors, errors
