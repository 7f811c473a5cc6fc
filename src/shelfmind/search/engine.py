"""The hybrid engine: query understanding -> retrieval arms -> filters -> fusion.

    engine = HybridSearcher(index, understander=qu, expander=ex)
    engine.search("gluten free pasta under $5", k=10)        # ProductSearcher
    engine.explain("...")                                      # parse, arms, timings, hits

Arms: BM25 and vectors over the head term (or the cleaned query), plus one BM25+vector pair per
expansion (a product type the LLM proposed for a broad intent). Filters (explicit + parsed) are
pre-filters in every arm; out-of-stock products never come back. If the parsed filters remove
everything, they are dropped (explicit filters never are) and the parse says so.
"""

from __future__ import annotations

import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import numpy as np
from pydantic import BaseModel, Field

from shelfmind.errors import UserError
from shelfmind.search.base import Filter, FilterOp, SearchHit
from shelfmind.search.columns import MAX_VALUES
from shelfmind.search.fusion import FusionMethod, fuse
from shelfmind.search.lance import LanceIndex
from shelfmind.search.manifest import ColumnKind
from shelfmind.search.query import QueryParse
from shelfmind.search.rank import Coverage
from shelfmind.search.text import clean_query


class Understander(Protocol):
    def parse(self, query: str) -> QueryParse: ...


class Expander(Protocol):
    def expand(self, query: str) -> list[str]: ...


class EngineConfig(BaseModel):
    """Defaults chosen on half of the Home Depot dev queries (see `shelfmind eval search`)."""

    fusion: FusionMethod = FusionMethod.RRF
    weights: dict[str, float] = Field(default_factory=lambda: {"bm25": 1.0, "vector": 1.5, "expansion": 0.4})
    rrf_k: int = 30
    depth: int = 100  # candidates per arm
    vector_floor: float = 0.3  # cosine similarity treated as zero by weighted fusion
    bm25: bool = True
    vector: bool = True
    max_expansions: int = 4
    coverage_weight: float = 2.5  # term-coverage feature after fusion (search.rank); 0 disables
    expansion_coverage: float = 0.8  # an expansion's coverage counts this much of the head's
    spell: bool = True  # add catalog-vocabulary corrections of unknown words to the BM25 query
    spell_vector: bool = False  # ... and to the text that is embedded
    # parsed filters on enriched attributes that enrichment has reached for fewer products than this
    # share stay words, not filters (they would hide every product not enriched yet)
    min_parsed_coverage: float = 0.05


class ArmResult(BaseModel):
    name: str
    query: str
    hits: int
    ms: float


