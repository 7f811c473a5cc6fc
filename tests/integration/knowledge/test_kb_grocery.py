"""Knowledge pieces on real data: the bundled grocery catalog and ../shared/data (no model calls)."""

from __future__ import annotations

from pathlib import Path

from shelfmind.catalog.store import CatalogStore
from shelfmind.knowledge.cooccurrence import IngredientStats
from shelfmind.knowledge.evaluation import data_path, evaluate_retrieval, evaluate_verifier, load_jsonl
from shelfmind.knowledge.verifier import Verifier
from shelfmind.search.simple import KeywordSearcher


def test_labelled_sample_is_grounded_and_rules_agree(grocery: CatalogStore) -> None:
    sample = load_jsonl(data_path("verifier_sample.jsonl"))
    assert len(sample) >= 40 and all(r["reason"] and r["label"] in ("good", "bad") for r in sample)
    found = grocery.get_many([r["product_id"] for r in sample])
    assert len(found) == len(sample)  # every labelled assertion is about a real product
    result = evaluate_verifier(Verifier(None), grocery, sample)
    assert result.auto_approved_share == 0.0  # rules alone never auto-approve
    assert result.rejected_precision == 1.0  # what the rules reject, a human rejected too
    assert result.accuracy >= 0.8


def test_retrieval_harness_on_hand_judgments(grocery: CatalogStore) -> None:
    products = list(grocery.iter_products())
    judgments = load_jsonl(data_path("retrieval_judgments.jsonl"))
    # KB text that says which products serve "movie night" must help that query
    popcorn = [p.id for p in products if "popcorn" in p.name.lower() and "chicken" not in p.name.lower()][:10]
    extra = {pid: "Good for: movie night." for pid in popcorn}
    result = evaluate_retrieval(products, KeywordSearcher, extra, judgments)
    movie = next(q for q in result.per_query if q["query"] == "movie night")
    assert movie["relevant"] > 20 and movie["kb_p@k"] > movie["base_p@k"]
    assert result.queries == len(judgments)


def test_whats_cooking_cooccurrence(shared_data: Path, tmp_path: Path) -> None:
    stats = IngredientStats.from_whats_cooking(shared_data / "whats-cooking" / "train.json.gz")
    assert stats.recipes > 30_000
    tacos = stats.suggest(["flour tortillas", "ground beef"], k=5)
    assert {"salsa", "taco seasoning", "refried bean", "sour cream", "shredded cheddar cheese"} & set(tacos)
    assert {"fresh dill", "lemon wedge", "lemon", "dill"} & set(stats.suggest(["salmon fillets"], k=5))
    assert stats.support(["soy sauce", "ginger", "garlic"]) > stats.support(["soy sauce", "feta cheese crumble"])
    path = stats.save(tmp_path / "stats.json")
    again = IngredientStats.load(path)
    assert again is not None and again.suggest(["salmon"]) == stats.suggest(["salmon"])
