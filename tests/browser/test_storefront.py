"""The storefront and the review console in headless Chromium (over the service's test doubles)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser
TOKEN = "browser-test-token"


def _wait_changed(page: Any, old: list[str]) -> list[str]:
    """Wait until product cards are shown again and differ from `old` (never an empty page)."""
    page.wait_for_function(
        "old => { const now = [...document.querySelectorAll('[data-testid=product-card]')].map(e => e.dataset.id);"
        " return now.length > 0 && JSON.stringify(now) !== JSON.stringify(old); }", arg=old)
    return page.eval_on_selector_all("[data-testid=product-card]", "els => els.map(e => e.dataset.id)")


def _card_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("[data-testid=product-card]", "els => els.map(e => e.dataset.id)")


def _search(page: Any, query: str) -> None:
    page.fill("[data-testid=search-input]", query)
    page.click("[data-testid=search-button]")
    page.wait_for_selector("[data-testid=theme] [data-testid=product-card]")


def _switch_user(page: Any, user_id: str, name: str) -> None:
    page.select_option("[data-testid=user-select]", user_id)
    page.wait_for_selector(f"#profile-title:has-text('Hi {name}!')")
    page.wait_for_selector(f".chip:has-text('Personalised for {name}')")


def test_search_shows_themed_results(page: Any, screenshot: Any) -> None:
    page.goto("/")
    page.wait_for_selector("body[data-ready='1']")
    screenshot("01-home")
    _search(page, "pasta")
    themes = page.locator("[data-testid=theme]")
    assert themes.count() >= 2, "a broad query should be grouped into several themes"
    first = page.locator("[data-testid=product-card]").first
    assert first.locator(".name").inner_text().strip()
    assert first.locator(".price").inner_text().startswith("$")
    assert "pasta" in first.locator("[data-testid=explanation]").inner_text().lower()
    titles = [t.strip() for t in page.locator("[data-testid=theme] h2").all_inner_texts()]
    assert len(set(titles)) == len(titles)
    screenshot("02-search-pasta")


def test_persona_switch_changes_results(page: Any, screenshot: Any) -> None:
    page.goto("/#/search/snacks")
    page.wait_for_selector("[data-testid=product-card]")
    guest = _card_ids(page)
    _switch_user(page, "ben", "Ben")
    _wait_changed(page, guest)
    ben = _card_ids(page)
    screenshot("03-snacks-as-ben")
    _switch_user(page, "maya", "Maya")
    _wait_changed(page, ben)
    maya = _card_ids(page)
    screenshot("04-snacks-as-maya")
    assert ben[:8] != guest[:8]
    assert maya[:8] != ben[:8]


def test_statement_changes_results_at_once(page: Any, screenshot: Any, live_server: Any) -> None:
    page.goto("/#/search/chocolate")
    page.wait_for_selector("[data-testid=product-card]")
    _switch_user(page, "lucia", "Lucia")
    before = _card_ids(page)
    page.fill("[data-testid=statement-input]", "I'm vegan, no animal products please")
    page.click("[data-testid=statement-save]")
    page.wait_for_selector("[data-testid=constraint]:has-text('vegan')")
    page.wait_for_selector("[data-testid=statement]:has-text('vegan')")
    after = _wait_changed(page, before)
    screenshot("05-chocolate-after-vegan-statement")
    products = live_server.runtime.catalog.get_many(after)
    for pid in after:  # every product still shown is free of dairy (the double's vegan rule)
        text = f"{products[pid].name} {products[pid].fields.get('ingredients') or ''}".lower()
        assert "milk" not in text.split(), products[pid].name
    # forgetting the statement brings the results back
    page.click("[data-testid=statement] button")
    page.wait_for_function("ids => JSON.stringify([...document.querySelectorAll('[data-testid=product-card]')]"
                           ".map(e => e.dataset.id).slice(0, 5)) === JSON.stringify(ids)", arg=before[:5])
    assert page.locator("[data-testid=constraint]").count() == 0


def test_product_page_and_cart_recipe(page: Any, screenshot: Any) -> None:
    page.goto("/#/search/spaghetti")
    page.wait_for_selector("[data-testid=product-card]")
    page.locator("[data-testid=product-card] .name").first.click()
    page.wait_for_selector("[data-testid=relations-complement] [data-testid=product-card]")
    assert page.locator("[data-testid=relations-substitute]").count() == 1
    page.click(".product button.primary")
    screenshot("06-product-page")
    page.click("[data-testid=cart-button]")
    page.click("[data-testid=recipe-button]")
    page.wait_for_selector("[data-testid=recipe] .recipe-card")
    assert "✔" in page.locator(".ingredients").inner_text()
    screenshot("07-cart-recipe")


def test_review_approval_flows_back(page: Any, screenshot: Any, live_server: Any) -> None:
    page.goto("/review")
    page.wait_for_selector("body[data-ready='1']")
    assert "Enter the API token" in page.locator("[data-testid=queue]").inner_text()
    page.fill("[data-testid=token-input]", TOKEN)
    page.click("[data-testid=token-save]")
    page.wait_for_selector("[data-testid=review-row]")
    screenshot("08-review-console")
    row = page.locator("[data-testid=review-row]").first
    item_id = int(row.get_attribute("data-id"))
    assert row.locator("[data-testid=evidence]").inner_text().strip()
    row.locator("[data-testid=approve]").click()
    page.wait_for_selector(f"[data-testid=review-row][data-id='{item_id}']", state="detached")
    page.select_option("[data-testid=status-select]", "approved")
    page.wait_for_selector(f"[data-testid=review-row][data-id='{item_id}'] [data-testid=status]:has-text('approved')")
    screenshot("09-review-approved")
    item = httpx.get(f"{live_server.url}/api/review/items/{item_id}",
                     headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert item["status"] == "approved" and item["reviewer"] == "console"
    pid, attr = item["ref"].removeprefix("product:").split("/attr:")
    assert live_server.runtime.catalog.get(pid).attributes[attr] == item["value"]  # flowed back into the catalog


def test_review_bulk_reject(page: Any, live_server: Any) -> None:
    page.goto("/review")
    page.fill("[data-testid=token-input]", TOKEN)
    page.click("[data-testid=token-save]")
    page.click("[data-testid=tab-assertion]")
    page.wait_for_selector("[data-testid=review-row] >> text=→")
    n = page.locator("[data-testid=review-row]").count()
    assert n >= 2
    page.check("[data-testid=select-all]")
    page.click("[data-testid=bulk-reject]")
    page.wait_for_selector("text=Nothing to review here")
    counts = httpx.get(f"{live_server.url}/api/review/counts", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert counts["assertion"].get("rejected") == n


def test_api_docs_work_offline(page: Any) -> None:
    page.goto("/docs")
    page.wait_for_selector("body[data-ready='1']")
    text = page.inner_text("body")
    assert "/api/search" in text and "/api/review/bulk" in text


def test_review_edit_corrects_the_value(page: Any, live_server: Any) -> None:
    page.goto("/review")
    page.fill("[data-testid=token-input]", TOKEN)
    page.click("[data-testid=token-save]")
    row = page.locator("[data-testid=review-row]").last
    row.wait_for()
    item_id = int(row.get_attribute("data-id"))
    row.locator("[data-testid=edit]").click()
    page.fill("[data-testid=edit-value]", "extra hot")
    page.click("[data-testid=edit-save]")
    page.wait_for_selector(f"[data-testid=review-row][data-id='{item_id}']", state="detached")
    item = httpx.get(f"{live_server.url}/api/review/items/{item_id}",
                     headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert item["status"] == "edited" and item["decided_value"] == "extra hot"
    pid, attr = item["ref"].removeprefix("product:").split("/attr:")
    assert live_server.runtime.catalog.get(pid).attributes[attr] == "extra hot"
