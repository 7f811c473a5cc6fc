"""Attribute-extraction evaluation on WDC-PAVE-format files, with an ablation over techniques.

The file is split into a demonstration pool and a seeded dev sample (no shared offer or product
cluster); schemas, example values and demonstrations come from the pool only, and demonstrations
are never retrieved for the offer being scored. Ablation variants that differ only in
post-processing (normalisation, grounding filter) reuse the same model answers (the LLM cache
makes them free), so the table isolates what each technique contributes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.enrich.demos import DemoPool
from shelfmind.enrich.extract import ExtractConfig, Extractor, ProductResult
from shelfmind.enrich.metrics import Scores, score
from shelfmind.enrich.wdc import (
    Offer,
    build_schemas,
    demos_from_offers,
    read_descriptions,
    read_offers,
    split,
)
from shelfmind.llm.base import LLM

# confidence below which a value is not auto-approved in the "+confidence gate" row (chosen on a
# 30-offer sample of the two largest categories, seed 1; reported on other samples)
ACCEPT_THRESHOLD = 0.8
ACCEPTED_ONLY = frozenset({"+confidence gate"})  # ablation rows scored on auto-approved values only
# name -> config: each row adds one technique to the previous one
ABLATION: list[tuple[str, ExtractConfig]] = [
    ("zero-shot", ExtractConfig(descriptions=False, few_shot=0, normalize=False, grounding_filter=False,
                                skip_impossible=False)),
    ("+schema descriptions", ExtractConfig(descriptions=True, few_shot=0, normalize=False, grounding_filter=False,
                                           skip_impossible=False)),
    ("+few-shot retrieval", ExtractConfig(descriptions=True, few_shot=2, normalize=False, grounding_filter=False,
                                          skip_impossible=False)),
    ("+normalisation", ExtractConfig(descriptions=True, few_shot=2, normalize=True, grounding_filter=False,
                                     skip_impossible=False)),
    ("+grounding filter", ExtractConfig(descriptions=True, few_shot=2, normalize=True, grounding_filter=True,
                                        skip_impossible=False)),
    # what reaches the catalog unreviewed: values below the confidence threshold go to human review
    ("+confidence gate", ExtractConfig(descriptions=True, few_shot=2, normalize=True, grounding_filter=True,
                                       skip_impossible=False, review_threshold=ACCEPT_THRESHOLD)),
]


class VariantResult(BaseModel):
    name: str
    config: dict[str, Any]
    precision: float
    recall: float
    f1: float
    per_attribute: dict[str, Any] = Field(default_factory=dict)
    per_category: dict[str, Any] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    seconds: float = 0.0
    llm_calls: int = 0  # answers not served from the cache
    failed: int = 0


class EvalReport(BaseModel):
    input: str
    model: str
    prompt: str
    offers: int
    pool: int
    seed: int
    attributes: str
    variants: list[VariantResult]

    def main(self) -> VariantResult:
        """The headline row: the last variant scored on all grounded predictions (as the paper counts)."""
        full = [v for v in self.variants if v.name not in ACCEPTED_ONLY]
        return full[-1] if full else self.variants[-1]


def load_split(path: Path | str, *, sample: int | None, seed: int, attributes: str, limit: int | None = None,
               pool_path: Path | str | None = None) -> tuple[list[Offer], list[Offer]]:
    offers = read_offers(path, attributes=attributes)
    if pool_path is not None:
        dev = offers if not sample else split(offers, sample, seed=seed)[1]
        dev_ids = {o.id for o in dev}
        dev_clusters = {o.cluster_id for o in dev if o.cluster_id}
        pool = [o for o in read_offers(pool_path, attributes=attributes)
                if o.id not in dev_ids and o.cluster_id not in dev_clusters]
    else:
        pool, dev = split(offers, sample or max(1, len(offers) // 5), seed=seed)
    dev = dev[:limit] if limit else dev
    # grouped by category: the prompt prefix (instructions + attribute list) stays identical between
    # neighbours, so llama.cpp reuses its KV cache
    return pool, sorted(dev, key=lambda o: o.category)


def run_variant(name: str, llm: LLM, config: ExtractConfig, pool: Sequence[Offer], dev: Sequence[Offer], *,
                descriptions_path: Path | None = None, progress: Callable[[int], Any] | None = None,
                keep: list[ProductResult] | None = None, accepted_only: bool = False) -> VariantResult:
    """Scores one configuration. `accepted_only`: only auto-approved values count as predictions (values
    below `config.review_threshold`, flagged or ungrounded wait for a human instead)."""
    descriptions = read_descriptions(descriptions_path) if descriptions_path else {}
    schemas = build_schemas(pool, descriptions=descriptions)
    demos = DemoPool(demos_from_offers(pool))
    extractor = Extractor(llm, schemas, demos=demos, config=config)
    items = []
    calls = failed = 0
    start = time.perf_counter()
    for offer in dev:
        result = extractor.extract(offer.id, offer.category, offer.title, offer.description)
        calls += int(not result.cached and bool(result.inputs_hash))
        failed += int(result.error is not None)
        items.append((offer.category, offer.gold,
                      result.predictions(grounded_only=config.grounding_filter, accepted_only=accepted_only)))
        if keep is not None:
            keep.append(result)
        if progress:
            progress(1)
    scores: Scores = score(items)
    data = scores.to_json()
    return VariantResult(name=name, config=config.model_dump(), precision=data["precision"], recall=data["recall"],
                         f1=data["f1"], per_attribute=data["per_attribute"], per_category=data["per_category"],
                         counts=data["counts"], seconds=round(time.perf_counter() - start, 1), llm_calls=calls,
                         failed=failed)


def default_descriptions(input_path: Path) -> Path | None:
    for parent in (input_path.parent, input_path.parent.parent):
        candidate = parent / "attribute_descriptions.csv"
        if candidate.exists():
            return candidate
    return None