class SearchExplain(BaseModel):
    query: str
    parse: QueryParse | None = None
    expansions: list[str] = Field(default_factory=list)
    filters: list[Filter] = Field(default_factory=list)
    relaxed: bool = False
    soft_filters: list[Filter] = Field(default_factory=list)  # parsed but too sparse to filter on
    arms: list[ArmResult] = Field(default_factory=list)
    hits: list[SearchHit] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class HybridSearcher:
    """A ProductSearcher over a LanceIndex."""

    def __init__(self, index: LanceIndex, *, understander: Understander | None = None,
                 expander: Expander | None = None, config: EngineConfig | None = None) -> None:
        self.index = index
        self.understander = understander
        self.expander = expander
        self.config = config or EngineConfig()
        self._vec_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.coverage = Coverage()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-arm")

    def search(self, query: str, *, k: int = 10, filters: Sequence[Filter] = ()) -> list[SearchHit]:
        return self.explain(query, k=k, filters=filters).hits

    def explain(self, query: str, *, k: int = 10, filters: Sequence[Filter] = (),
                with_names: bool = True) -> SearchExplain:
        t0 = time.perf_counter()
        q = clean_query(query or "")
        if not q:
            raise UserError("the search query is empty", hint='try e.g. shelfmind search "pasta"')
        if k < 1 or k > 1000:
            raise UserError(f"k must be between 1 and 1000, got {k}")
        self.validate_filters(filters)
        out = SearchExplain(query=q)
        head = q
        parsed: list[Filter] = []
        if self.understander is not None:
            out.parse = self.understander.parse(q)
            parsed, soft = self._split_parsed(out.parse.filters)
            out.soft_filters = soft
            # the head replaces the query only when words went into filters: dropping words that
            # became nothing structured only loses information
            head = (out.parse.head or q) if parsed else q
            if parsed and soft:  # words of the soft filters stay in the text query
                head = " ".join([head, *(_filter_words(f) for f in soft)])
        t1 = time.perf_counter()
        if self.expander is not None:
            out.expansions = self.expander.expand(q)[: self.config.max_expansions]
        t2 = time.perf_counter()
        depth = max(self.config.depth, k)
        out.filters = [*filters, *parsed]
        ranked = self._retrieve(head, out, self.index.where(out.filters), depth)
        if parsed and (not ranked or (self.config.bm25 and not _lexical_hits(out))):
            # nothing matches both the words and the parsed filters: the parse (or the data) is
            # wrong for this query, so fall back to the words and the filters the user typed
            out.relaxed, out.filters, out.arms = True, list(filters), []
            ranked = self._retrieve(q, out, self.index.where(filters), depth)
        t3 = time.perf_counter()
        if _lexical_hits(out) == 0 and not _has_latin(q):
            raise UserError("no products match: the query's script does not occur in this catalog",
                            hint="search in the catalog's language")
        top = ranked[:k]
        names = self.index.names([i for i, _ in top]) if with_names else {}
        out.hits = [SearchHit(id=i, score=round(s, 6), name=names.get(i)) for i, s in top]
        out.timings_ms = {"understand": (t1 - t0) * 1e3, "expand": (t2 - t1) * 1e3,
                          "retrieve": (t3 - t2) * 1e3, "total": (time.perf_counter() - t0) * 1e3}
        return out

    def _split_parsed(self, filters: Sequence[Filter]) -> tuple[list[Filter], list[Filter]]:
        """Parsed filters on columns that few products have a value for (an attribute enrichment has
        reached only part of the catalog) would hide every product not yet enriched: they are not
        applied as filters, and their words stay in the text query instead."""
        sparse = {c.name for c in self.index.columns
                  if c.source == "attribute" and c.coverage < self.config.min_parsed_coverage}
        return [f for f in filters if f.field not in sparse], [f for f in filters if f.field in sparse]

    def _retrieve(self, head: str, out: SearchExplain, where: str, depth: int) -> list[tuple[str, float]]:
        cfg = self.config
        tasks: list[tuple[str, str, Callable[[str, dict[str, str] | None], list[tuple[str, float]]]]] = []
        weights: dict[str, float] = {}
        queries = [("", head)] + [(f"expansion:{e}", e) for e in out.expansions]
        n_exp = max(1, len(out.expansions))
        for prefix, raw in queries:
            text, vtext = self.arm_texts(raw)
            w_scale = cfg.weights.get("expansion", 0.4) / n_exp if prefix else 1.0
            if cfg.bm25:
                name = f"{prefix}/bm25" if prefix else "bm25"
                tasks.append((name, text, lambda t, tx: self.index.bm25(t, depth, where, tx)))
                weights[name] = cfg.weights.get("bm25", 1.0) * w_scale
            if cfg.vector:
                name = f"{prefix}/vector" if prefix else "vector"
                tasks.append((name, vtext, lambda t, tx: self.index.ann(self.vector(t), depth, where, tx)))
                weights[name] = cfg.weights.get("vector", 1.0) * w_scale
        want_texts = cfg.coverage_weight > 0
        # arms run concurrently: LanceDB and onnxruntime release the GIL
        results = list(self._pool.map(lambda t: self._arm(out, t[0], t[1], t[2], want_texts), tasks))
        arms = {name: hits for (name, _, _), (hits, _) in zip(tasks, results, strict=True)}
        texts: dict[str, str] = {}
        for _, tx in results:
            texts.update(tx or {})
        floors = {a: cfg.vector_floor for a in arms if a.endswith("vector")}
        fused = fuse(arms, cfg.fusion, weights, rrf_k=cfg.rrf_k, floors=floors)
        if texts:
            fixes = list(self.index.speller.corrections(head).values()) if cfg.spell and self.index.speller else []
            alts = [(e, cfg.expansion_coverage) for e in out.expansions]
            fused = self.coverage.rerank(fused, texts, head, fixes, cfg.coverage_weight, alts)
        return fused

    def arm_texts(self, text: str) -> tuple[str, str]:
        """(BM25 text, embedded text) for a head term: spelling corrections appended if enabled."""
        speller = self.index.speller if self.config.spell else None
        fixed = speller.expand(text) if speller is not None else text
        return fixed, (fixed if self.config.spell_vector else text)

    def _arm(self, out: SearchExplain, name: str, text: str,
             fn: Callable[[str, dict[str, str] | None], list[tuple[str, float]]],
             want_texts: bool) -> tuple[list[tuple[str, float]], dict[str, str] | None]:
        t = time.perf_counter()
        texts: dict[str, str] | None = {} if want_texts else None
        hits = fn(text, texts)
        out.arms.append(ArmResult(name=name, query=text, hits=len(hits), ms=(time.perf_counter() - t) * 1e3))
        return hits, texts

    def vector(self, text: str) -> np.ndarray:
        """The query embedding (LRU-cached: repeated queries skip the encoder)."""
        vec = self._vec_cache.get(text)
        if vec is None:
            vec = self.index.embed_query(text)
            self._vec_cache[text] = vec
            if len(self._vec_cache) > 4096:
                self._vec_cache.popitem(last=False)
        else:
            self._vec_cache.move_to_end(text)
        return vec

    def validate_filters(self, filters: Sequence[Filter]) -> None:
        """Explicit filters must name a known field and, for categorical fields, a known value."""
        for f in filters:
            col = self.index.manifest.column(f.field) if self.index.manifest else None
            if col is None:
                known = ", ".join(c.name for c in self.index.columns) or "(none)"
                raise UserError(f"unknown filter field {f.field!r}", hint=f"filterable fields: {known}")
            # the manifest keeps at most MAX_VALUES values per field: beyond that, any value may exist
            if col.kind in (ColumnKind.CATEGORICAL, ColumnKind.LIST) and 0 < len(col.values) < MAX_VALUES:
                values = f.value if f.op == FilterOp.IN and isinstance(f.value, list | tuple) else [f.value]
                unknown = [v for v in values if str(v).strip().lower() not in set(col.values)]
                if unknown:
                    raise UserError(f"unknown value {unknown[0]!r} for filter field {col.name!r}",
                                    hint=f"e.g. {', '.join(col.values[:5])}")


def _has_latin(text: str) -> bool:
    for ch in text:
        if ch.isdigit() and ch.isascii():
            return True
        if ch.isalpha():
            try:
                if "LATIN" in unicodedata.name(ch):
                    return True
            except ValueError:
                continue
    return False


def _filter_words(flt: Filter) -> str:
    """The words a parsed filter came from, roughly: a boolean's field name, else its value."""
    if isinstance(flt.value, bool):
        return flt.field.replace("_", " ") if flt.value else ""
    if isinstance(flt.value, list | tuple):
        return " ".join(str(v) for v in flt.value)
    return str(flt.value) if isinstance(flt.value, str) else ""


def _lexical_hits(out: SearchExplain) -> int:
    return sum(a.hits for a in out.arms if a.name.endswith("bm25"))
