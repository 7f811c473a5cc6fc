"""Fixtures for knowledge unit tests: 30 grocery products, a KeywordSearcher and a FakeLLM whose
answers depend on the prompt (plans, relations, recipes, explanations, yes/no judgements)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shelfmind.knowledge.grounding import DictProducts
from shelfmind.knowledge.kb import KnowledgeBase
from shelfmind.knowledge.store import KnowledgeStore
from shelfmind.llm.base import ChatRequest
from shelfmind.llm.providers.fake import FakeLLM
from shelfmind.review.queue import ReviewQueue
from shelfmind.schemas import Product
from shelfmind.search.simple import KeywordSearcher

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "knowledge"


def item(product_type: str, reason: str, query: str | None = None) -> dict[str, str]:
    """A relation proposal (kb_relations)."""
    return {"product_type": product_type, "search_query": query or product_type, "reason": reason}


def theme(name: str, reason: str, *items: str) -> dict[str, Any]:
    """A planned theme (kb_intent_plan, kb_more_themes)."""
    return {"name": name, "reason": reason, "items": list(items)}


PLANS: dict[str, dict[str, Any]] = {
    "insomnia": {"kind": "broad", "themes": [
        theme("Calming Teas", "A warm cup of tea helps you wind down.", "herbal tea", "chamomile tea",
              "ginger tea"),
        theme("Bedtime Drinks", "A warm glass of milk is a bedtime ritual.", "milk", "unicorn dust"),
        theme("Sweeteners", "A spoon of honey sweetens a bedtime tea.", "honey", "herbal tea"),
    ]},
    "movie night": {"kind": "broad", "themes": [
        theme("Popcorn and Chips", "Salty snacks to share during the film.", "popcorn", "potato chips"),
        theme("Sweets", "Something sweet for the film.", "candy", "chocolate"),
        theme("Dips", "A dip for the chips.", "salsa", "tortilla chips"),
    ]},
}
MORE_THEMES: dict[str, Any] = {"themes": [
    theme("Sweets", "Repeats an existing theme.", "candy", "chocolate"),
    theme("Pizza Night In", "Make a pizza for the film.", "pizza dough", "mozzarella cheese", "pasta sauce"),
]}


def judge_yes(request: ChatRequest) -> bool:
    """The fake judge: says no to energy/caffeine claims for sleep and to made-up products."""
    text = " ".join(m.content for m in request.messages).lower()
    return not any(bad in text for bad in ("unicorn", "energy", "cola soda"))


def make_responder(extra: dict[str, Callable[[ChatRequest], Any]] | None = None) -> Callable[[ChatRequest], Any]:
    def respond(request: ChatRequest) -> Any:
        name = request.meta.prompt_name
        if extra and name in extra:
            return extra[name](request)
        user = request.messages[1].content if len(request.messages) > 1 else ""
        if request.schema_name == "yes_no":
            return {"answer": "yes" if judge_yes(request) else "no"}
        if name == "kb_intent_plan":
            for key, plan in PLANS.items():
                if key in user.lower():
                    return plan
            return {"kind": "broad", "themes": [theme("Misc", "Tea.", "tea", "coffee")]}
        if name == "kb_more_themes":
            return MORE_THEMES
        if name == "kb_relations":
            return {"complements": [item("pasta sauce", "Sauce goes on pasta.", "marinara sauce")],
                    "substitutes": [item("gluten free pasta", "A pasta without wheat.", "gluten free penne")],
                    "pairings": []}
        if name == "kb_explain":
            return {"explanation": "A caffeine free herbal tea to sip before bed."}
        if name == "kb_recipe":
            return {"title": "Creamy Chicken and Broccoli Pasta", "servings": 4,
                    "ingredients": [{"name": "chicken breast", "quantity": "2"},
                                    {"name": "broccoli", "quantity": "1 head"},
                                    {"name": "spaghetti", "quantity": "300 g"},
                                    {"name": "heavy cream", "quantity": "1 cup"},
                                    {"name": "saffron threads", "quantity": "1 pinch"}],
                    "steps": ["Cook the pasta.", "Cook the chicken and broccoli.", "Stir in the cream."]}
        if name == "kb_suggest_intents":
            return {"intents": ["movie night", "cold and flu", "pizza night"]}
        raise AssertionError(f"unexpected prompt {name}")

    return respond


@pytest.fixture
def products() -> list[Product]:
    rows = [json.loads(line) for line in (FIXTURES / "products.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for r in rows:
        p = Product(**r)
        p.text = f"{p.name}. Ingredients: {p.fields.get('ingredients', '')}"
        out.append(p)
    return out


@pytest.fixture
def responder() -> Callable[..., Callable[[ChatRequest], Any]]:
    return make_responder


@pytest.fixture
def fake_llm() -> FakeLLM:
    return FakeLLM(responder=make_responder())


@pytest.fixture
def kb(tmp_path: Path, products: list[Product], fake_llm: FakeLLM) -> KnowledgeBase:
    return KnowledgeBase(
        KnowledgeStore(tmp_path / "kb.sqlite"),
        products=DictProducts(products),
        llm=fake_llm,
        searcher=KeywordSearcher(products),
        review=ReviewQueue(tmp_path / "review.sqlite"),
    )
