"""Benchmark the search index: build time, memory, and p50/p95 query latency for BM25, vector,
filtered, hybrid and hybrid + fast-path query understanding, at several catalog sizes.

    python bench/search_bench.py [--quick] [--sizes 10000,50000,1000000] [--queries 200]

Real sizes use Home Depot product titles (../shared/data/homedepot); their MiniLM vectors come from
the index under $SHELFMIND_HOME when it was built with the same embedder (`shelfmind index`), else
they are embedded once and cached in $SHELFMIND_HOME/cache/. Sizes above the real catalog are
synthetic: titles sampled from the real title vocabulary, vectors = real vectors + noise,
re-normalised (generated, not embedded). Queries are Home Depot dev queries (their embedding is
part of the vector/hybrid latency, as in serving). The plain BM25 baseline (LanceDB FTS) runs in the
same process; the ratio column is p95 / BM25 p95. Prints a table; writes JSON + PNG to
$SHELFMIND_HOME/reports/ (or --out).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from shelfmind.config import get_settings
from shelfmind.embed.factory import build_embedder
from shelfmind.schemas import Product
from shelfmind.search.base import Filter, FilterOp
from shelfmind.search.engine import EngineConfig, HybridSearcher
from shelfmind.search.lance import IndexSettings, LanceIndex
from shelfmind.search.manifest import ColumnKind, FilterColumn
from shelfmind.search.text import index_text, normalize
from shelfmind.search.understand import QueryUnderstander

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "homedepot"


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def load_titles(limit: int | None = None) -> list[tuple[str, str]]:
    raw = gzip.decompress((DATA / "products.csv.gz").read_bytes()).decode("utf-8", errors="replace")
    rows = [(r["product_uid"], r["product_title"]) for r in csv.DictReader(io.StringIO(raw))]
    return rows[:limit] if limit else rows


def load_queries(n: int, seed: int = 7) -> list[str]:
    raw = gzip.decompress((DATA / "dev_judgments.csv.gz").read_bytes()).decode("utf-8", errors="replace")
    queries = sorted({r["search_term"] for r in csv.DictReader(io.StringIO(raw))})
    return random.Random(seed).sample(queries, min(n, len(queries)))


def real_vectors(titles: list[tuple[str, str]], embedder, home: Path) -> tuple[np.ndarray, str]:  # type: ignore[no-untyped-def]
    """Vectors for the titles: from the built index, the bench cache, or embedded now."""
    ids = [pid for pid, _ in titles]
    try:
        table = LanceIndex.open(home / "index", embedder).table.to_arrow().select(["id", "vector"])
        got = dict(zip(table["id"].to_pylist(), table["vector"].to_numpy(zero_copy_only=False), strict=True))
        if all(i in got for i in ids):
            return np.stack([np.asarray(got[i], dtype=np.float32) for i in ids]), "from index"
    except Exception:
        pass
    cache = home / "cache" / f"bench_vectors_{embedder.model_id.replace('/', '_')}_{len(ids)}.npy"
    if cache.exists():
        return np.load(cache), "cached"
    t = time.perf_counter()
    vecs = embedder.embed([Product(id=i, name=n).name for i, n in titles], batch_size=256)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vecs)
    return vecs, f"embedded in {time.perf_counter() - t:.0f}s"


def synthetic(titles: list[tuple[str, str]], vectors: np.ndarray, n: int, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    words = [w for _, t in titles for w in t.split()]
    base = rng.integers(0, len(titles), size=n)
    out_titles = []
    for i in range(n):
        own = titles[base[i]][1].split()
        extra = [words[j] for j in rng.integers(0, len(words), size=3)]
        out_titles.append((f"s{i}", " ".join(own[: max(3, len(own) - 2)] + extra)))
    vecs = vectors[base] + rng.normal(0, 0.03, size=(n, vectors.shape[1])).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return out_titles, vecs.astype(np.float32)


def timed(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    fn(queries[0])  # warm
    lat = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        lat.append((time.perf_counter() - t) * 1e3)
    lat.sort()
    return statistics.median(lat), lat[min(len(lat) - 1, int(0.95 * len(lat)))]


def bench_size(n: int, titles, vectors, queries, embedder, workdir: Path) -> dict:  # type: ignore[no-untyped-def]
    if n <= len(titles):
        rows, vecs = titles[:n], vectors[:n]
        kind = "real"
    else:
        rows, vecs = synthetic(titles, vectors, n)
        kind = "synthetic"
    rng = random.Random(1)
    prices = [round(rng.uniform(1, 500), 2) for _ in rows]
    price_col = FilterColumn(name="price", column="price", kind=ColumnKind.NUMERIC, source="dynamic",
                             min=1.0, max=500.0)
    index = LanceIndex(workdir / f"idx{n}", embedder, settings=IndexSettings())
    data = {"id": [i for i, _ in rows], "name": [t for _, t in rows],
            "text": [normalize(index_text(Product(id=i, name=t))) for i, t in rows],
            "price": prices, "in_stock": [True] * len(rows)}
    mem0 = rss_mb()
    t = time.perf_counter()
    index.build_arrays(data, vecs, [price_col])
    build_s = time.perf_counter() - t
    del data
    index = LanceIndex.open(workdir / f"idx{n}", embedder)
    disk_mb = sum(f.stat().st_size for f in (workdir / f"idx{n}").rglob("*") if f.is_file()) / 2**20
    filtered, engine = HybridSearcher(index), HybridSearcher(index)  # separate query-vector caches
    shallow = HybridSearcher(index, config=EngineConfig(depth=50))
    fast = HybridSearcher(index, understander=QueryUnderstander(index.manifest, None, use_llm_on_miss=False))
    cheap = [Filter(field="price", op=FilterOp.LE, value=100)]
    lat = {
        "bm25 (baseline)": timed(lambda q: index.bm25(q, 10), queries),
        "vector": timed(lambda q: index.ann(index.embed_query(q), 10), queries),
        "filtered hybrid (price<=100)": timed(
            lambda q: filtered.explain(q, k=10, filters=cheap, with_names=False), queries),
        "hybrid": timed(lambda q: engine.explain(q, k=10, with_names=False), queries),
        "hybrid, depth 50 per arm": timed(lambda q: shallow.explain(q, k=10, with_names=False), queries),
        "hybrid + fast-path QU": timed(lambda q: fast.explain(q, k=10, with_names=False),
                                       [f"{q} under $50" for q in queries]),
        "fast-path QU alone": timed(lambda q: fast.understander.parse(q), [f"{q} under $50" for q in queries]),
    }
    return {"size": n, "kind": kind, "build_s": build_s, "disk_mb": disk_mb, "rss_mb": rss_mb(),
            "rss_delta_mb": rss_mb() - mem0, "ann": n >= index.settings.ann_min_rows,
            "latency_ms": {k: {"p50": v[0], "p95": v[1]} for k, v in lat.items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10k products, 50 queries")
    ap.add_argument("--sizes", default="10000,50000", help="comma-separated; above 54,667 is synthetic")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    nq = 50 if args.quick else args.queries
    settings = get_settings()
    embedder = build_embedder(settings)
    titles = load_titles()
    vectors, how = real_vectors(titles, embedder, settings.home)
    print(f"{len(titles)} real titles, vectors {how}; {nq} queries; embedder {embedder.model_id}", file=sys.stderr)
    queries = load_queries(nq)
    results = []
    print(f"{'size':>9} {'kind':<9} {'build s':>8} {'disk MB':>8} {'RSS MB':>7}  {'mode':<36} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p95/bm25':>8}", flush=True)
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        for n in sizes:
            print(f"size {n}...", file=sys.stderr)
            r = bench_size(n, titles, vectors, queries, embedder, Path(tmp))
            results.append(r)
            base = r["latency_ms"]["bm25 (baseline)"]["p95"]
            for i, (mode, v) in enumerate(r["latency_ms"].items()):
                head = (f"{r['size']:>9} {r['kind']:<9} {r['build_s']:8.1f} {r['disk_mb']:8.0f} {r['rss_mb']:7.0f}"
                        if i == 0 else " " * 45)
                print(f"{head}  {mode:<36} {v['p50']:7.2f} {v['p95']:7.2f} {v['p95'] / base:8.2f}", flush=True)
    out = Path(args.out) if args.out else settings.home / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / "search_bench.json").write_text(json.dumps(results, indent=2))
    plot(results, out / "search_bench.png")
    print(f"wrote {out / 'search_bench.json'} and search_bench.png", file=sys.stderr)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(results[0]["latency_ms"])
    x = np.arange(len(modes))
    width = 0.8 / len(results)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for i, r in enumerate(results):
        ax.bar(x + i * width, [r["latency_ms"][m]["p95"] for m in modes], width, label=f"{r['size']:,} ({r['kind']})")
    ax.set_xticks(x + 0.4 - width / 2, modes, rotation=15, fontsize=8)
    ax.set_ylabel("p95 latency (ms)")
    ax.axhline(15, color="grey", ls="--", lw=0.8)
    ax.legend()
    ax.set_title("search latency (p95) by mode and catalog size")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
