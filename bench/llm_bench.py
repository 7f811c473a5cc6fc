"""Benchmark the embedded model(s): load time, prompt and generation tokens/s, latency uncached vs
cached (cache-hit latency), with the ratio. Prints a table.

    python bench/llm_bench.py [--models qwen2.5-coder-1.5b,qwen2.5-coder-0.5b] [--n 5]
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
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="qwen2.5-coder-1.5b,qwen2.5-coder-0.5b")
    ap.add_argument("--n", type=int, default=5)
    args = ap.parse_args()
    settings = get_settings()
    rows = []
    for name in args.models.split(","):
        model = get_local_model(name)
        llm = LocalLLM(model, settings.cache_dir, threads=settings.llm_threads, n_ctx=settings.llm_context)
        with tempfile.TemporaryDirectory() as tmp:
            cached = Cached(llm, ResponseCache(Path(tmp) / "c.sqlite"))
            t = time.perf_counter()
            llm._ensure()
            load = time.perf_counter() - t
            uncached, hit, ptoks, ctoks, gen_s, prompt_s = [], [], 0, 0, 0.0, 0.0
            for q in QUERIES[: args.n]:
                t = time.perf_counter()
                r = cached.chat(request(q))
                uncached.append(time.perf_counter() - t)
                ptoks += r.usage.prompt_tokens
                ctoks += r.usage.completion_tokens
                # separate prompt processing from generation: a 1-token answer costs ~prompt time
                t = time.perf_counter()
                llm.chat(request(q + " ").model_copy(update={"max_tokens": 1, "json_schema": None}))
                prompt_s += time.perf_counter() - t
                gen_s += uncached[-1]
            for q in QUERIES[: args.n]:
                t = time.perf_counter()
                assert cached.chat(request(q)).cached
                hit.append(time.perf_counter() - t)
        gen_only = max(1e-9, gen_s - prompt_s)
        rows.append({
            "model": name, "load_s": load, "prompt_tok_s": ptoks / max(prompt_s, 1e-9),
            "gen_tok_s": ctoks / gen_only, "uncached_p50_ms": 1000 * statistics.median(uncached),
            "uncached_p95_ms": 1000 * pct(uncached, 95), "hit_p50_ms": 1000 * statistics.median(hit),
            "hit_p95_ms": 1000 * pct(hit, 95), "speedup": statistics.median(uncached) / statistics.median(hit),
        })
    head = f"{'model':22} {'load s':>7} {'prompt tok/s':>13} {'gen tok/s':>10} {'uncached p50/p95 ms':>21} {'cache hit p50/p95 ms':>21} {'ratio':>9}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['model']:22} {r['load_s']:7.2f} {r['prompt_tok_s']:13.1f} {r['gen_tok_s']:10.1f} "
              f"{r['uncached_p50_ms']:10.0f}/{r['uncached_p95_ms']:<10.0f} {r['hit_p50_ms']:10.2f}/{r['hit_p95_ms']:<10.2f} "
              f"{r['speedup']:8.0f}x")
    print("\nbaseline = uncached call to the model; ratio = uncached p50 / cache-hit p50. "
          f"threads={settings.llm_threads or 'all cores'}; prompt tok/s is an estimate from 1-token calls.")


if __name__ == "__main__":
    main()
