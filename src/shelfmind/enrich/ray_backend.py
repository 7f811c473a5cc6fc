"""`--backend ray`: the same per-product function on Ray Data (`map_batches` over an actor pool).

The driver plans (skip done, dedup) and checkpoints; workers only compute. Each worker builds its
own extractor once from a picklable factory (a model is loaded per worker, never shipped).
Results stream back in completion order, so the driver checkpoints while the job runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from shelfmind.enrich.extract import ProductResult
from shelfmind.enrich.jobs import ProductInput
from shelfmind.errors import UserError

ProductFn = Callable[[ProductInput], ProductResult]


def _rows(batch: dict[str, Any]) -> list[dict[str, Any]]:
    keys = list(batch)
    n = len(batch[keys[0]]) if keys else 0
    return [{k: (batch[k][i].item() if hasattr(batch[k][i], "item") else batch[k][i]) for k in keys} for i in range(n)]


class _EnrichBatch:
    """The Ray Data UDF: builds the per-product function once per worker."""

    def __init__(self, make_fn: Callable[[], ProductFn]) -> None:
        self.fn = make_fn()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        ids, results = [], []
        for row in _rows(batch):
            inp = ProductInput.model_validate(
                {k: (None if v == "" and k in ("description", "category") else str(v)) for k, v in row.items()})
            ids.append(inp.id)
            results.append(self.fn(inp).model_dump_json())
        return {"product_id": ids, "result": results}


def ray_executor(make_fn: Callable[[], ProductFn], *, batch_size: int = 4, concurrency: int = 1,
                 num_cpus: int | None = None) -> Callable[[Sequence[ProductInput]], Iterator[ProductResult]]:
    def execute(inputs: Sequence[ProductInput]) -> Iterator[ProductResult]:
        if not inputs:
            return
        try:
            import ray
        except ImportError as exc:
            raise UserError("the Ray backend needs Ray Data", hint="pip install 'shelfmind[ray]'") from exc
        if not ray.is_initialized():
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
        rows = [{"id": p.id, "category": p.category or "", "title": p.title, "description": p.description or ""}
                for p in inputs]
        ds = ray.data.from_items(rows).map_batches(
            _EnrichBatch, fn_constructor_args=(make_fn,), batch_size=batch_size, concurrency=concurrency,
            batch_format="numpy", num_cpus=1,
        )
        for batch in ds.iter_batches(batch_size=1, batch_format="numpy"):
            for raw in batch["result"]:
                yield ProductResult.model_validate_json(str(raw))

    return execute


def local_executor(fn: ProductFn) -> Callable[[Sequence[ProductInput]], Iterator[ProductResult]]:
    def execute(inputs: Sequence[ProductInput]) -> Iterator[ProductResult]:
        for p in inputs:
            yield fn(p)

    return execute
