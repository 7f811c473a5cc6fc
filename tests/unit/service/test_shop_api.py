"""Shopper endpoints: search, recommend, product detail, recipe, knowledge, validation and errors."""

from __future__ import annotations

from typing import Any

import pytest


def _ids(resp: Any) -> list[str]:
    return [p["id"] for p in resp.json()["products"]]


def test_health_and_openapi(client: Any) -> None:
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert set(health["components"]) >= {"catalog", "searcher", "recommender", "users", "knowledge", "review"}
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/search", "/api/recommend", "/api/products/{product_id}", "/api/recipe", "/api/knowledge",
                 "/api/users/{user_id}/statements", "/api/review/items/{item_id}/approve", "/api/review/bulk"):
        assert path in paths
    assert client.get("/docs").status_code == 200
    assert "Shelfmind" in client.get("/").text
    assert "Review console" in client.get("/review").text


def test_search_returns_cards_with_prices(client: Any) -> None:
    r = client.get("/api/search", params={"q": "  spaghetti  ", "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "spaghetti"
    assert 0 < len(body["products"]) <= 5
    assert all("spaghetti" in p["name"].lower() and p["price"] is not None for p in body["products"])


def test_search_filters(client: Any) -> None:
    r = client.get("/api/search", params={"q": "pasta", "filter": "price:le:2"})
    assert r.status_code == 200 and r.json()["products"]
    assert all(p["price"] <= 2 for p in r.json()["products"])
    bad = client.get("/api/search", params={"q": "pasta", "filter": "price:about:2"})
    assert bad.status_code == 422 and "field:op:value" in bad.json()["error"]["message"]


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "pasta", "k": 0}, {"q": "pasta", "k": 1000}, {}],
)
def test_search_rejects_bad_input(client: Any, params: dict[str, Any]) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 422
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == "SM103"


def test_recommend_depends_on_persona(client: Any, auth: dict[str, str]) -> None:
    guest = client.post("/api/recommend", json={"query": "snacks"})
    ben = client.post("/api/recommend", json={"query": "snacks", "user_id": "ben"}, headers=auth)
    maya = client.get("/api/recommend", params={"q": "snacks", "user": "maya"}, headers=auth)
    assert guest.status_code == ben.status_code == maya.status_code == 200
    assert _ids(ben)[:10] != _ids(guest)[:10]
    assert _ids(maya)[:10] != _ids(ben)[:10]
    body = ben.json()
    assert body["personas"]["Budget shopper"] > 0.5
    assert len(body["themes"]) >= 2 and all(t["products"] for t in body["themes"])
    assert all(p["explanation"] for t in body["themes"] for p in t["products"])


def test_personal_results_need_that_shopper(client: Any, login: Any) -> None:
    body = {"query": "snacks", "user_id": "maya"}
    assert client.post("/api/recommend", json=body).status_code == 401
    assert client.get("/api/recommend", params={"q": "snacks", "user": "maya"}).status_code == 401
    assert client.post("/api/recipe", json={"product_ids": ["x"], "user_id": "maya"}).status_code == 401
    login("ben")
    assert client.post("/api/recommend", json=body).status_code == 403
    assert client.post("/api/recommend", json={**body, "user_id": "ben"}).status_code == 200
    login("maya")
    assert client.post("/api/recommend", json=body).status_code == 200


