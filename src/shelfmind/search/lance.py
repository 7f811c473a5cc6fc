"""LanceDB index: BM25 full text (stemmed), vectors, typed filter columns, upserts, deletes.

One table `products` under the index directory, with a manifest next to it. Dynamic fields (price,
in_stock) are plain columns updated in place: the row's vector is copied, never re-embedded.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import BaseModel
from tqdm import tqdm

from shelfmind.embed.base import Embedder
from shelfmind.errors import NotFound
from shelfmind.schemas import CatalogSchema, Product
from shelfmind.search.base import Filter, RetrievalMode, SearchHit
from shelfmind.search.columns import IN_STOCK, cell, plan_columns, to_sql
from shelfmind.search.fusion import rrf
from shelfmind.search.manifest import (
    MANIFEST_NAME,
    ColumnKind,
    FilterColumn,
    IndexManifest,
    check_embedder,
    extra_text_summary,
    read_manifest,
    write_manifest,
)
from shelfmind.search.spelling import SpellCorrector
from shelfmind.search.text import TEXT_TEMPLATE_ID, embed_text, extra_for, index_text, normalize

TABLE = "products"
_ARROW = {ColumnKind.NUMERIC: pa.float64(), ColumnKind.CATEGORICAL: pa.string(),
          ColumnKind.BOOLEAN: pa.bool_(), ColumnKind.LIST: pa.list_(pa.string())}


class IndexSettings(BaseModel):
    """Saved in the manifest. Tokenizer options are LanceDB's native FTS options."""

    fts_language: str = "English"
    fts_stem: bool = True
    fts_remove_stop_words: bool = True
    fts_ascii_folding: bool = True
    ann_min_rows: int = 20_000  # below this, exact (flat) vector search is fast enough
    ann_index_type: str = "IVF_HNSW_SQ"
    nprobes: int = 20
    batch_size: int = 256


