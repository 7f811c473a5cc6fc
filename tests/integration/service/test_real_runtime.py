"""The service over the real Runtime and its factories (search index, personas, knowledge, review),
on the bundled grocery catalog. The hashing embedder and the fake LLM keep it fast and offline; the
point is the wiring between the service and the real components, not their quality."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

TOKEN = "integration-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from importlib.resources import files

    from shelfmind.catalog.ingest import ingest_file
    from shelfmind.catalog.products_text import render_catalog
    from shelfmind.runtime import Runtime
    from shelfmind.service.app import create_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHELFMIND_STATEMENT_LLM", "0")  # statements by rules: no model on this path
        mp.setenv("SHELFMIND_ALLOW_MODEL_REQUESTS", "0")
        home = tmp_path_factory.mktemp("real-home")
        rt = Runtime(home=home, embedder="hashing", llm_strong="fake:", llm_fast="fake:", api_token=TOKEN)
        ingest_file(str(files("shelfmind") / "data" / "grocery" / "catalog.toml"), rt.catalog, progress=False)
        render_catalog(rt.catalog, None, rt.paths.artifacts_dir, show=0, progress=False)
        try:
            from shelfmind.search.factory import index_catalog
        except ImportError:
            pytest.skip("the search area is not available")
        index_catalog(rt, progress=False)
        with TestClient(create_app(rt), raise_server_exceptions=False) as c:
            c.runtime = rt
            yield c


def test_real_components_behind_the_api(client: Any) -> None:
    health = client.get("/health").json()
    assert health["components"]["catalog"] == "ok" and health["components"]["searcher"] == "ok", health
    hits = client.get("/api/search", params={"q": "spaghetti"}).json()["products"]
    assert hits and any("spaghetti" in h["name"].lower() for h in hits[:5])
    users = client.get("/api/users").json()
    assert len(users) >= 2 and all(u["personas"] for u in users)
    first, second = users[0]["id"], users[1]["id"]
    a = client.post("/api/recommend", json={"query": "snacks", "user_id": first}, headers=AUTH).json()
    b = client.post("/api/recommend", json={"query": "snacks", "user_id": second}, headers=AUTH).json()
    assert a["themes"] and b["themes"] and a["personas"] != b["personas"]
    assert all(p["explanation"] for t in a["themes"] for p in t["products"])
    product = client.get(f"/api/products/{hits[0]['id']}")
    assert product.status_code == 200 and product.json()["name"] == hits[0]["name"]
    assert client.get("/api/products/nope").status_code == 404
    assert client.post("/api/recommend", json={"query": "snacks", "user_id": "nobody"}, headers=AUTH).status_code == 404


def test_statement_round_trip_with_the_real_user_service(client: Any) -> None:
    uid = client.get("/api/users").json()[0]["id"]
    assert client.post(f"/api/users/{uid}/statements", json={"text": "no peanuts"}).status_code == 401
    client.post("/api/session", json={"user_id": uid})
    before = client.post("/api/recommend", json={"query": "peanut butter cookies", "user_id": uid}).json()
    r = client.post(f"/api/users/{uid}/statements", json={"text": "I'm allergic to peanuts"})
    assert r.status_code == 201, r.text
    st = r.json()["statements"][-1]
    assert st["text"] == "I'm allergic to peanuts" and st["constraints"]
    after = client.post("/api/recommend", json={"query": "peanut butter cookies", "user_id": uid}).json()
    assert after["removed_by_constraints"] > before["removed_by_constraints"]
    assert [p["id"] for p in after["products"]] != [p["id"] for p in before["products"]]
    gone = client.delete(f"/api/users/{uid}/statements/{st['id']}")
    assert gone.status_code == 200 and st["id"] not in {s["id"] for s in gone.json()["statements"]}
    assert client.delete(f"/api/users/{uid}/statements/{st['id']}").status_code == 404


def test_review_decisions_reach_the_real_queue(client: Any) -> None:
    from shelfmind.review.queue import ReviewKind

    pid = client.runtime.catalog.ids()[0]
    item_id = client.runtime.review.add(kind=ReviewKind.ATTRIBUTE, ref=f"product:{pid}/attr:flavor", subject="x",
                                        value="mango", evidence="mango puree", confidence=0.3, reason="low confidence")
    assert client.get("/api/review/items").status_code == 401
    listed = client.get("/api/review/items", headers=AUTH).json()
    assert [i["id"] for i in listed] == [item_id]
    r = client.post(f"/api/review/items/{item_id}/approve", headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert client.get("/api/review/counts", headers=AUTH).json()["attribute"] == {"approved": 1}
    # the enrichment service's decision handler wrote the approved value back into the catalog
    assert client.runtime.catalog.get(pid).attributes["flavor"] == "mango"
    assert client.get(f"/api/products/{pid}").json()["attributes"]["flavor"] == "mango"
