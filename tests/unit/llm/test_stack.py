from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from shelfmind.config import get_settings
from shelfmind.errors import ConfigError, ProviderError, TransientProviderError
from shelfmind.llm.accounting import Ledger, Metered
from shelfmind.llm.base import ChatRequest, Message, RequestMeta
from shelfmind.llm.cache import Cached, ResponseCache
from shelfmind.llm.factory import build_llm
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.llm.providers.openai_compat import OpenAICompatLLM
from shelfmind.llm.providers.replay import ReplayLLM
from shelfmind.llm.registry import build_provider, parse_spec
from shelfmind.llm.retry import Retrying
from shelfmind.llm.router import Routed


def req(text: str = "hi", *, version: str = "1", task: str = "t", dedup: str | None = None,
        schema: dict | None = None) -> ChatRequest:
    return ChatRequest(messages=[Message(role="user", content=text)], json_schema=schema,
                       meta=RequestMeta(task=task, prompt_name="p", prompt_version=version, dedup_key=dedup))


def test_exact_cache_key_covers_prompt_version_and_schema(tmp_path: Path) -> None:
    fake = FakeLLM(responder=lambda r: f"answer {len(fake.requests)}")
    llm = Cached(fake, ResponseCache(tmp_path / "c.sqlite"))
    a = llm.chat(req("x"))
    b = llm.chat(req("x"))
    assert b.cached and b.cache_kind == "exact" and b.text == a.text
    assert not llm.chat(req("x", version="2")).cached
    assert not llm.chat(req("x", schema={"type": "object"})).cached
    assert len(fake.requests) == 3


def test_cache_persists_across_instances(tmp_path: Path) -> None:
    Cached(FakeLLM(["one"]), ResponseCache(tmp_path / "c.sqlite")).chat(req("x"))
    again = Cached(FakeLLM([]), ResponseCache(tmp_path / "c.sqlite")).chat(req("x"))
    assert again.text == "one" and again.cached


def test_near_duplicate_reuse_is_opt_in_and_auditable(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    fake = FakeLLM(["first", "second", "third"])
    llm = Cached(fake, cache)
    llm.chat(req("Red Wines", dedup="red wine"))
    hit = llm.chat(req("red wine", dedup="red wine"))
    assert hit.cached and hit.cache_kind == "near_duplicate" and hit.text == "first"
    assert not llm.chat(req("red wine!")).cached  # no dedup key: no near-dup reuse
    assert len(cache.near_hits("t")) == 1
    bypass = llm.chat(req("Red Wines", dedup="red wine").model_copy(
        update={"meta": RequestMeta(task="t", prompt_name="p", prompt_version="1", no_cache_read=True)}))
    assert not bypass.cached and bypass.text == "third"


def test_retry_backs_off_then_succeeds_or_gives_up() -> None:
    sleeps: list[float] = []
    fake = FakeLLM([TransientProviderError("429"), TransientProviderError("503"), "ok"])
    assert Retrying(fake, max_retries=3, sleep=sleeps.append).chat(req()).text == "ok"
    assert len(sleeps) == 2 and sleeps[1] > 0
    fake = FakeLLM([TransientProviderError("429")] * 5)
    with pytest.raises(ProviderError, match="gave up"):
        Retrying(fake, max_retries=2, sleep=lambda s: None).chat(req())
    fake = FakeLLM([ProviderError("bad request")])
    with pytest.raises(ProviderError, match="bad request"):
        Retrying(fake, sleep=lambda s: None).chat(req())
    assert len(fake.requests) == 1  # permanent errors are not retried


def test_router_maps_tasks_to_tiers_lazily() -> None:
    built: list[str] = []

    def make(name: str) -> FakeLLM:
        built.append(name)
        return FakeLLM(responder=lambda r: name, model_id=f"fake:{name}")

    router = Routed({"strong": lambda: make("strong"), "fast": lambda: make("fast")},
                    {"query_understanding": "fast", "default": "strong"})
    assert router.chat(req(task="query_understanding")).text == "fast"
    assert built == ["fast"]
    assert router.chat(req(task="attributes")).text == "strong"
    with pytest.raises(ConfigError):
        Routed({"fast": FakeLLM()}, {}, default_tier="strong")


def test_accounting_counts_calls_hits_tokens_and_cost(tmp_path: Path) -> None:
    db = tmp_path / "llm.sqlite"
    ledger = Ledger(db, prices={"fake:paid": (1.0, 2.0)})
    llm = Metered(Cached(FakeLLM(responder=lambda r: "a b c", model_id="fake:paid"), ResponseCache(db)), ledger)
    llm.chat(req("one two", task="attributes"))
    llm.chat(req("one two", task="attributes"))
    with pytest.raises(ProviderError):
        Metered(FakeLLM([ProviderError("x")]), ledger).chat(req(task="knowledge"))
    stats = {s.task: s for s in ledger.stats()}
    a = stats["attributes"]
    assert (a.calls, a.model_calls, a.cache_hits) == (2, 1, 1)
    assert a.completion_tokens == 3 and a.cost_usd == pytest.approx((2 * 1.0 + 3 * 2.0) / 1e6)
    assert stats["knowledge"].errors == 1


def test_openai_compat_maps_schema_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFMIND_ALLOW_MODEL_REQUESTS", "1")
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        body = json.loads(request.content)
        seen.append(body)
        if body["messages"][0]["content"] == "busy":
            return httpx.Response(429, text="slow down")
        return httpx.Response(200, json={
            "choices": [{"message": {"content": '{"a": 1}'}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3}})

    llm = OpenAICompatLLM("m", base_url="http://127.0.0.1:9/v1", api_key_env="NOPE",
                          transport=httpx.MockTransport(handler), prefix="openai-compat")
    out = llm.chat(req("x", schema={"type": "object"}))
    assert out.text == '{"a": 1}' and out.usage.completion_tokens == 3 and out.model == "openai-compat:m"
    assert seen[0]["response_format"]["json_schema"]["schema"] == {"type": "object"}
    with pytest.raises(TransientProviderError):
        llm.chat(req("busy"))


def test_replay_round_trip(tmp_path: Path) -> None:
    cassette = tmp_path / "c.jsonl"
    recorder = ReplayLLM(cassette, record=FakeLLM(["recorded"], model_id="fake:m"))
    assert recorder.chat(req("q")).text == "recorded"
    replay = ReplayLLM(cassette)
    assert replay.chat(req("q")).text == "recorded"
    from shelfmind.errors import NotFound

    with pytest.raises(NotFound):
        replay.chat(req("other"))


def test_specs_and_registry() -> None:
    settings = get_settings()
    assert parse_spec("openai-compat:m@http://x/v1") == ("openai-compat", "m@http://x/v1")
    assert build_provider("local:qwen2.5-coder-0.5b", settings).model_id == "local:qwen2.5-coder-0.5b"
    assert build_provider("openai-compat:m@http://127.0.0.1:1/v1", settings).model_id == "openai-compat:m"
    with pytest.raises(ConfigError):
        build_provider("nope:x", settings)
    with pytest.raises(ConfigError):
        build_provider("qwen", settings)


def test_local_model_refuses_without_opt_in() -> None:
    llm = build_llm(get_settings())
    with pytest.raises(ProviderError, match="real_llm"):
        llm.chat(req("hi", task="attributes"))
