"""Theme logic with a FakeLLM: distinct drafts, merging, one theme per product, the extra-themes call
for broad intents, and the product-first anchor for specific queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shelfmind.knowledge.grounding import DictProducts, Grounded, Grounder
from shelfmind.knowledge.models import IntentPlan, PlannedTheme
from shelfmind.knowledge.planner import IntentPipeline
from shelfmind.knowledge.theme_eval import evaluate_themes
from shelfmind.knowledge.themes import (
    Candidate,
    Draft,
    assign_exclusive,
    drafts_from,
    merge_overlapping,
    overlap_share,
)
from shelfmind.knowledge.verifier import Verifier
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.schemas import PresentationKind, Product
from shelfmind.search.simple import KeywordSearcher


def theme(name: str, reason: str, *items: str) -> dict[str, Any]:
    return {"name": name, "reason": reason, "items": list(items)}


def pipeline(products: list[Product], respond: Callable[[ChatRequest], Any]) -> tuple[IntentPipeline, FakeLLM]:
    llm = FakeLLM(responder=respond)
    grounder = Grounder(KeywordSearcher(products), DictProducts(products))
    return IntentPipeline(llm, grounder, Verifier(llm)), llm


def scripted(plan: dict[str, Any], more: dict[str, Any] | None = None) -> Callable[[ChatRequest], Any]:
    def respond(request: ChatRequest) -> Any:
        if request.schema_name == "yes_no":
            return {"answer": "yes"}
        if request.meta.prompt_name == "kb_intent_plan":
            return plan
        if request.meta.prompt_name == "kb_more_themes" and more is not None:
            return more
        raise AssertionError(f"unexpected prompt {request.meta.prompt_name}")

    return respond


def cand(pid: str, score: float, *, overlap: float = 1.0) -> Candidate:
    p = Product(id=pid, name=pid)
    return Candidate(grounded=Grounded(product=p, score=score, overlap=overlap, evidence=""), product_type="x")


def test_drafts_are_distinct_by_name_and_item() -> None:
    plan = IntentPlan.model_validate({"kind": "broad", "themes": [
        theme("Salty Snacks", "r", "popcorn", "chips"),
        theme("salty  snacks", "r", "pretzels", "nuts"),  # same name
        theme("Crunchy", "r", "Popcorn", "chips"),  # every item already proposed
        theme("Sweets", "r", "candy", "popcorn"),
    ]})
    drafts = drafts_from(plan.themes)
    assert [d.name for d in drafts] == ["Salty Snacks", "Sweets"]
    assert drafts[1].items == ["candy"]
    more = drafts_from([PlannedTheme(name="Sweets", reason="r", items=["a", "b"]),
                        PlannedTheme(name="Drinks", reason="r", items=["candy", "soda"])],
                       seen_names=["sweets"], seen_items=["candy"])
    assert [(d.name, d.items) for d in more] == [("Drinks", ["soda"])]


def test_heavy_overlap_and_same_words_merge_light_overlap_does_not() -> None:
    a = Draft("Popcorn", "r", ["popcorn"], [cand("p1", 0.9), cand("p2", 0.8), cand("p3", 0.7)])
    b = Draft("Movie Snacks", "r", ["kettle corn"], [cand("p2", 0.9), cand("p3", 0.9), cand("p4", 0.5)])
    c = Draft("Dips", "r", ["salsa"], [cand("p5", 0.9), cand("p3", 0.5, overlap=0.5), cand("p6", 0.9)])
    d = Draft("popcorn", "r", ["butter"], [cand("p7", 0.9)])
    e = Draft("Popcorn Toppings", "r", ["salt"], [cand("p8", 0.9)])  # more words: a different theme
    merged = merge_overlapping([a, b, c, d, e])
    assert [m.name for m in merged] == ["Popcorn", "Dips", "Popcorn Toppings"]  # b: 2 of 3 shared; d: same words
    assert merged[0].ids() == {"p1", "p2", "p3", "p4", "p7"} and merged[0].items == ["popcorn", "kettle corn", "butter"]


def test_each_product_goes_to_one_theme_where_it_grounded_best() -> None:
    a = Draft("A", "r", ["x"], [cand("p1", 0.9), cand("p2", 0.4), cand("p3", 0.8)])
    b = Draft("B", "r", ["y"], [cand("p2", 0.9), cand("p3", 0.8), cand("p4", 0.7)])
    groups = assign_exclusive([a, b], max_size=5, used=["p4"])
    ids = [[c.id for c in g] for g in groups]
    assert ids == [["p1", "p3"], ["p2"]]  # p3 ties -> earlier theme; p4 was used by an earlier call
    assert overlap_share(ids) == 0.0 and overlap_share([["p1", "p2"], ["p2", "p3"]]) == 0.25
    assert assign_exclusive([a], max_size=2)[0][0].id == "p1"


def test_broad_intent_with_too_few_themes_gets_one_more_call(products: list[Product]) -> None:
    plan = {"kind": "broad", "themes": [
        theme("Popcorn and Chips", "Salty snacks to share.", "popcorn", "potato chips"),
        theme("Movie Popcorn", "Popcorn for the film.", "popcorn", "kettle corn", "microwave popcorn"),  # overlaps
        theme("Unicorn Snacks", "Not in the catalog.", "unicorn dust", "dragon fruit chews"),
    ]}
    more = {"themes": [theme("Sweets", "Something sweet.", "candy", "chocolate"),
                       theme("Pizza Night In", "A pizza for the film.", "pizza dough", "mozzarella cheese",
                             "pasta sauce")]}
    pipe, llm = pipeline(products, scripted(plan, more))
    res = pipe.run("movie night")
    names = [t.name for t in res.themes]
    assert res.kind == PresentationKind.BROAD and len(res.themes) >= 3 and res.llm_calls == 2
    assert names[0] == "Popcorn and Chips" and "Movie Popcorn" not in names and "Sweets" in names
    assert all(len(t.product_ids) >= 3 for t in res.themes)
    ids = [pid for t in res.themes for pid in t.product_ids]
    assert len(ids) == len(set(ids))  # a product in one theme only
    assert {"unicorn dust", "dragon fruit chews"} <= set(res.ungrounded)
    asked = next(r for r in llm.requests if r.meta.prompt_name == "kb_more_themes").messages[1].content
    assert "Popcorn and Chips" in asked and "<<<EXISTING" in asked
    linked = {x.product_id: x for x in res.links}
    assert all(pid in linked for pid in ids) and linked[ids[0]].explanation == "Salty snacks to share."


def test_enough_themes_means_no_extra_call(products: list[Product]) -> None:
    plan = {"kind": "broad", "themes": [
        theme("Popcorn and Chips", "Salty snacks.", "popcorn", "potato chips"),
        theme("Sweets", "Sweet things.", "candy", "chocolate"),
        theme("Pasta Night", "Dinner first.", "spaghetti", "pasta sauce", "penne pasta"),
    ]}
    pipe, llm = pipeline(products, scripted(plan))
    res = pipe.run("movie night")
    assert len(res.themes) == 3 and res.llm_calls == 1
    assert not any(r.meta.prompt_name == "kb_more_themes" for r in llm.requests)


def test_specific_query_leads_with_the_product_then_complements(products: list[Product]) -> None:
    plan = {"kind": "specific", "themes": [
        theme("Pizza Cheese and Dough", "The cheese you searched for.", "mozzarella", "parmesan cheese",
              "pizza dough"),
        theme("Pizza Sauce and Oil", "Make a pizza with it.", "pizza dough", "pasta sauce", "olive oil",
              "spaghetti"),
        theme("Italian Seasoning and Spice", "Season the pizza.", "italian seasoning", "garlic powder",
              "lemon pepper seasoning"),
    ]}
    pipe, llm = pipeline(products, scripted(plan))
    summary = evaluate_themes(pipe, broad=(), specific=("shredded mozzarella cheese",))
    row = summary.rows[0]
    assert row.kind == PresentationKind.SPECIFIC and row.product_first and summary.specific_product_first == 1.0
    assert row.names == ["Shredded Mozzarella Cheese", "Pizza Sauce and Oil", "Italian Seasoning and Spice"]
    assert row.overlap == 0.0 and row.llm_calls == 1
    res = pipe.run("shredded mozzarella cheese")
    assert res.themes[0].product_ids[0] == "p14"  # Shredded Mozzarella Cheese
    assert not any(r.meta.prompt_name == "kb_more_themes" for r in llm.requests)  # specific: no extra call


def test_an_occasion_the_model_calls_specific_is_broad_unless_the_catalog_names_it(products: list[Product]) -> None:
    plan = {"kind": "specific", "themes": [
        theme("Movie Night Snacks", "Snacks for the film.", "popcorn", "potato chips"),
        theme("Movie Night Sweets", "Something sweet.", "candy", "chocolate"),
        theme("Movie Night Music", "Not sold here.", "music player", "DVDs"),
    ]}
    more = {"themes": [theme("Pasta Night", "Dinner first.", "spaghetti", "pasta sauce", "penne pasta"),
                       theme("Tea Time", "A warm drink.", "herbal tea", "ginger tea")]}
    pipe, _ = pipeline(products, scripted(plan, more))
    res = pipe.run("movie night")
    assert res.kind == PresentationKind.BROAD and len(res.themes) >= 3 and res.llm_calls == 2
    broad = {"kind": "broad", "themes": plan["themes"]}
    pipe, _ = pipeline(products, scripted(broad, more))
    assert pipe.run("tortilla chips").kind == PresentationKind.SPECIFIC  # the catalog names it


def test_too_few_themes_split_a_multi_kind_theme_before_asking_again(products: list[Product]) -> None:
    plan = {"kind": "broad", "themes": [
        theme("Pantry Staples", "Things to keep at home.", "tea", "pasta"),
        theme("Sweets", "Something sweet.", "candy", "chocolate"),
        theme("Unicorn Snacks", "Not in the catalog.", "unicorn dust", "dragon fruit chews"),
    ]}
    extra = Product(id="p31", name="Whole Wheat Pasta", fields={"ingredients": "whole wheat flour"}, price=1.99)
    extra.text = extra.name
    pipe, llm = pipeline([*products, extra], scripted(plan))
    res = pipe.run("rainy weekend")
    assert [t.name for t in res.themes] == ["Tea", "Pasta", "Sweets"]
    assert res.split == 1 and res.llm_calls == 1 and all(len(t.product_ids) >= 3 for t in res.themes)
    assert not any(r.meta.prompt_name == "kb_more_themes" for r in llm.requests)
