from __future__ import annotations

from shelfmind.enrich.batch import batch_executor, extract_batch, group_for_batches
from shelfmind.enrich.extract import Extractor
from shelfmind.enrich.fake import SpanFakeLLM
from shelfmind.enrich.grounding import GroundStatus
from shelfmind.enrich.jobs import ProductInput
from shelfmind.enrich.schema import SchemaSet, grocery_schema
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.schemas import AssertionStatus

SCHEMAS = SchemaSet(categories=[grocery_schema()], default="grocery")
ITEMS = [
    ProductInput(id="a", category="grocery", title="Organic Peanut Butter", description="Peanuts, salt. Flavor: Salted"),
    ProductInput(id="b", category="grocery", title="Honey Oat Bars", description="Oats, honey, milk. Flavor: Honey"),
    ProductInput(id="c", category="grocery", title="Plain Crackers", description="Wheat flour, oil."),
]


def test_one_call_answers_each_product_from_its_own_text() -> None:
    llm = SpanFakeLLM(confidences={"flavor": 0.9})
    batched = extract_batch(Extractor(llm, SCHEMAS), ITEMS)
    assert llm.calls == 1 and [r.product_id for r in batched] == ["a", "b", "c"]
    single_llm = SpanFakeLLM(confidences={"flavor": 0.9})
    single = [Extractor(single_llm, SCHEMAS).extract(p.id, "grocery", p.title, p.description) for p in ITEMS]
    assert single_llm.calls == 3
    for b, s in zip(batched, single, strict=True):  # same values, grounding and routing as one call per product
        assert b.predictions() == s.predictions()
        assert {k: v.status for k, v in b.values.items()} == {k: v.status for k, v in s.values.items()}
    assert batched[0].values["allergens"].value == ["peanuts"] and batched[1].values["flavor"].value == "honey"
    assert batched[0].prompt.startswith("enrich_extract_batch@") and batched[0].inputs_hash != batched[1].inputs_hash


def test_a_value_copied_from_a_neighbour_is_ungrounded_and_reviewed() -> None:
    ok = {"product_type": None, "flavor": None}
    llm = FakeLLM().enqueue({"P1": {**ok, "flavor": "honey"}, "P2": {**ok, "flavor": "honey"}})
    ex = Extractor(llm, SCHEMAS)
    a, b = extract_batch(ex, ITEMS[:2])
    assert a.values["flavor"].grounding.status == GroundStatus.UNGROUNDED  # "honey" is product b's, not a's
    assert a.values["flavor"].status == AssertionStatus.NEEDS_REVIEW and "flavor" not in a.accepted()
    assert b.values["flavor"].status != AssertionStatus.NEEDS_REVIEW or b.values["flavor"].grounding.status.ok


def test_failed_batch_falls_back_to_one_call_per_product() -> None:
    llm = FakeLLM().enqueue("not json").enqueue("still not json")  # both tries of the batch call fail
    for p in ITEMS:
        llm.enqueue({"product_type": p.title.split()[-1].lower()})
    results = extract_batch(Extractor(llm, SCHEMAS), ITEMS)
    assert [r.product_id for r in results] == ["a", "b", "c"] and all(r.error is None for r in results)
    assert len(llm.requests) == 2 + 3


def test_executor_groups_by_category_and_keeps_every_product() -> None:
    llm = SpanFakeLLM()
    ex = Extractor(llm, SCHEMAS)
    inputs = [*ITEMS, ProductInput(id="d", category="grocery", title="Salted Pretzels", description="Flour, salt.")]
    assert [len(b) for b in group_for_batches(ex, inputs, 3)] == [3, 1]
    out = list(batch_executor(ex, 3)(inputs))
    assert sorted(r.product_id for r in out) == ["a", "b", "c", "d"] and llm.calls == 2
