"""Render and store every product's text with the schema's template."""

from __future__ import annotations

from pydantic import BaseModel
from tqdm import tqdm

from shelfmind.catalog.store import CatalogStore
from shelfmind.catalog.text import TemplateBuilder, TextTemplate, pick_samples
from shelfmind.llm.base import LLM


class TextReport(BaseModel):
    template: TextTemplate
    rendered: int
    samples: dict[str, str]


def render_catalog(store: CatalogStore, llm: LLM | None, artifacts_dir, *, regenerate: bool = False,
                   show: int = 3, progress: bool = True) -> TextReport:
    schema = store.schema
    head = []
    for i, p in enumerate(store.iter_products()):
        head.append(p)
        if i >= 499:
            break
    template = TemplateBuilder(llm, artifacts_dir).build(schema, pick_samples(head), regenerate=regenerate)
    batch: list[tuple[str, str]] = []
    samples: dict[str, str] = {}
    n = 0
    for p in tqdm(store.iter_products(), total=len(store), desc="product text", unit=" products",
                  disable=not progress, leave=False):
        text = template.render(p)
        batch.append((p.id, text))
        if len(samples) < show:
            samples[p.id] = text
        if len(batch) >= 2000:
            store.set_texts(batch)
            n += len(batch)
            batch = []
    store.set_texts(batch)
    n += len(batch)
    store.set_meta("text_template", {"id": template.id, "source": template.source, "model": template.model,
                                     "prompt": template.prompt})
    return TextReport(template=template, rendered=n, samples=samples)
