from __future__ import annotations

import functools

import pytest

from shelfmind.enrich.fake import SpanFakeLLM, span_worker
from shelfmind.enrich.ray_backend import local_executor, ray_executor
from shelfmind.schemas import Product

pytestmark = pytest.mark.ray


def test_ray_backend_runs_the_same_function_and_resumes(make_service) -> None:  # type: ignore[no-untyped-def]
    ray = pytest.importorskip("ray")
    products = [Product(id=f"p{i}", name=f"Organic pasta {i}", fields={"ingredients": f"wheat, egg {i}"})
                for i in range(6)]
    products.append(Product(id="dup", name="Organic pasta 0", fields={"ingredients": "wheat, egg 0"}))
    local = make_service(SpanFakeLLM(), products)
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        service = make_service(SpanFakeLLM(), products)
        service.store = service.store.__class__(service.store.path.with_name("ray.sqlite"))
        make_fn = functools.partial(span_worker, service.schemas().model_dump_json())
        # a first (interrupted) run did 4 products in-process with the same function...
        first = service.run(ids=[p.id for p in products[:4]], executor=local_executor(make_fn()))
        assert first.done == 4
        # ...the Ray run resumes: skips them, enriches the rest, reuses the duplicate's result
        second = service.run(executor=ray_executor(make_fn, batch_size=2), backend="ray")
        assert second.backend == "ray"
        assert (second.skipped, second.done, second.reused) == (4, 2, 1)  # resumed; the duplicate reused
    finally:
        ray.shutdown()
    local.run()
    for p in products:
        a, b = service.store.get(p.id), local.store.get(p.id)
        assert a is not None and b is not None
        assert a.model == "fake:span-ray" and a.accepted() == b.accepted()  # same function, same answers
    assert service.store.get("p5").model == "fake:span-ray"  # type: ignore[union-attr]
    assert service.catalog.get("p3").attributes["organic"] is True