def test_recommend_validation_and_unknown_user(client: Any, auth: dict[str, str]) -> None:
    assert client.post("/api/recommend", json={"query": "snacks", "user_id": "nobody"}, headers=auth).status_code == 404
    assert client.post("/api/recommend", json={"query": " "}).status_code == 422
    assert client.post("/api/recommend", json={"query": "a", "context": {"x": {"nested": 1}}}).status_code == 422
    assert client.post("/api/recommend", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422


def test_product_detail_with_relations(client: Any, rt: Any) -> None:
    pid = rt.searcher.search("spaghetti", k=1)[0].id
    r = client.get(f"/api/products/{pid}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == pid and body["price"] is not None
    assert body["relations"]["complement"] and body["relations"]["substitute"]
    assert all(x["explanation"] and x["id"] != pid for xs in body["relations"].values() for x in xs)
    missing = client.get("/api/products/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no product with id 'does-not-exist'"


def test_recipe_from_cart(client: Any, rt: Any) -> None:
    pid = rt.searcher.search("spaghetti", k=1)[0].id
    r = client.post("/api/recipe", json={"product_ids": [pid]})
    assert r.status_code == 200
    recipe = r.json()
    assert recipe["name"] and recipe["steps"]
    assert any(i["in_cart"] and i["product_id"] == pid for i in recipe["ingredients"])
    assert recipe["missing"] and all(m["id"] != pid for m in recipe["missing"])
    assert client.post("/api/recipe", json={"product_ids": []}).status_code == 422
    assert client.post("/api/recipe", json={"product_ids": ["nope"]}).status_code == 404
    soap = rt.searcher.search("coffee", k=1)[0].id  # no recipe rule for a drink alone
    assert client.post("/api/recipe", json={"product_ids": [soap]}).status_code == 404


def test_knowledge_lookup_and_product_relations(client: Any, rt: Any) -> None:
    pid = rt.searcher.search("spaghetti", k=1)[0].id
    r = client.get(f"/api/knowledge/products/{pid}", params={"kind": "substitute"})
    assert r.status_code == 200
    assert r.json()["relations"] and {x["kind"] for x in r.json()["relations"]} == {"substitute"}
    assert client.get("/api/knowledge", params={"q": "movie night"}).json()["links"] == []
    assert client.get("/api/knowledge/products/nope").status_code == 404


def test_unexpected_errors_do_not_leak(rt: Any) -> None:
    from fastapi.testclient import TestClient

    from shelfmind.service.app import create_app

    class Broken:
        def search(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret internal detail /etc/passwd")

    rt.searcher = Broken()
    with TestClient(create_app(rt), raise_server_exceptions=False) as c:
        r = c.get("/api/search", params={"q": "pasta"})
    assert r.status_code == 500
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.json()["error"]["message"].startswith("internal error")


def test_missing_component_is_a_503_with_a_hint(rt: Any) -> None:
    from fastapi.testclient import TestClient

    from shelfmind.errors import NotFound
    from shelfmind.service.app import create_app

    class Unbuilt:
        def __getattr__(self, name: str) -> Any:
            if name == "searcher":
                raise NotFound("no search index")
            return getattr(rt, name)

    with TestClient(create_app(Unbuilt()), raise_server_exceptions=False) as c:
        r = c.get("/api/search", params={"q": "pasta"})
        assert r.status_code == 503 and "shelfmind index" in r.json()["error"]["message"]
        assert c.get("/health").json()["status"] == "degraded"
        assert c.get("/api/products/" + rt.catalog.ids()[0]).status_code == 200  # the rest still works


def test_metrics_use_route_templates(client: Any, rt: Any) -> None:
    pid = rt.catalog.ids()[0]
    client.get(f"/api/products/{pid}")
    client.get("/api/search", params={"q": "tea"})
    client.get("/api/search", params={"q": "tea"})
    text = client.get("/metrics").text
    assert 'route="/api/products/{product_id}"' in text and pid not in text
    assert 'shelfmind_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/search"}' in text
    assert 'shelfmind_response_cache_total{endpoint="search",result="hit"} 1.0' in text


def test_slow_recipe_answers_202_then_the_result(rt: Any) -> None:
    import threading
    import time

    from fastapi.testclient import TestClient

    from shelfmind.service.app import create_app

    gate = threading.Event()
    calls = []
    real = rt.knowledge.recipe_for_cart

    def slow_recipe(products: Any) -> Any:
        calls.append(1)
        gate.wait(10)  # an LLM writing the recipe
        return real(products)

    rt.knowledge.recipe_for_cart = slow_recipe
    pid = rt.searcher.search("spaghetti", k=1)[0].id
    with TestClient(create_app(rt, slow_wait_s=0.05), raise_server_exceptions=False) as c:
        first = c.post("/api/recipe", json={"product_ids": [pid]})
        assert first.status_code == 202 and first.headers["Retry-After"] == "5"
        assert c.post("/api/recipe", json={"product_ids": [pid]}).status_code == 202
        gate.set()
        for _ in range(200):
            done = c.post("/api/recipe", json={"product_ids": [pid]})
            if done.status_code == 200:
                break
            time.sleep(0.05)
        assert done.status_code == 200 and done.json()["name"] == "Spaghetti al pomodoro"
        assert len(calls) == 1  # the waiting requests shared one computation


def test_concurrent_misses_share_one_computation(rt: Any) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from shelfmind.service.app import create_app

    gate, calls = threading.Event(), []
    real = rt.recommender.recommend

    def slow(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        gate.wait(10)
        return real(*args, **kwargs)

    rt.recommender.recommend = slow
    with TestClient(create_app(rt), raise_server_exceptions=False) as c, ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(c.post, "/api/recommend", json={"query": "tea"}) for _ in range(4)]
        for _ in range(100):  # wait until all four are waiting on the one computation
            if 'result="shared"} 3.0' in c.get("/metrics").text:
                break
            threading.Event().wait(0.05)
        gate.set()
        bodies = [f.result().json() for f in futures]
    assert calls == ["tea"]
    assert all(b == bodies[0] for b in bodies) and bodies[0]["products"]
