from __future__ import annotations

from pathlib import Path

from shelfmind.enrich.wdc import PAVE_CORE, build_schemas, demos_from_offers, read_offers, split

TINY = Path(__file__).resolve().parents[2] / "fixtures" / "enrich" / "wdc_tiny.jsonl"


def test_split_never_leaks_offers_or_clusters() -> None:
    offers = read_offers(TINY, attributes="all")
    for seed in range(5):
        pool, dev = split(offers, 2, seed=seed)
        assert not {o.id for o in pool} & {o.id for o in dev}
        assert not {o.cluster_id for o in pool} & {o.cluster_id for o in dev}
    assert read_offers(TINY)[0].gold.keys() == set(PAVE_CORE["Jewelry"])


def test_schemas_and_demos_come_from_the_pool_only() -> None:
    offers = read_offers(TINY, attributes="all")
    pool = [o for o in offers if o.id != "2"]
    schema = build_schemas(pool).for_category("Jewelry")
    model = schema.get("Model Number")
    assert model is not None and model.requires == r"\d" and "5230551" not in model.examples
    demos = {d.id: d for d in demos_from_offers(pool)}
    assert demos["1"].values["Brand"] == "Pandora" and demos["3"].values["Brand"] is None


def test_a_dimension_learns_the_number_with_unit_form() -> None:
    import re

    from shelfmind.enrich.extract import Extractor
    from shelfmind.enrich.fake import SpanFakeLLM
    from shelfmind.enrich.grounding import GroundStatus
    from shelfmind.enrich.wdc import Offer

    widths = ['24"', '30"', '21-1/4"', '48"', '36"', '60"', '18"', '42-1/2"', '12"', '72"']
    pool = [Offer(id=str(i), category="Tables", title=f"Work table {w} wide", gold={"Width": [w, w.rstrip('"')]})
            for i, w in enumerate(widths)]
    spec = build_schemas(pool).for_category("Tables").get("Width")
    assert spec is not None and spec.value_pattern and spec.attach_unit
    assert re.fullmatch(spec.value_pattern, '21-1/4"') and not re.fullmatch(spec.value_pattern, "4")
    ex = Extractor(SpanFakeLLM(), build_schemas(pool))
    text = 'Shelf 4-Tier, 21-1/4" wide'
    assert ex.check(spec, "21-1/4", text, 0.9, []).value == '21-1/4"'  # the unit written after it is kept
    bare = ex.check(spec, "4", text, 0.9, [])  # "4" (from 4-Tier) is not a width
    assert bare.grounding.status == GroundStatus.UNGROUNDED and bare.status == "needs_review"


def test_a_dimension_refuses_a_value_in_another_unit_family() -> None:
    import re

    from shelfmind.enrich.wdc import unit_pattern

    width = unit_pattern(['24"', '21-1/4"', "30 in", "2 ft"])
    assert all(re.fullmatch(width, v) for v in ['36-1/4"', "15 cm", "2 ft"])
    assert not any(re.fullmatch(width, v) for v in ["120v", "64 oz", "300GB", "4"])
    capacity = unit_pattern(["300GB", "2GB"])
    assert re.fullmatch(capacity, "146GB") and not re.fullmatch(capacity, "15K")


def test_demonstration_labels_take_the_longest_span_where_asked() -> None:
    from shelfmind.enrich.wdc import Offer

    offer = Offer(id="o", category="Home", title="Countertop Drink Blender, 2 speeds",
                  gold={"Product Type": ["Blender", "Countertop Drink Blender", "Kitchen Blender"], "Speeds": ["2", "2 speeds"]})
    short, = demos_from_offers([offer])
    long, = demos_from_offers([offer], longest=["Product Type"])
    assert short.values == {"Product Type": "Blender", "Speeds": "2"}
    assert long.values == {"Product Type": "Countertop Drink Blender", "Speeds": "2"}  # never a value not in the text
