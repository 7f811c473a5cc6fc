"""Several products of one category in one LLM call (throughput), with the same quality control.

    results = extract_batch(extractor, [ProductInput(...), ...])   # one ProductResult per input, in order

The products share one prompt: the instructions, the category's demonstrations (retrieved for the
whole group) and the list of attributes asked are paid for once per call instead of once per
product. The answer is an object keyed "P1".."Pn", one attribute object per product, constrained by a
JSON schema built from the attribute schema (so a product's text can no more change the shape of the
answer than in a single-product call). Every value is then normalised, grounded in ITS OWN product's
text and scored exactly as `Extractor.check` does for one product: a value copied from a neighbour's
text is ungrounded and goes to review. Products the group cannot serve (no text, nothing to ask) and
a failed call fall back to the single-product path, so a bad batch never loses products.

`group_for_batches` orders a job's inputs so that each batch holds one category's most similar
products (nearest demonstration first), which keeps the demonstrations relevant to every product
in the batch and lets the model server reuse the prompt prefix between batches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from shelfmind.enrich.confidence import value_confidences
from shelfmind.enrich.extract import (
    Extractor,
    ProductResult,
    _answer_model,
    _data,
    json_schema_for,
)
from shelfmind.enrich.jobs import ProductInput
from shelfmind.enrich.schema import AttributeSpec, AttrType
from shelfmind.errors import ProviderError
from shelfmind.llm.prompts import Prompt, load_prompt
from shelfmind.llm.structured import complete, inputs_hash

BATCH_PROMPT = "enrich_extract_batch"


class _Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")


@lru_cache(maxsize=256)
def _batch_model(schema_json: str, names: tuple[str, ...], n: int) -> type[BaseModel]:
    item = _answer_model(schema_json, names)
    fields: dict[str, Any] = {f"p{i}": (item, Field(..., alias=f"P{i}")) for i in range(1, n + 1)}
    model: type[BaseModel] = create_model("BatchAnswer", __base__=_Batch, **fields)  # type: ignore[call-overload]
    return model


def _batch_schema(specs: list[AttributeSpec], n: int, *, optional: bool = False) -> dict[str, Any]:
    one = json_schema_for(specs, optional=optional)
    keys = [f"P{i}" for i in range(1, n + 1)]
    return {"type": "object", "properties": dict.fromkeys(keys, one), "required": keys, "additionalProperties": False}


def extract_batch(extractor: Extractor, items: Sequence[ProductInput], *, prompt: Prompt | None = None) -> list[ProductResult]:
    """Enrich `items` (one category) with one LLM call; falls back to one call per product when needed."""
    if len(items) <= 1:
        return [extractor.extract(p.id, p.category or "", p.title, p.description) for p in items]
    prompt = prompt or load_prompt(BATCH_PROMPT)
    cfg = extractor.config
    planned = [(p, *extractor.plan(p.category or "", p.title, p.description)) for p in items]
    cat = planned[0][1]
    if any(c.name != cat.name for _, c, *_ in planned):
        raise ValueError("extract_batch needs products of one category")
    out: dict[str, ProductResult] = {}
    group = []
    for p, _c, prep, specs, skipped in planned:
        if not specs or not prep.text:  # nothing to ask: the single-product path answers without a call
            out[p.id] = extractor.extract(p.id, p.category or "", p.title, p.description)
        else:
            group.append((p, prep, specs, skipped))
    if len(group) == 1:
        p = group[0][0]
        out[p.id] = extractor.extract(p.id, p.category or "", p.title, p.description)
        group = []
    if group:
        asked = [s for s in cat.attributes if any(s.name in {x.name for x in g[2]} for g in group)]
        names = tuple(s.name for s in asked)
        n = len(group)
        joined = "\n".join(g[1].text for g in group)
        products = "\n".join(f"P{i}:\n<<<PRODUCT\n{_data(g[1].text)}\nPRODUCT>>>" for i, g in enumerate(group, 1))
        variables: dict[str, Any] = {
            "category": cat.name,
            "attributes": extractor.attributes_block(asked),
            "examples": extractor.examples_block(cat.name, joined, asked, group[0][0].id),
            "products": products,
            "keys": ", ".join(f"P{i}" for i in range(1, n + 1)),
        }
        per_product = 8 + sum(cfg.tokens_per_attribute * (3 if s.type == AttrType.LIST else 1) for s in asked)
        try:
            answer = complete(extractor.llm, prompt, _batch_model(cat.model_dump_json(), names, n), task="attributes",
                              json_schema=_batch_schema(asked, n, optional=cfg.optional_keys), max_tokens=min(3000, 16 + n * per_product),
                              logprobs=cfg.logprobs, top_logprobs=1 if cfg.logprobs else 0, **variables)
        except ProviderError:  # the batch failed: each product on its own, so none is lost
            for g in group:
                p = g[0]
                out[p.id] = extractor.extract(p.id, p.category or "", p.title, p.description)
        else:
            raw_all = answer.value.model_dump(by_alias=True)
            for i, (p, prep, specs, skipped) in enumerate(group, 1):
                key = f"P{i}"
                raw = raw_all.get(key) or {}
                conf: dict[str, float | None] = (
                    dict(value_confidences(answer.logprobs, [s.name for s in specs], scope=key))
                    if answer.logprobs else dict.fromkeys(s.name for s in specs))
                result = ProductResult(product_id=p.id, category=cat.name, flags=list(prep.flags), skipped=skipped,
                                       text=prep.text, prompt=prompt.id, prompt_version=prompt.version,
                                       schema_version=cat.version, model=answer.trace.model,
                                       inputs_hash=inputs_hash({**variables, "position": key}),
                                       cached=answer.trace.cached)
                values = {s.name: extractor._absent(s.name) for s in cat.attributes}
                for s in specs:  # only what this product was asked; grounded in this product's text
                    values[s.name] = extractor.check(s, raw.get(s.name), prep.text, conf.get(s.name), result.flags)
                result.values = values
                out[p.id] = result
    return [out[p.id] for p in items]


def group_for_batches(extractor: Extractor, inputs: Sequence[ProductInput], size: int) -> list[list[ProductInput]]:
    """Batches of at most `size` products of one category, similar products together."""
    by_cat: dict[str, list[ProductInput]] = defaultdict(list)
    for p in inputs:
        by_cat[extractor.schemas.for_category(p.category or "").name].append(p)
    batches: list[list[ProductInput]] = []
    for cat in sorted(by_cat):
        members = by_cat[cat]

        def anchor(p: ProductInput, cat: str = cat) -> tuple[str, str]:
            first = extractor.demos.retrieve(cat, f"{p.title}\n{p.description or ''}", 1, exclude=[p.id])
            return (first[0].id if first else "", p.id)

        members = sorted(members, key=anchor)
        batches += [members[i : i + size] for i in range(0, len(members), size)]
    return batches


def batch_executor(extractor: Extractor, size: int) -> Any:
    """A job executor (see jobs.run_job) that sends `size` products per call (1: one call per product,
    still one category's similar products in a row, so the model server reuses the prompt prefix)."""

    def execute(inputs: Sequence[ProductInput]) -> Iterator[ProductResult]:
        for batch in group_for_batches(extractor, inputs, size):
            yield from extract_batch(extractor, batch)

    return execute
