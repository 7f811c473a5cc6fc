"""Small grocery catalog, in-memory knowledge double and services for persona unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from shelfmind.personas.assign import FactAssessor, SignatureCache
from shelfmind.personas.catalog import PersonaCatalog, load_persona_catalog
from shelfmind.personas.facts import FactBook
from shelfmind.personas.recommend import Recommender
from shelfmind.personas.service import UserService
from shelfmind.personas.store import UserStore
from shelfmind.schemas import IntentLink, Product, Relation, RelationKind, Theme
from shelfmind.search.simple import KeywordSearcher

ROWS = [
    ("p1", "Organic Whole Wheat Spaghetti", "organic whole wheat durum flour", 1.49, {"sugar": 3, "fiber": 7}),
    ("p2", "Spaghetti Pasta", "durum wheat semolina", 0.99, {"sugar": 3}),
    ("p3", "Premium Artisan Spaghetti", "durum wheat semolina, egg", 4.99, {"sugar": 2}),
    ("p4", "Tomato Basil Pasta Sauce", "tomatoes, olive oil, basil, salt", 2.99, {"sugar": 6}),
    ("p5", "Vodka Pasta Sauce", "tomatoes, cream, vodka, cheese", 3.49, {"sugar": 5, "alcohol": 1.0}),
    ("p6", "Red Wine", "grapes, sulfites", 11.99, {"alcohol": 13.0}),
    ("p7", "Light Beer", "water, barley malt, hops", 8.99, {}),
    ("p8", "Beef Meatballs", "beef, bread crumbs, egg, salt", 6.99, {"protein": 16}),
    ("p9", "Peanut Butter Cookies", "wheat flour, peanuts, sugar, butter", 3.49, {"sugar": 30}),
    ("p10", "Chocolate Chip Cookies", "wheat flour, sugar, chocolate, milk, soy lecithin", 3.29, {"sugar": 35}),
    ("p11", "Vegan Oat Cookies", "oats, sugar, coconut oil, sea salt", 3.99, {"sugar": 25}),
    ("p12", "Tortilla Chips", "corn, sunflower oil, salt", 2.49, {"sugar": 1}),
    ("p13", "Chunky Salsa", "tomatoes, onions, jalapeno peppers, vinegar", 3.29, {"sugar": 4}),
    ("p14", "Organic Firm Tofu", "organic soybeans, water, calcium sulfate", 2.99, {"protein": 17, "sugar": 1}),
    ("p15", "Kids Fruit Snacks", "fruit puree, sugar, pectin", 2.99, {"sugar": 45}),
    ("p16", "Organic Baby Food Apple Puree", "organic apples", 1.79, {"sugar": 10}),
    ("p17", "Honey Granola Cereal", "oats, honey, almonds, sugar", 4.49, {"sugar": 22, "fiber": 6}),
    ("p18", "Whole Grain Oatmeal", "whole grain rolled oats", 3.99, {"sugar": 1, "fiber": 10}),
    ("p19", "Ground Coffee Dark Roast", "100% arabica coffee", 8.99, {}),
    ("p20", "Green Tea", "green tea leaves", 4.49, {}),
    ("p21", "All Purpose Flour", "wheat flour, niacin, iron", 3.49, {"fiber": 3}),
    ("p22", "Salmon Fillet", "atlantic salmon", 9.99, {"protein": 20}),
    ("p23", "Cola Soda", "carbonated water, sugar, caramel color", 1.99, {"sugar": 10}),
    ("p24", "Cheddar Cheese", "milk, salt, cultures, enzymes", 4.49, {"protein": 25}),
    ("p25", "Almond Milk", "almond milk (filtered water, almonds), sea salt", 3.49, {"sugar": 0.5}),
    ("p26", "Microwave Mac And Cheese Cup", "pasta, cheese sauce (milk, cheese)", 1.99, {"sugar": 5}),
    ("p27", "Pancake Mix", "wheat flour, sugar, egg, buttermilk", 3.49, {"sugar": 12}),
    ("p28", "Maple Syrup", "pure maple syrup", 5.49, {"sugar": 60}),
]


def make_products() -> list[Product]:
    out = []
    for pid, name, ingredients, price, nutrition in ROWS:
        fields: dict[str, object] = {"ingredients": ingredients}
        fields.update({f"nutrition_{k}": float(v) for k, v in nutrition.items()})
        out.append(Product(id=pid, name=name, fields=fields, price=price, text=f"{name}. {ingredients}"))
    return out


class MemoryKB:
    """An in-memory KnowledgeLookup double."""

    def __init__(self, themes: dict[str, list[Theme]] | None = None, relations: list[Relation] | None = None) -> None:
        self._themes = themes or {}
        self._relations = relations or []

    def themes_for(self, query: str, *, limit: int = 6) -> list[Theme]:
        return self._themes.get(query.lower(), [])[:limit]

    def intent_products(self, intent: str, *, limit: int = 50) -> list[IntentLink]:
        return []

    def relations(self, product_id: str, kinds: Sequence[RelationKind] = (), *, limit: int = 20) -> list[Relation]:
        return [r for r in self._relations if r.src_id == product_id and (not kinds or r.kind in kinds)][:limit]

    def intents_of_product(self, product_id: str, *, limit: int = 10) -> list[str]:
        return []


@pytest.fixture
def products() -> list[Product]:
    return make_products()


@pytest.fixture
def book(products: list[Product]) -> FactBook:
    return FactBook.from_products(products)


@pytest.fixture
def personas() -> PersonaCatalog:
    return load_persona_catalog()


@pytest.fixture
def users(tmp_path: Path, book: FactBook, personas: PersonaCatalog) -> UserService:
    store = UserStore(tmp_path / "users.sqlite")
    cache = SignatureCache(FactAssessor(book, personas), book, personas, store)
    return UserService(store, book, personas, cache, llm=None)


@pytest.fixture
def kb() -> MemoryKB:
    party = Theme(name="Game Day Snacks", explanation="Chips, salsa and drinks.", product_ids=["p12", "p13", "p7", "p23"])
    pasta_night = Theme(name="Pasta Night", explanation="Pasta and sauces.", product_ids=["p1", "p2", "p4", "p5", "p6"])
    rels = [Relation(kind=RelationKind.COMPLEMENT, src_id="p2", dst_id=d, explanation="goes with pasta")
            for d in ("p4", "p5", "p6")]
    return MemoryKB({"party": [party, pasta_night]}, rels)


@pytest.fixture
def recommender(products: list[Product], book: FactBook, users: UserService, personas: PersonaCatalog,
                kb: MemoryKB) -> Recommender:
    return Recommender(KeywordSearcher(products), book, users, personas, knowledge=kb)
