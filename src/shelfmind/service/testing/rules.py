"""Keyword rules the service's test doubles use: product categories, statement parsing, persona
boosts. Deliberately simple and deterministic; the real components use the knowledge base and LLMs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shelfmind.schemas import Product

CATEGORIES: list[tuple[str, str, tuple[str, ...]]] = [
    # (theme name, explanation, keywords in the product name)
    ("Pasta & grains", "The base of a quick dinner", ("pasta", "spaghetti", "penne", "macaroni", "noodle", "rice",
                                                      "quinoa", "couscous", "linguine", "fettuccine", "lasagna")),
    ("Sauces & seasonings", "Finish the dish", ("sauce", "pesto", "salsa", "ketchup", "mustard", "dressing",
                                                 "marinara", "seasoning", "vinegar", "oil", "spice")),
    ("Cheese & dairy", "From the dairy aisle", ("cheese", "parmesan", "mozzarella", "cheddar", "milk", "yogurt",
                                                "butter", "cream")),
    ("Meat & fish", "Protein for the main course", ("chicken", "beef", "pork", "sausage", "bacon", "turkey", "ham",
                                                    "salmon", "tuna", "shrimp", "steak")),
    ("Snacks & sweets", "For in between", ("chips", "chip", "cookie", "cookies", "chocolate", "candy", "cracker",
                                           "crackers", "popcorn", "pretzel", "bar", "bars")),
    ("Drinks", "Something to sip", ("juice", "tea", "coffee", "soda", "water", "smoothie", "drink", "wine", "beer",
                                    "lemonade")),
    ("Bakery & breakfast", "Start the day", ("bread", "cereal", "granola", "oat", "oatmeal", "bagel", "bagels",
                                             "muffin", "pancake", "jam")),
]
OTHER = ("More to explore", "Also matching your search")
_WORD = re.compile(r"[a-z]+")


def category(product: Product) -> tuple[str, str]:
    words = set(_WORD.findall(product.name.lower()))
    for name, why, keys in CATEGORIES:
        if words.intersection(keys):
            return name, why
    return OTHER


def haystack(product: Product) -> str:
    return f"{product.name} {product.fields.get('ingredients') or ''}".lower()


@dataclass(frozen=True)
class Rule:
    label: str
    pattern: re.Pattern[str]
    exclude: tuple[str, ...] = ()  # a hard constraint: ingredient words that rule a product out
    prefer: str | None = None  # a soft preference: a boost name (see boost())


_MEAT = ("chicken", "beef", "pork", "bacon", "ham", "turkey", "sausage", "gelatin", "salmon", "tuna", "shrimp", "fish")
_DAIRY = ("milk", "cheese", "butter", "cream", "whey", "yogurt", "casein", "lactose")
STATEMENT_RULES = [
    Rule("vegan", re.compile(r"\bvegan\b"), exclude=(*_MEAT, *_DAIRY, "egg", "honey")),
    Rule("vegetarian", re.compile(r"\bvegetarian\b|\bno meat\b|\bdon'?t eat meat\b"), exclude=_MEAT),
    Rule("dairy-free", re.compile(r"lactose|dairy"), exclude=_DAIRY),
    Rule("gluten-free", re.compile(r"gluten|coeliac|celiac"), exclude=("wheat", "barley", "rye", "semolina")),
    Rule("no nuts", re.compile(r"\bnuts?\b|peanut|almond"), exclude=("peanut", "almond", "cashew", "walnut", "hazelnut",
                                                                   "pecan", "pistachio")),
    Rule("organic", re.compile(r"organic"), prefer="organic"),
    Rule("budget", re.compile(r"budget|cheap|save money|student|afford"), prefer="cheap"),
    Rule("low sugar", re.compile(r"sugar|diabet|healthy|diet"), prefer="low_sugar"),
    Rule("sweet tooth", re.compile(r"sweet tooth|love (chocolate|sweets|candy)"), prefer="sweet"),
]


@dataclass
class Parsed:
    constraints: list[str] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    preferences: list[str] = field(default_factory=list)


def parse_statement(text: str) -> Parsed:
    low = text.lower()
    out = Parsed()
    for rule in STATEMENT_RULES:
        if rule.pattern.search(low):
            if rule.exclude:
                out.constraints.append(rule.label)
                out.excluded.update(rule.exclude)
            if rule.prefer:
                out.preferences.append(rule.prefer)
    return out


def violates(product: Product, excluded: set[str]) -> str | None:
    words = set(_WORD.findall(haystack(product)))
    hit = sorted(words & excluded)
    return hit[0] if hit else None


PERSONA_BOOSTS: dict[str, str] = {
    "Health-conscious": "low_sugar",
    "Organic lover": "organic",
    "Budget shopper": "cheap",
    "Sweet tooth": "sweet",
}
REASONS = {
    "organic": "organic",
    "cheap": "good value",
    "low_sugar": "low in sugar",
    "sweet": "a sweet treat",
}


def boost(product: Product, kind: str) -> float:
    """0..1: how well the product fits a preference."""
    sugar = product.fields.get("nutrition_sugar")
    match kind:
        case "organic":
            return 1.0 if "organic" in haystack(product) else 0.0
        case "cheap":
            return max(0.0, 1.0 - (product.price or 10.0) / 10.0)
        case "low_sugar":
            ok = product.fields.get("is_healthy") is True
            return (0.5 if ok else 0.0) + (0.5 if isinstance(sugar, int | float) and sugar < 5 else 0.0)
        case "sweet":
            return min(1.0, float(sugar) / 40.0) if isinstance(sugar, int | float) else 0.0
    return 0.0
