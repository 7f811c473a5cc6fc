"""The bad-input corpus (tests/fixtures/enrich/bad_inputs.jsonl) through the whole job."""

from __future__ import annotations

from shelfmind.enrich.extract import Extractor
from shelfmind.enrich.fake import SpanFakeLLM
from shelfmind.enrich.inputs import InputFlag, prepare
from shelfmind.enrich.jobs import ProductInput
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.review.queue import ReviewKind

EXPECTED = {"empty": InputFlag.EMPTY, "html": InputFlag.HTML, "long": InputFlag.TRUNCATED,
            "non_english": InputFlag.NON_ENGLISH, "injection": InputFlag.INJECTION}


def test_prepare_cleans_and_flags(corpus, kinds) -> None:  # type: ignore[no-untyped-def]
    for p in corpus:
        prep = prepare(p.name, p.fields["ingredients"], budget=1200, keywords=["package size"])
        kind = kinds[p.id]
        if kind == "normal":
            assert prep.flags == [], p.id
        else:
            assert EXPECTED[kind] in prep.flags, (p.id, prep.flags)
        assert len(prep.text) < 1400
        assert "<script" not in prep.text and "<b>" not in prep.text
    long = next(p for p in corpus if p.id == "long")
    assert len(long.fields["ingredients"]) > 50_000
    kept = prepare(long.name, long.fields["ingredients"], budget=1200, keywords=["package size"]).text
    assert kept.startswith("Wheat Crackers\nEnriched wheat flour") and "Package size: 200 g" in kept  # smart cut


def _run(make_service, corpus, llm):  # type: ignore[no-untyped-def]
    service = make_service(llm, corpus)
    report = service.run()
    return service, report


def test_job_continues_schema_holds_and_bad_products_are_flagged(make_service, corpus, kinds) -> None:  # type: ignore[no-untyped-def]
    service, report = _run(make_service, corpus, SpanFakeLLM())
    assert report.selected == len(corpus) and report.failed == 0 and report.done == len(corpus)
    for p in corpus:
        result = service.store.get(p.id)
        assert result is not None
        assert set(result.values) == {a.name for a in service.schemas().categories[0].attributes}  # schema holds
        if kinds[p.id] != "normal":
            assert EXPECTED[kinds[p.id]] in result.flags
    # suspicious inputs are never auto-approved: their values wait for a human
    inject = service.store.get("inject-1")
    assert inject is not None and inject.accepted() == {}
    assert service.catalog.get("inject-1").attributes == {}


def test_an_obeying_model_is_caught_by_validation_and_grounding(make_service, corpus) -> None:  # type: ignore[no-untyped-def]
    clean_service, _ = _run(make_service, [p for p in corpus if p.id.startswith("ok-")], SpanFakeLLM())
    clean = {pid: clean_service.store.get(pid) for pid in ("ok-1", "ok-2")}
    obey = SpanFakeLLM(obey_injection=True)
    service = make_service(obey, corpus)
    service.store = clean_service.store.__class__(service.store.path.with_name("enrich2.sqlite"))
    service.run()
    r = service.store.get("inject-1")
    assert r is not None
    assert r.values["product_type"].value == "pwned"  # it obeyed the injected text...
    assert not r.values["product_type"].grounding.status.ok  # ...grounding catches it
    assert r.accepted() == {} and "product_type" not in service.catalog.get("inject-1").attributes
    pending = {i.ref for i in service.review.list(kind=ReviewKind.ATTRIBUTE)}
    assert "product:inject-1/attr:product_type" in pending
    # other products' results are untouched by the bad ones
    for pid, before in clean.items():
        after = service.store.get(pid)
        assert after is not None and before is not None and after.values == before.values


def test_schema_breaking_answers_fail_one_product_only(make_service, corpus) -> None:  # type: ignore[no-untyped-def]
    def responder(request):  # type: ignore[no-untyped-def]
        content = request.messages[1].content  # the first user message (a re-ask appends more)
        if "Sea Salt Chips" in content:  # the injected product gets an answer outside the schema
            return {"organic": True, "price": 0, "allergens": ["none"]}
        return SpanFakeLLM().answer(request.json_schema or {}, content.split("<<<PRODUCT\n")[-1])

    service, report = _run(make_service, corpus, FakeLLM(responder=responder))
    assert report.failed == 1 and report.done == len(corpus) - 1
    failed = service.store.get("inject-1")
    assert failed is not None and InputFlag.FAILED in failed.flags and failed.error
    assert service.catalog.get("inject-1").attributes == {}
    ok = service.store.get("ok-1")
    assert ok is not None and ok.accepted()["organic"] is True


def test_extractor_handles_each_bad_input_directly(corpus) -> None:  # type: ignore[no-untyped-def]
    from shelfmind.enrich.schema import SchemaSet, grocery_schema

    ex = Extractor(SpanFakeLLM(), SchemaSet(categories=[grocery_schema()]))
    for p in corpus:
        inp = ProductInput(id=p.id, title=p.name, description=p.fields["ingredients"])
        r = ex.extract(inp.id, "", inp.title, inp.description)
        assert r.error is None and len(r.text) < 1400
