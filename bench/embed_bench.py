"""Benchmark the embedder: load time and sentences/s of all-MiniLM-L6-v2 int8 ONNX against the
HashingEmbedder baseline (measured in the same run), on product names from the bundled catalog.

    python bench/embed_bench.py [--quick] [--n 2000] [--threads 0] [--batch 64]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from importlib import resources

from shelfmind.embed.base import Embedder, HashingEmbedder
from shelfmind.embed.minilm import MiniLMEmbedder


def bundled_texts(n: int) -> list[str]:
    path = resources.files("shelfmind") / "data" / "grocery" / "products.jsonl.gz"
    texts: list[str] = []
    with gzip.open(str(path), "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            parts = [str(row.get(k) or "") for k in ("name", "ingredients")]
            text = " ".join(p for p in parts if p).strip()
            if text:
                texts.append(text[:400])
            if len(texts) >= n:
                break
    while len(texts) < n:  # tiny catalogs: repeat
        texts.extend(texts[: n - len(texts)] or ["empty"])
    return texts


def measure(emb: Embedder, texts: list[str], batch: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    emb.embed(texts[:1])  # includes lazy load
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    emb.embed(texts, batch_size=batch)
    return first, len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="200 sentences")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    texts = bundled_texts(200 if args.quick else args.n)
    mean_chars = sum(map(len, texts)) / len(texts)
    base_first, base_rate = measure(HashingEmbedder(384), texts, args.batch)
    mini_first, mini_rate = measure(MiniLMEmbedder(threads=args.threads), texts, args.batch)
    print(f"{len(texts)} product texts from the bundled catalog, mean {mean_chars:.0f} chars, batch {args.batch}")
    print(f"{'embedder':<34}{'load+first s':>14}{'sentences/s':>14}{'x baseline':>12}")
    print(f"{'hashing-384 (baseline)':<34}{base_first:>14.3f}{base_rate:>14.0f}{1.0:>12.2f}")
    print(f"{'minilm-int8 (onnxruntime)':<34}{mini_first:>14.3f}{mini_rate:>14.0f}{mini_rate / base_rate:>12.2f}")


if __name__ == "__main__":
    main()
