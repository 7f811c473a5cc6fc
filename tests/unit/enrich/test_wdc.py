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