class LanceIndex:
    """A SearchIndex over LanceDB. Use `LanceIndex.create(...)` to build, `LanceIndex.open(...)` to read."""

    def __init__(self, path: Path | str, embedder: Embedder, *, schema: CatalogSchema | None = None,
                 settings: IndexSettings | None = None, catalog_name: str | None = None) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.schema = schema
        self.settings = settings or IndexSettings()
        self.catalog_name = catalog_name
        self._table: Any = None
        self._table_stamp: int | None = None
        self._speller: SpellCorrector | bool | None = False  # False: not loaded yet
        self.reused_vectors = 0  # vectors the last build took over from the previous index
        self.manifest: IndexManifest | None = None

    # ---- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str, embedder: Embedder) -> LanceIndex:
        manifest = read_manifest(Path(path))
        check_embedder(manifest, embedder.model_id, embedder.dim)
        idx = cls(path, embedder, settings=IndexSettings(**manifest.settings), catalog_name=manifest.catalog_name)
        idx.manifest = manifest
        return idx

    def _stamp(self) -> int | None:
        """The manifest's mtime: every build and write rewrites it (atomically)."""
        try:
            return (self.path / MANIFEST_NAME).stat().st_mtime_ns
        except OSError:
            return None

    @property
    def table(self) -> Any:
        stamp = self._stamp()
        if self._table is not None and stamp != self._table_stamp:
            # Rebuilt or written since we opened it (by this process or another one, e.g. `shelfmind
            # index` while the service runs): the old files may be gone, so reopen with the new manifest.
            self._table = None
            self._speller = False
            if stamp is not None:
                self.manifest = read_manifest(self.path)
        if self._table is None:
            import lancedb

            try:
                self._table = lancedb.connect(str(self.path / "lance")).open_table(TABLE)
            except (FileNotFoundError, ValueError) as exc:
                raise NotFound(f"the search index in {self.path} has no table",
                               hint="run `shelfmind index`") from exc
            self._table_stamp = stamp
        return self._table

    @property
    def speller(self) -> SpellCorrector | None:
        """Spelling correction over the index vocabulary (None for an index built without one)."""
        if self._speller is False:
            self._speller = SpellCorrector.load(self.path)
        return self._speller if isinstance(self._speller, SpellCorrector) else None

    @property
    def columns(self) -> list[FilterColumn]:
        return self.manifest.columns if self.manifest else []

    def __len__(self) -> int:
        return int(self.table.count_rows())

    # ---- writes -----------------------------------------------------------------------------
    def build(self, products: Sequence[Product], extra_text: Mapping[str, str] | None = None, *,
              progress: bool = False) -> None:
        """(Re)build the whole index from products, atomically replacing any previous one."""
        products = list(products)
        columns = plan_columns(products, self.schema)
        rows = self._rows(products, columns, extra_text)
        texts = [embed_text(p, extra_for(extra_text, p.id)) for p in products]
        vectors = np.zeros((len(products), self.embedder.dim), dtype=np.float32)
        known = self._stored_vectors()
        todo = [i for i, h in enumerate(rows["ehash"]) if h not in known]
        for i, h in enumerate(rows["ehash"]):
            if h in known:
                vectors[i] = known[h]
        if todo:
            vectors[todo] = self._embed([texts[i] for i in todo], progress=progress)
        self.build_arrays(rows, vectors, columns, extra=extra_text_summary(extra_text))
        self.reused_vectors = len(products) - len(todo)

    def _stored_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of the current index by embedding-text hash: a rebuild re-embeds only what changed."""
        try:
            manifest = read_manifest(self.path)
            if manifest.embedder != self.embedder.model_id or manifest.dim != self.embedder.dim:
                return {}
            data = self.table.to_arrow()
        except (NotFound, OSError, ValueError):
            return {}
        if "ehash" not in data.column_names:
            return {}
        hashes = data["ehash"].to_pylist()
        vecs = data["vector"].combine_chunks().values.to_numpy().reshape(len(hashes), -1)
        self._table = None
        return {h: vecs[i] for i, h in enumerate(hashes) if h}

    def build_arrays(self, rows: dict[str, list[Any]], vectors: np.ndarray, columns: list[FilterColumn],
                     *, extra: dict[str, Any] | None = None) -> None:
        """Low-level build from column lists (id, name, text, price, in_stock, filter columns) and
        vectors; the benchmark uses it for synthetic catalogs."""
        import lancedb

        staging = self.path / "lance.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        db = lancedb.connect(str(staging))
        n = len(rows["id"])
        rows.setdefault("ehash", [None] * n)
        schema = self._arrow_schema(columns)
        table = None
        step = 50_000
        for start in range(0, max(n, 1), step):
            batch = {k: v[start:start + step] for k, v in rows.items()}
            batch["vector"] = list(vectors[start:start + step]) if n else []
            data = pa.Table.from_pydict(batch, schema=schema)
            table = db.create_table(TABLE, data, schema=schema) if table is None else table
            if start > 0:
                table.add(data)
        assert table is not None
        self._index_table(table, n)
        SpellCorrector.from_texts(rows["text"]).save(self.path)
        self._speller = False
        final = self.path / "lance"
        old = self.path / "lance.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        self._table = None
        self.manifest = IndexManifest(
            embedder=self.embedder.model_id, dim=self.embedder.dim, text_template=TEXT_TEMPLATE_ID,
            settings=self.settings.model_dump(), catalog_size=n, catalog_name=self.catalog_name,
            columns=columns, extra_text=extra or {"count": 0},
        )
        write_manifest(self.path, self.manifest)

    def _index_table(self, table: Any, n: int) -> None:
        s = self.settings
        with warnings.catch_warnings():  # create_fts_index is the stable sync API in 0.40
            warnings.simplefilter("ignore")
            table.create_fts_index("text", replace=True, language=s.fts_language, stem=s.fts_stem,
                                   remove_stop_words=s.fts_remove_stop_words, ascii_folding=s.fts_ascii_folding)
            if n >= s.ann_min_rows:
                table.create_index(metric="cosine", index_type=s.ann_index_type, vector_column_name="vector")

    def upsert(self, products: Sequence[Product], extra_text: Mapping[str, str] | None = None) -> None:
        """Insert or replace products by id (re-embeds only these)."""
        if not products:
            return
        manifest = self._require_manifest()
        # keys that were not filterable at build time stay searchable as text; a rebuild makes them filters
        texts = [embed_text(p, extra_for(extra_text, p.id)) for p in products]
        vectors = self._embed(texts)
        rows = self._rows(products, manifest.columns, extra_text)
        rows["vector"] = list(vectors)
        data = pa.Table.from_pydict(rows, schema=self._arrow_schema(manifest.columns))
        self.table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all().execute(data)
        self._after_write(len(products))

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        self.table.delete(f"id IN ({', '.join(_quote(i) for i in ids)})")
        self._after_write(-len(ids))

    def update_dynamic(self, pid: str, *, price: float | None = None, in_stock: bool | None = None) -> None:
        values: dict[str, Any] = {}
        if price is not None:
            values["price"] = float(price)
        if in_stock is not None:
            values["in_stock"] = bool(in_stock)
        if values:
            self.table.update(where=f"id = {_quote(pid)}", values=values)

    def _after_write(self, delta: int) -> None:
        self.table.optimize()  # folds new rows into the FTS index
        manifest = self._require_manifest()
        manifest.catalog_size = len(self)
        manifest.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        write_manifest(self.path, manifest)

    # ---- reads ------------------------------------------------------------------------------
    def where(self, filters: Sequence[Filter]) -> str:
        return to_sql(filters, self.columns)

    def bm25(self, query: str, k: int, where: str = IN_STOCK,
             texts: dict[str, str] | None = None) -> list[tuple[str, float]]:
        """(id, BM25 score) for the normalised query; fills `texts` (id -> index text) if given."""
        q = normalize(query)
        if not q:
            return []
        cols = ["id", "_score", "text"] if texts is not None else ["id", "_score"]
        res = self._run(lambda: self.table.search(q, query_type="fts"), where, cols, k)
        ids = res["id"].to_pylist()
        if texts is not None:
            texts.update(zip(ids, res["text"].to_pylist(), strict=True))
        return list(zip(ids, res["_score"].to_pylist(), strict=True))

    def ann(self, vector: Sequence[float] | np.ndarray, k: int, where: str = IN_STOCK,
            texts: dict[str, str] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the nearest products; fills `texts` if given."""
        vec = np.asarray(vector, dtype=np.float32)
        approximate = bool(self.manifest and self.manifest.catalog_size >= self.settings.ann_min_rows)

        def query() -> Any:
            q = self.table.search(vec, query_type="vector", vector_column_name="vector").distance_type("cosine")
            return q.nprobes(self.settings.nprobes) if approximate else q

        cols = ["id", "_distance", "text"] if texts is not None else ["id", "_distance"]
        res = self._run(query, where, cols, k)
        ids = res["id"].to_pylist()
        if texts is not None:
            texts.update(zip(ids, res["text"].to_pylist(), strict=True))
        return [(i, 1.0 - d) for i, d in zip(ids, res["_distance"].to_pylist(), strict=True)]

    def _run(self, query: Callable[[], Any], where: str, cols: list[str], k: int) -> pa.Table:
        """Run a search with `where` as a pre-filter. With only the in-stock condition, the search
        first runs unfiltered (a LanceDB pre-filter costs a few ms per call) and drops out-of-stock
        rows; only when some came back does it rerun pre-filtered, so results are the same."""
        if where.strip() == IN_STOCK:
            res = query().select([*cols, "in_stock"]).limit(k).to_arrow()
            if all(res["in_stock"].to_pylist()):
                return res
        return query().where(where, prefilter=True).select(cols).limit(k).to_arrow()

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed([query])[0]

    def search(self, query: str, *, k: int = 10, mode: RetrievalMode = RetrievalMode.HYBRID,
               filters: Sequence[Filter] = (), vector: Sequence[float] | None = None) -> list[SearchHit]:
        """Single-arm or plain RRF hybrid search (the engine in `search.engine` does better fusion)."""
        where = self.where(filters)
        arms: dict[str, list[tuple[str, float]]] = {}
        if mode in (RetrievalMode.BM25, RetrievalMode.HYBRID):
            arms["bm25"] = self.bm25(query, max(k, 50), where)
        if mode in (RetrievalMode.VECTOR, RetrievalMode.HYBRID):
            vec = np.asarray(vector, dtype=np.float32) if vector is not None else self.embed_query(query)
            arms["vector"] = self.ann(vec, max(k, 50), where)
        fused = rrf(arms) if len(arms) > 1 else {i: s for i, s in next(iter(arms.values()))}
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        names = self.names([i for i, _ in ranked])
        return [SearchHit(id=i, score=s, name=names.get(i),
                          arm_scores={a: dict(v).get(i, 0.0) for a, v in arms.items()}) for i, s in ranked]

    def names(self, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        res = self.table.search().where(f"id IN ({', '.join(_quote(i) for i in ids)})").select(
            ["id", "name"]).limit(len(ids)).to_arrow()
        return dict(zip(res["id"].to_pylist(), res["name"].to_pylist(), strict=True))

    def rows(self, ids: Sequence[str], columns: Iterable[str] = ("id", "name", "price", "in_stock")) -> list[dict]:
        if not ids:
            return []
        res = self.table.search().where(f"id IN ({', '.join(_quote(i) for i in ids)})").select(
            list(columns)).limit(len(ids)).to_arrow()
        return res.to_pylist()

    # ---- helpers ----------------------------------------------------------------------------
    def _require_manifest(self) -> IndexManifest:
        if self.manifest is None:
            self.manifest = read_manifest(self.path)
        return self.manifest

    def _embed(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        bs = self.settings.batch_size * 4
        out = np.zeros((len(texts), self.embedder.dim), dtype=np.float32)
        with tqdm(total=len(texts), desc="embedding", unit=" products", disable=not progress,
                  leave=False) as bar:
            for start in range(0, len(texts), bs):
                out[start:start + bs] = self.embedder.embed(texts[start:start + bs],
                                                            batch_size=self.settings.batch_size)
                bar.update(min(bs, len(texts) - start))
        return out

    def _rows(self, products: Sequence[Product], columns: Sequence[FilterColumn],
              extra_text: Mapping[str, str] | None) -> dict[str, list[Any]]:
        rows: dict[str, list[Any]] = {
            "id": [p.id for p in products],
            "name": [p.name for p in products],
            "text": [normalize(index_text(p, self.schema, extra_for(extra_text, p.id))) for p in products],
            "ehash": [self._ehash(embed_text(p, extra_for(extra_text, p.id))) for p in products],
            "price": [p.price for p in products],
            "in_stock": [bool(p.in_stock) for p in products],
        }
        for col in columns:
            if col.source != "dynamic":
                rows[col.column] = [cell(col, p.get(col.name)) for p in products]
        return rows

    def _ehash(self, text: str) -> str:
        return hashlib.sha1(f"{self.embedder.model_id}\x1f{text}".encode()).hexdigest()[:20]

    def _arrow_schema(self, columns: Sequence[FilterColumn]) -> pa.Schema:
        fields = [pa.field("id", pa.string()), pa.field("name", pa.string()), pa.field("text", pa.string()),
                  pa.field("ehash", pa.string()),
                  pa.field("price", pa.float64()), pa.field("in_stock", pa.bool_())]
        fields += [pa.field(c.column, _ARROW[c.kind]) for c in columns if c.source != "dynamic"]
        fields.append(pa.field("vector", pa.list_(pa.float32(), self.embedder.dim)))
        return pa.schema(fields)


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
