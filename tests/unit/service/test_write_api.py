"""Write endpoints: shopper statements (own profile only) and the review queue (API token)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfmind.service.app import create_app


def test_profiles_are_private(client: Any, auth: dict[str, str], login: Any) -> None:
    users = client.get("/api/users").json()  # the demo switcher: names and personas only
    assert {u["id"] for u in users} >= {"maya", "ben", "lucia"}
    assert all("statements" not in u for u in users)
    assert client.get("/api/users/maya").status_code == 401
    login("ben")
    assert client.get("/api/users/maya").status_code == 403
    login("maya")
    assert client.get("/api/users/maya").json()["personas"]
    assert client.get("/api/users/nobody", headers=auth).status_code == 404


def test_without_demo_logins_the_user_list_needs_the_token(rt: Any, auth: dict[str, str]) -> None:
    with TestClient(create_app(rt, demo_logins=False), raise_server_exceptions=False) as c:
        assert c.get("/api/users").status_code == 401
        assert c.post("/api/session", json={"user_id": "maya"}).status_code == 403
        assert c.get("/api/users", headers=auth).status_code == 200


def test_statement_needs_the_owner(client: Any, auth: dict[str, str], login: Any) -> None:
    body = {"text": "I am vegan"}
    assert client.post("/api/users/maya/statements", json=body).status_code == 401
    login("ben")
    r = client.post("/api/users/maya/statements", json=body)
    assert r.status_code == 403 and "own profile" in r.json()["error"]["message"]
    assert client.post("/api/users/maya/statements", json=body, headers={"X-Session": "maya.forged"}).status_code == 401
    assert client.post("/api/users/maya/statements", json=body, headers=auth).status_code == 201  # admin token
    assert client.post("/api/session", json={"user_id": "nobody"}).status_code == 404


def test_statement_changes_results_at_once(client: Any, login: Any) -> None:
    query = {"query": "chocolate", "user_id": "lucia"}
    login("lucia")
    before = client.post("/api/recommend", json=query).json()
    r = client.post("/api/users/lucia/statements", json={"text": "  I'm   vegan  "})
    assert r.status_code == 201
    st = r.json()["statements"][-1]
    assert st["text"] == "I'm vegan" and st["constraints"] == ["vegan"]
    after = client.post("/api/recommend", json=query).json()
    assert after["constraints"] == ["vegan"] and after["removed_by_constraints"] > 0
    assert [p["id"] for p in after["products"]] != [p["id"] for p in before["products"]]
    gone = client.delete(f"/api/users/lucia/statements/{st['id']}")
    assert gone.status_code == 200 and gone.json()["statements"] == []
    again = client.post("/api/recommend", json=query).json()
    assert [p["id"] for p in again["products"]] == [p["id"] for p in before["products"]]
    assert client.delete(f"/api/users/lucia/statements/{st['id']}").status_code == 404


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_statement_validation(client: Any, login: Any, text: str) -> None:
    login("maya")
    r = client.post("/api/users/maya/statements", json={"text": text})
    assert r.status_code == 422 and r.json()["error"]["code"] == "SM103"


def test_review_needs_a_valid_token(client: Any) -> None:
    assert client.get("/api/review/items").status_code == 401
    assert client.get("/api/review/items", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.post("/api/review/items/1/approve", headers={"X-API-Token": "wrong"}).status_code == 403
    assert client.post("/api/review/bulk", json={"ids": [1], "decision": "approve"}).status_code == 401


def test_review_is_closed_without_a_configured_token(rt: Any) -> None:
    rt.settings.api_token = None
    with TestClient(create_app(rt), raise_server_exceptions=False) as c:
        r = c.get("/api/review/items", headers={"Authorization": "Bearer anything"})
        assert r.status_code == 503 and "SHELFMIND_API_TOKEN" in r.json()["error"]["message"]
        assert c.post("/api/users/maya/statements", json={"text": "vegan"}).status_code == 401


def test_approve_flows_back_into_the_catalog(client: Any, auth: dict[str, str], rt: Any) -> None:
    items = client.get("/api/review/items", params={"kind": "attribute"}, headers=auth).json()
    assert items and all(i["status"] == "pending" and i["evidence"] for i in items)
    assert [i["confidence"] for i in items] == sorted(i["confidence"] for i in items)
    item = items[0]
    r = client.post(f"/api/review/items/{item['id']}/approve", headers=auth, json={"reviewer": "ana"})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["reviewer"] == "ana"
    pid, attr = item["ref"].removeprefix("product:").split("/attr:")
    assert rt.catalog.get(pid).attributes[attr] == item["value"]
    assert client.get(f"/api/products/{pid}").json()["attributes"][attr] == item["value"]  # cache was invalidated
    counts = client.get("/api/review/counts", headers=auth).json()
    assert counts["attribute"]["approved"] == 1


def test_edit_reject_and_bulk(client: Any, auth: dict[str, str]) -> None:
    items = client.get("/api/review/items", params={"kind": "attribute"}, headers=auth).json()
    a, b, c, d = (i["id"] for i in items[:4])
    assert client.post(f"/api/review/items/{a}/edit", headers=auth, json={"value": "  "}).status_code == 422
    edited = client.post(f"/api/review/items/{a}/edit", headers=auth, json={"value": "passion fruit"}).json()
    assert edited["status"] == "edited" and edited["decided_value"] == "passion fruit"
    assert client.post(f"/api/review/items/{b}/reject", headers=auth).json()["status"] == "rejected"
    assert client.post("/api/review/items/9999/approve", headers=auth).status_code == 404
    bad = client.post("/api/review/bulk", headers=auth, json={"ids": [c, 9999], "decision": "approve"})
    assert bad.status_code == 404
    assert client.get(f"/api/review/items/{c}", headers=auth).json()["status"] == "pending"  # all or nothing
    done = client.post("/api/review/bulk", headers=auth, json={"ids": [c, d, c], "decision": "reject"}).json()
    assert [x["status"] for x in done] == ["rejected", "rejected"]
    assert client.post("/api/review/bulk", headers=auth, json={"ids": [], "decision": "approve"}).status_code == 422
    assert client.post("/api/review/bulk", headers=auth, json={"ids": [c], "decision": "maybe"}).status_code == 422
    listed = client.get("/api/review/items", params={"kind": "attribute", "status": "all"}, headers=auth).json()
    assert {x["status"] for x in listed} == {"edited", "rejected"}


def test_approved_assertion_reaches_knowledge_lookup(client: Any, auth: dict[str, str]) -> None:
    items = client.get("/api/review/items", params={"kind": "assertion"}, headers=auth).json()
    movie = [i for i in items if i["value"]["intent"] == "movie night"]
    assert client.post("/api/review/bulk", headers=auth,
                       json={"ids": [i["id"] for i in movie], "decision": "approve"}).status_code == 200
    kb = client.get("/api/knowledge", params={"q": "Movie Night"}).json()
    assert {x["product"]["id"] for x in kb["links"]} == {i["value"]["product_id"] for i in movie}
    assert kb["themes"] and kb["themes"][0]["products"]
