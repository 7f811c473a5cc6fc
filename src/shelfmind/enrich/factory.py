"""build_enrichment(rt): the EnrichmentService wired to the runtime's LLM, catalog, review queue and
job store. The attribute schema file lives at `$SHELFMIND_HOME/artifacts/attribute_schemas.toml`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from shelfmind.enrich.extract import ExtractConfig, Extractor, ProductResult
from shelfmind.enrich.jobs import JobStore, ProductInput
from shelfmind.enrich.service import EnrichmentService


class WorkerFactory(BaseModel):
    """Picklable recipe for a Ray worker's per-product function (it builds its own LLM stack)."""

    home: str
    schemas_path: str
    config: ExtractConfig
    demos: list[dict[str, Any]] = []

    def __call__(self) -> Callable[[ProductInput], ProductResult]:
        from shelfmind.enrich.demos import Demo, DemoPool
        from shelfmind.enrich.schema import load_schemas
        from shelfmind.runtime import Runtime

        rt = Runtime(home=self.home)
        extractor = Extractor(rt.llm, load_schemas(self.schemas_path),
                              demos=DemoPool(Demo.model_validate(d) for d in self.demos), config=self.config)
        return lambda inp: extractor.extract(inp.id, inp.category or "", inp.title, inp.description)


def build_enrichment(rt: Any, *, config: ExtractConfig | None = None) -> EnrichmentService:
    schemas_path = rt.paths.artifacts_dir / "attribute_schemas.toml"
    service = EnrichmentService(rt.llm, rt.catalog, rt.review, JobStore(rt.paths.enrich_db),
                                schemas_path=schemas_path, config=config)
    service.make_worker = _LazyWorker(service, str(rt.paths.home))
    return service


class _LazyWorker:
    """Snapshots the schema file and the demonstration pool when the job starts (pickled once)."""

    def __init__(self, service: EnrichmentService, home: str) -> None:
        self.service, self.home = service, home

    def __reduce__(self) -> tuple[Any, ...]:
        self.service.schemas()  # make sure the file exists
        factory = WorkerFactory(home=self.home, schemas_path=str(self.service.schemas_path),
                                config=self.service.config,
                                demos=[d.model_dump() for d in self.service.demo_pool().demos])
        return (WorkerFactory.model_validate, (factory.model_dump(),))

    def __call__(self) -> Callable[[ProductInput], ProductResult]:
        extractor = self.service.extractor()
        return lambda inp: self.service.enrich_one(inp, extractor)
