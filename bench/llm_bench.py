"""Benchmark the embedded model(s): load time, prompt and generation tokens/s (llama.cpp's own
timings), latency of an uncached call (the baseline) against an exact cache hit, with the ratio.

    python bench/llm_bench.py [--quick] [--models qwen2.5-coder-1.5b,qwen2.5-coder-0.5b] [--n 5]

Each query is a schema-constrained query-parsing request (max 80 tokens), as the search path makes.
The response cache lives in a temp dir, so every run measures cold model calls.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

from shelfmind.config import get_settings
from shelfmind.llm.base import ChatRequest, Message, RequestMeta
from shelfmind.llm.cache import Cached, ResponseCache
from shelfmind.llm.models import get_local_model
from shelfmind.llm.providers.local_llamacpp import LocalLLM

QUERIES = [
    "2018 red wine $30 california", "gluten free pasta under $5", "organic whole milk 1 gallon",
    "dark chocolate 70% cocoa", "vegan protein bars chocolate", "sparkling water lemon 12 pack",
    "cheap coffee beans", "baby food pouches apple", "spicy tortilla chips", "greek yogurt plain 32 oz",
]


class Parse(BaseModel):
    head_term: str
    max_price: float | None
    brand: str | None
    organic: bool | None


def request(q: str) -> ChatRequest:
    return ChatRequest(
        messages=[Message(role="system", content="Parse the shopping query into JSON fields."),
                  Message(role="user", content=f"Query: {q}")],
        json_schema=Parse.model_json_schema(), max_tokens=80, meta=RequestMeta(task="bench"))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def bench_model(name: str, n: int, threads: int, n_ctx: int, cache_dir: Path) -> dict[str, float | str]:
    llm = LocalLLM(get_local_model(name), cache_dir, threads=threads, n_ctx=n_ctx)
    t = time.perf_counter()
    llm._ensure()  # verified-file check + llama.cpp load
    load = time.perf_counter() - t
    uncached: list[float] = []
    hits: list[float] = []
    prompt_n = prompt_ms = gen_n = gen_ms = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        cached = Cached(llm, ResponseCache(Path(tmp) / "c.sqlite"))
        for q in QUERIES[:n]:
            t = time.perf_counter()
            r = cached.chat(request(q))
            uncached.append(time.perf_counter() - t)
            tm = r.timings or {}
            prompt_n += tm.get("prompt_n", 0.0)
            prompt_ms += tm.get("prompt_ms", 0.0)
            gen_n += tm.get("predicted_n", 0.0)
            gen_ms += tm.get("predicted_ms", 0.0)
        for q in QUERIES[:n]:
            t = time.perf_counter()
            hit = cached.chat(request(q))
            hits.append(time.perf_counter() - t)
            assert hit.cached
    return {
        "model": name, "load_s": load,
        "prompt_tok_s": 1000 * prompt_n / prompt_ms if prompt_ms else float("nan"),
        "gen_tok_s": 1000 * gen_n / gen_ms if gen_ms else float("nan"),
        "uncached_p50_ms": 1000 * statistics.median(uncached), "uncached_p95_ms": 1000 * pct(uncached, 95),
        "hit_p50_ms": 1000 * statistics.median(hits), "hit_p95_ms": 1000 * pct(hits, 95),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="qwen2.5-coder-1.5b,qwen2.5-coder-0.5b")
    ap.add_argument("--n", type=int, default=8, help="queries per model")
    ap.add_argument("--quick", action="store_true", help="3 queries per model")
    args = ap.parse_args()
    n = 3 if args.quick else args.n
    settings = get_settings()
    rows = [bench_model(m, n, settings.llm_threads, settings.llm_context, settings.cache_dir)
            for m in args.models.split(",")]
    print(f"{n} schema-constrained query parses per model; threads={settings.llm_threads or 'all cores'}")
    head = (f"{'model':20} {'load s':>7} {'prompt tok/s':>13} {'gen tok/s':>10} {'call':>10} "
            f"{'p50 ms':>10} {'p95 ms':>10} {'x faster than uncached':>24}")
    print(head)
    print("-" * len(head))
    for r in rows:
        base = float(r["uncached_p50_ms"])
        print(f"{r['model']:20} {r['load_s']:7.2f} {r['prompt_tok_s']:13.1f} {r['gen_tok_s']:10.1f} "
              f"{'uncached':>10} {base:10.0f} {r['uncached_p95_ms']:10.0f} {'1 (baseline)':>24}")
        print(f"{'':20} {'':7} {'':13} {'':10} {'cache hit':>10} {r['hit_p50_ms']:10.2f} {r['hit_p95_ms']:10.2f} "
              f"{base / max(float(r['hit_p50_ms']), 1e-6):24.0f}")
    print("\nprompt/gen tok/s: llama.cpp timings of the uncached calls (prompt tokens actually processed; "
          "the shared system prefix is reused from llama.cpp's prompt cache).")


if __name__ == "__main__":
    main()
