from __future__ import annotations

from shelfmind.enrich.demos import demos_from_review
from shelfmind.enrich.fake import SpanFakeLLM
from shelfmind.enrich.jobs import ResultStatus
from shelfmind.review.queue import Decision, ReviewKind
from shelfmind.schemas import Product


def _catalog() -> list[Product]:
    same = "Organic durum wheat semolina. Sweetener: none"
    return [
        Product(id="a", name="Organic Spaghetti", fields={"ingredients": same}),
        Product(id="b", name="Organic Spaghetti", fields={"ingredients": same}),  # identical input to a
        Product(id="c", name="Honey Oat Bars", fields={"ingredients": "Oats, honey, almonds, milk"}),
        Product(id="d", name="Cola", fields={"ingredients": "Water, sugar, caramel colour"}),
    ]


def test_rerun_skips_done_and_identical_inputs_are_sent_once(make_service) -> None:  # type: ignore[no-untyped-def]
    llm = SpanFakeLLM()
    service = make_service(llm, _catalog())
    first = service.run(limit=3)
    assert (first.selected, first.done, first.reused) == (3, 2, 1) and llm.calls == 2
    second = service.run()
    assert (second.skipped, second.done) == (3, 1) and llm.calls == 3  # only d was new
    third = service.run(ids=["a", "d"])
    assert third.skipped == 2 and llm.calls == 3
    r = service.store.get("b")
    assert r is not None and r.model == "fake:span" and r.prompt.startswith("enrich_extract@") and r.schema_version
    assert service.store.count() == {ResultStatus.DONE.value: 4}


def test_changed_product_or_schema_is_redone(make_service) -> None:  # type: ignore[no-untyped-def]
    llm = SpanFakeLLM()
    service = make_service(llm, _catalog())
    service.run()
    calls = llm.calls
    service.catalog.upsert([Product(id="d", name="Cola Zero", fields={"ingredients": "Water, aspartame"})])
    assert service.run().done == 1 and llm.calls == calls + 1
    schemas = service.schemas()
    schemas.categories[0].attributes = schemas.categories[0].attributes[:3]
    from shelfmind.enrich.schema import save_schemas

    save_schemas(schemas, service.schemas_path)
    assert service.run().skipped == 0  # a new schema version redoes everything


def test_values_reach_catalog_and_decisions_flow_back(make_service) -> None:  # type: ignore[no-untyped-def]
    llm = SpanFakeLLM(confidences={"allergens": 0.3})
    service = make_service(llm, _catalog())
    report = service.run()
    assert report.to_review > 0
    c = service.catalog.get("c")
    assert c.attributes["organic"] is False and c.attributes["sweetener"] == "honey"
    assert "allergens" not in c.attributes  # low confidence: waits for review
    items = {i.ref: i for i in service.review.list(kind=ReviewKind.ATTRIBUTE)}
    item = items["product:c/attr:allergens"]
    assert item.value == ["milk"] and "low confidence" in item.reason
    assert item.evidence and item.provenance["model"] == "fake:span" and item.provenance["text"]
    service.review.decide(item.id, Decision.EDIT, value=["milk", "tree nuts"])
    assert service.catalog.get("c").attributes["allergens"] == ["milk", "tree nuts"]
    rejected = items["product:a/attr:allergens"]
    service.review.decide(rejected.id, Decision.REJECT)
    assert "allergens" not in service.catalog.get("a").attributes
    # a rerun (e.g. after a schema edit) keeps human decisions over model output
    service.apply(service.store.get("c"))  # type: ignore[arg-type]
    assert service.catalog.get("c").attributes["allergens"] == ["milk", "tree nuts"]
    # decisions become demonstrations
    demos = demos_from_review(service.review.decided(ReviewKind.ATTRIBUTE))
    assert [d.id for d in demos] == ["c"] and demos[0].values == {"allergens": ["milk", "tree nuts"]}
    assert len(service.demo_pool()) == 1
    from shelfmind.llm.providers.fake import FakeLLM

    spy = FakeLLM().enqueue({})
    service.extractor(spy).extract("z", "", "Honey Oat Crunch", "Oats, honey, almonds")
    assert '"allergens": ["milk", "tree nuts"]' in spy.requests[0].messages[-1].content  # reused as a demo


def test_factory_wires_the_service_and_a_picklable_ray_worker(home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from shelfmind.enrich.factory import WorkerFactory, build_enrichment
    from shelfmind.enrich.inputs import InputFlag
    from shelfmind.enrich.jobs import ProductInput
    from shelfmind.runtime import Runtime

    rt = Runtime()
    service = build_enrichment(rt)
    assert service.store.path == rt.paths.enrich_db and service.review is rt.review
    worker = pickle.loads(pickle.dumps(service.make_worker))
    assert isinstance(worker, WorkerFactory) and worker.home == str(home)
    assert (home / "artifacts" / "attribute_schemas.toml").exists()
    monkeypatch.setenv("SHELFMIND_LLM_STRONG", "fake:")  # the worker builds its own stack from settings
    fn = worker()
    result = fn(ProductInput(id="x", title="Organic pasta", description="wheat"))
    assert InputFlag.FAILED in result.flags and "scripted" in (result.error or "")  # fails the item, not the job


def test_batched_job_sends_several_products_per_call_and_resumes(make_service) -> None:  # type: ignore[no-untyped-def]
    from shelfmind.enrich.extract import ExtractConfig

    llm = SpanFakeLLM()
    service = make_service(llm, _catalog(), config=ExtractConfig(batch_size=4))
    report = service.run()
    assert (report.selected, report.done, report.reused) == (4, 3, 1) and llm.calls == 1  # a, c, d in one call
    r = service.store.get("c")
    assert r is not None and r.prompt.startswith("enrich_extract_batch@") and r.values["sweetener"].value == "honey"
    assert service.run().skipped == 4 and llm.calls == 1  # nothing done twice
    single = make_service(SpanFakeLLM(), _catalog())
    assert service.context() != single.context()  # batching is part of what a result depends on
