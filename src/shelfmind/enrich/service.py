"""EnrichmentService: what the CLI, the demo and the web service use (built by enrich.factory).

It ties the extractor to the catalog (approved attributes), the shared review queue (ATTRIBUTE
items, decisions flowing back into the catalog and into the demonstration pool) and the job store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from shelfmind.catalog.store import CatalogStore
from shelfmind.enrich.batch import BATCH_PROMPT, batch_executor
from shelfmind.enrich.demos import Demo, DemoPool, demos_from_review
from shelfmind.enrich.extract import ExtractConfig, Extractor, ProductResult
from shelfmind.enrich.jobs import Executor, JobReport, JobStore, ProductInput, run_job
from shelfmind.enrich.schema import (
    AttributeSpec,
    AttrType,
    CategorySchema,
    SchemaSet,
    grocery_schema,
    load_schemas,
    save_schemas,
)
from shelfmind.errors import UserError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.review.queue import ReviewItem, ReviewKind, ReviewQueue, ReviewStatus
from shelfmind.schemas import FieldKind, Product

CATEGORY_FIELDS = ("category", "aisle", "department", "product_type")


class ProposedAttribute(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    type: AttrType
    description: str = Field(max_length=160)
    unit: str | None = Field(default=None, max_length=12)
    values: list[str] = Field(default_factory=list, max_length=12)


class ProposedSchema(BaseModel):
    attributes: list[ProposedAttribute] = Field(min_length=1, max_length=10)


def attribute_ref(product_id: str, attribute: str) -> str:
    return f"product:{product_id}/attr:{attribute}"


def parse_ref(ref: str) -> tuple[str, str]:
    m = re.match(r"^product:(.+)/attr:(.+)$", ref)
    if not m:
        raise UserError(f"not an attribute review reference: {ref!r}")
    return m.group(1), m.group(2)


class EnrichmentService:
    def __init__(self, llm: LLM, catalog: CatalogStore, review: ReviewQueue, store: JobStore, *,
                 schemas_path: Path, config: ExtractConfig | None = None, dataset_demos: Sequence[Demo] = (),
                 make_worker: Callable[[], Callable[[ProductInput], ProductResult]] | None = None) -> None:
        self.llm = llm
        self.catalog = catalog
        self.review = review
        self.store = store
        self.schemas_path = Path(schemas_path)
        self.config = config or ExtractConfig()
        self.dataset_demos = list(dataset_demos)
        self.make_worker = make_worker  # picklable: builds the per-product function inside a Ray worker
        review.on_decision(ReviewKind.ATTRIBUTE, self.on_decision)

    # ---- schemas ----------------------------------------------------------------------------
    def schemas(self) -> SchemaSet:
        """The editable schema file; created with the grocery default on first use."""
        if not self.schemas_path.exists():
            schemas = SchemaSet(categories=[grocery_schema()], default="grocery")
            save_schemas(schemas, self.schemas_path)
            return schemas
        return load_schemas(self.schemas_path)

    def propose_schema(self, category: str, products: Sequence[Product], *, save: bool = True) -> CategorySchema:
        """Ask the LLM for a schema from a sample of the category's products; save it for editing."""
        sample = "\n".join(f"- {p.name}: {self.describe(p)[:300]}" for p in products[:8])
        out = complete(self.llm, load_prompt("enrich_schema"), ProposedSchema, task="attribute_schema",
                       max_tokens=700, category=category, products=sample.replace(">>>", "›››"))
        specs: list[AttributeSpec] = []
        for a in out.value.attributes:
            if any(s.name == a.name for s in specs):
                continue
            kind = AttrType.ENUM if a.type == AttrType.ENUM and a.values else (
                AttrType.STRING if a.type == AttrType.ENUM else a.type)
            specs.append(AttributeSpec(name=a.name, type=kind, description=a.description, unit=a.unit,
                                       values=a.values if kind in (AttrType.ENUM, AttrType.LIST) else [],
                                       cues=[a.name.replace("_", " ")] if kind == AttrType.BOOL else []))
        schema = CategorySchema(name=category, attributes=specs, source=f"llm:{out.trace.model}:{out.trace.prompt}")
        if save:
            schemas = self.schemas() if self.schemas_path.exists() else SchemaSet()
            schemas.upsert(schema)
            schemas.default = schemas.default or category
            save_schemas(schemas, self.schemas_path)
        return schema

    # ---- extraction -------------------------------------------------------------------------
    def demo_pool(self) -> DemoPool:
        return DemoPool([*self.dataset_demos, *demos_from_review(self.review.decided(ReviewKind.ATTRIBUTE))])

    def extractor(self, llm: LLM | None = None) -> Extractor:
        return Extractor(llm or self.llm, self.schemas(), demos=self.demo_pool(), config=self.config)

    def describe(self, product: Product) -> str:
        if product.text:
            return product.text
        try:
            kinds = {f.name: f.kind for f in self.catalog.schema.fields}
        except Exception:  # no ingested schema (tests, ad-hoc stores): every string field is text
            kinds = {}
        parts = [str(v) for k, v in product.fields.items()
                 if isinstance(v, str) and kinds.get(k, FieldKind.TEXT) == FieldKind.TEXT and k not in CATEGORY_FIELDS]
        return " ".join(parts)

    def to_input(self, product: Product) -> ProductInput:
        category = next((str(product.fields[f]) for f in CATEGORY_FIELDS if product.fields.get(f)), None)
        return ProductInput(id=product.id, category=category, title=product.name, description=self.describe(product))

    def enrich_one(self, inp: ProductInput, extractor: Extractor | None = None) -> ProductResult:
        return (extractor or self.extractor()).extract(inp.id, inp.category or "", inp.title, inp.description)

    def context(self) -> str:
        """What, besides the product, determines a result: its hash is part of each input hash."""
        schemas = self.schemas()
        prompts = [load_prompt(self.config.prompt_name).id]
        if self.config.batch_size > 1:
            prompts.append(load_prompt(BATCH_PROMPT).id)
        return "|".join([self.llm.model_id, *prompts, self.config.model_dump_json(),
                         *sorted(c.name + ":" + c.version for c in schemas.categories)])

    def run(self, *, ids: Sequence[str] | None = None, limit: int | None = None, backend: str = "local",
            executor: Executor | None = None, progress: Callable[[int], Any] | None = None) -> JobReport:
        products = self.catalog.iter_products(ids=list(ids) if ids else None)
        inputs = []
        for p in products:
            inputs.append(self.to_input(p))
            if limit is not None and len(inputs) >= limit:
                break
        if executor is None:
            if backend == "ray":
                executor = self.ray_executor()
            else:  # one category's similar products in a row (its prompt prefix is reused), K per call
                executor = batch_executor(self.extractor(), self.config.batch_size)
        return run_job(inputs, executor, self.store, context=self.context(), apply=self.apply, backend=backend,
                       progress=progress)

    def ray_executor(self) -> Executor:
        from shelfmind.enrich.ray_backend import ray_executor

        if self.make_worker is None:
            raise UserError("the Ray backend needs a worker factory", hint="build the service with enrich.factory")
        return ray_executor(self.make_worker)

    # ---- results -> catalog and review ------------------------------------------------------
    def apply(self, result: ProductResult) -> None:
        """Accepted values go to the catalog (human decisions win); the rest to the review queue.
        Idempotent: reapplying the same result changes nothing."""
        try:
            product = self.catalog.get(result.product_id)
        except Exception:
            return  # not in the catalog (evaluation inputs)
        decided = self.store.decisions(result.product_id)
        attrs = dict(product.attributes)
        for name, value in result.accepted().items():
            if name not in decided:
                attrs[name] = value
        for name, (status, value) in decided.items():
            if status == ReviewStatus.REJECTED:
                attrs.pop(name, None)
            else:
                attrs[name] = value
        if attrs != product.attributes:
            self.catalog.set_attributes(result.product_id, attrs)
        for v in result.to_review():
            self.review.add(
                kind=ReviewKind.ATTRIBUTE, ref=attribute_ref(result.product_id, v.name),
                subject=f"{product.name} · {v.name}", value=v.value,
                evidence=v.grounding.evidence or result.text[:300], confidence=v.confidence, reason=v.reason,
                provenance={"product_id": result.product_id, "attribute": v.name, "category": result.category,
                            "text": result.text[:1000], "grounding": v.grounding.status.value, "raw": v.raw,
                            "flags": [f.value for f in result.flags], "model": result.model,
                            "prompt": result.prompt, "prompt_version": result.prompt_version,
                            "inputs_hash": result.inputs_hash},
            )

    def on_decision(self, item: ReviewItem) -> None:
        """A reviewer's approve / edit / reject flows back into the catalog's approved attributes."""
        pid, attr = parse_ref(item.ref)
        self.store.record_decision(pid, attr, item.status.value, item.decided_value)
        try:
            product = self.catalog.get(pid)
        except Exception:
            return
        attrs = dict(product.attributes)
        if item.status == ReviewStatus.REJECTED:
            attrs.pop(attr, None)
        else:
            attrs[attr] = item.decided_value
        self.catalog.set_attributes(pid, attrs)
