from __future__ import annotations

import pytest

from shelfmind.enrich.confidence import agreement, value_confidences
from shelfmind.enrich.grounding import GroundStatus, ground
from shelfmind.enrich.metrics import score, slot
from shelfmind.enrich.normalize import normalize, snap_to_span
from shelfmind.enrich.schema import AttributeSpec, AttrType, Casing, InferenceRule, grocery_schema
from shelfmind.llm.base import TokenLogprob

G = grocery_schema()


def spec(name: str) -> AttributeSpec:
    s = G.get(name)
    assert s is not None
    return s


def test_normalisation_units_synonyms_enums_and_spans() -> None:
    size = spec("package_size")
    assert normalize(size, "1.5 kg") == {"value": 1500.0, "unit": "g"}
    assert normalize(size, "16 ounces") == {"value": pytest.approx(453.592), "unit": "g"}
    assert normalize(spec("sweetener"), "High Fructose Corn Syrup") == "corn syrup"
    assert normalize(spec("sweetener"), "Honeyy") == "honey"  # fuzzy enum snapping
    assert normalize(spec("sweetener"), "maple") is None  # not a member: dropped
    assert normalize(spec("allergens"), ["Egg", "soya", "peanut", "egg", "granite"]) == ["eggs", "soy", "peanuts"]
    assert normalize(spec("product_type"), "  Pasta Sauce. ") == "pasta sauce"
    assert normalize(spec("organic"), "yes") is True and normalize(spec("organic"), False) is False
    for null in ("None", "n/a", "", "Not specified", None):
        assert normalize(spec("flavor"), null) is None
    keep = AttributeSpec(name="Brand", case=Casing.KEEP)
    assert normalize(keep, "canon", "CANON PG-210 ink") == "CANON"
    assert snap_to_span("Thermal Laminatng Pouches", "Scotch Thermal Laminating Pouches, 20-Pack") == \
        "Thermal Laminating Pouches"  # fuzzy: the text's exact span
    assert snap_to_span("Desktop Hard Drive", "64MB Desktop Hard DrivePart Number") == "Desktop Hard Drive"
    assert snap_to_span("6", 'Width 6" x 8"', attach_unit=True) == '6"'
    assert snap_to_span("1 TB", "Seagate 1TB drive") == "1TB"
    assert snap_to_span("5 inches", "pad 5 x 8 ruled") == "5"


def test_grounding_span_number_unit_inference_and_ungrounded() -> None:
    text = "Organic Spaghetti. Durum wheat semolina. Net weight 0.5 kg (17.6 oz)."
    assert ground(spec("product_type"), "spaghetti", text).status == GroundStatus.EXACT
    assert ground(spec("product_type"), "durum-wheat semolina", text).status == GroundStatus.FUZZY
    assert ground(spec("package_size"), {"value": 500.0, "unit": "g"}, text).status == GroundStatus.NUMBER_UNIT
    assert ground(spec("package_size"), {"value": 250.0, "unit": "g"}, text).status == GroundStatus.UNGROUNDED
    assert ground(spec("organic"), True, text).status == GroundStatus.INFERRED
    assert ground(spec("organic"), False, "Spaghetti").status == GroundStatus.INFERRED  # absence means false
    assert ground(spec("organic"), False, text).status == GroundStatus.UNGROUNDED  # says organic!
    assert ground(spec("allergens"), ["wheat"], text).status.ok
    assert ground(spec("allergens"), ["wheat", "fish"], text).status == GroundStatus.UNGROUNDED
    assert ground(spec("product_type"), "gift card", text).status == GroundStatus.UNGROUNDED
    assert ground(spec("product_type"), None, text).status == GroundStatus.ABSENT
    milk = AttributeSpec(name="dairy", type=AttrType.STRING, cues=["milk"], inference=InferenceRule.CUE_WORDS)
    assert ground(milk, "milk powder", "whole milk, sugar").status != GroundStatus.UNGROUNDED


def test_pave_counting_as_in_the_paper() -> None:
    assert slot(["Canon"], "Canon").vc == 1
    wrong = slot(["Canon"], "Brother")
    assert (wrong.vw, wrong.vc) == (1, 0)  # a wrong value is a false positive AND a false negative
    assert slot([], "Brother").nv == 1 and slot([], None).nn == 1 and slot([], "n/a").nn == 1
    assert slot(["Canon"], None).vn == 1 and slot(["Canon"], "None").vn == 1
    s = score([("Office", {"Brand": ["Canon"], "Color": []}, {"Brand": "Brother", "Color": "red"}),
               ("Office", {"Brand": ["HP"], "Color": ["black", "Black"]}, {"Brand": "HP", "Color": None})])
    # VC=1, VW=1, NV=1, VN=1 -> P = 1/3, R = 1/3
    assert s.overall.precision == pytest.approx(1 / 3) and s.overall.recall == pytest.approx(1 / 3)
    assert s.to_json()["per_attribute"]["Brand"]["f1"] == pytest.approx(0.5)


def test_confidence_from_logprobs_and_agreement() -> None:
    toks = [TokenLogprob(token=t, logprob=lp) for t, lp in
            [('{"', 0.0), ("brand", 0.0), ('": "', 0.0), ("Can", -0.01), ("on", -0.01), ('", "', 0.0),
             ("color", 0.0), ('": ', 0.0), ("null", -2.3), ("}", 0.0)]]
    conf = value_confidences(toks, ["brand", "color", "missing"], default=0.5)
    assert conf["brand"] > 0.9 and conf["color"] < 0.3 and conf["missing"] == 0.5
    assert value_confidences(None, ["a"]) == {"a": 0.5}
    assert agreement([{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "x"}], ["a", "b"]) == \
        {"a": 1.0, "b": pytest.approx(2 / 3)}


def test_value_form_learned_from_labels_filters_misplaced_values() -> None:
    upc = AttributeSpec(name="Retail UPC", requires=r"\d{8,}", value_pattern=r"\d+")
    text = "Scotch tape MMM600121296 UPC: 021200726125"
    assert ground(upc, "021200726125", text).status == GroundStatus.EXACT
    assert ground(upc, "MMM600121296", text).status == GroundStatus.UNGROUNDED  # in the text, wrong form
    msn = AttributeSpec(name="Manufacturer Stock Number", value_pattern=r"\S+")
    assert ground(msn, "Yield 10000 pages", "Toner. Yield 10000 pages").status == GroundStatus.UNGROUNDED
