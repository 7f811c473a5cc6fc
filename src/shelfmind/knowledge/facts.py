"""Catalog facts of a product and the rule checks that keep knowledge assertions honest.

`product_facts(p)` renders what the catalog says about a product (name, ingredients, nutrition,
approved attributes): it is the evidence stored with an assertion and the only thing the judge may
rely on. `check_claims(text, p)` finds dietary / nutrition claims in an explanation and says whether
the facts support, contradict or say nothing about each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shelfmind.schemas import Product

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    ["a", "an", "and", "the", "of", "for", "with", "in", "on", "to", "or", "by", "from", "your", "you", "as", "at", "is", "are", "be", "it", "its", "this", "that", "these", "those", "some", "any", "good", "great", "best", "more", "most", "other", "such", "into", "very", "like", "can", "help", "helps", "make", "makes", "food", "foods", "product", "products", "item", "items", "kind", "type", "types"]
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens with a light plural strip (matches search.simple)."""
    out = []
    for t in _TOKEN.findall(text.lower()):
        if len(t) > 3 and t.endswith("ies"):
            t = t[:-3] + "y"
        elif len(t) > 3 and t.endswith("es") and t[-3] in "sxh":
            t = t[:-2]
        elif len(t) > 3 and t.endswith("s") and not t.endswith("ss"):
            t = t[:-1]
        out.append(t)
    return out


def content_tokens(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS and not t.isdigit()]


def normalise(text: str) -> str:
    """The key an intent / query is stored under."""
    return " ".join(tokens(text))


_NUTRITION = ("fat", "saturated_fat", "carbohydrate", "sugar", "fiber", "protein", "salt", "alcohol")


def nutrition(p: Product) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in _NUTRITION:
        value = p.get(f"nutrition_{key}", p.get(key))
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = float(value)
    return out


def ingredients(p: Product) -> str:
    return str(p.get("ingredients") or "")


def product_facts(p: Product, *, max_chars: int = 420) -> str:
    parts = [f"name: {p.name}"]
    ing = ingredients(p)
    if ing:
        parts.append(f"ingredients: {ing[:240]}")
    nut = nutrition(p)
    if nut:
        parts.append("per 100 g: " + ", ".join(f"{k.replace('_', ' ')} {v:g} g" for k, v in nut.items()))
    for key, value in sorted(p.attributes.items()):
        if value not in (None, "", [], {}):
            parts.append(f"{key}: {value}")
    if p.price is not None:
        parts.append(f"price: {p.price:.2f}")
    return "; ".join(parts)[:max_chars]


def haystack(p: Product) -> str:
    attrs = " ".join(f"{k} {v}" for k, v in p.attributes.items())
    return f"{p.name} {ingredients(p)} {attrs}".lower()


class ClaimVerdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    verdict: ClaimVerdict


_GLUTEN = re.compile(r"\b(wheat|barley|rye|semolina|spelt|malt|durum|couscous|farro)\b")
_ANIMAL = re.compile(
    r"\b(milk|egg|eggs|honey|gelatin|whey|casein|butter|cheese|cream|beef|pork|chicken|turkey|fish|"
    r"anchov\w*|shrimp|salmon|tuna|lard|bacon|yogurt|ham)\b"
)
_DAIRY = re.compile(r"\b(milk|cheese|butter|whey|cream|yogurt|casein|lactose)\b")
_NUTS = re.compile(r"\b(peanut\w*|almond\w*|cashew\w*|walnut\w*|pecan\w*|hazelnut\w*|pistachio\w*)\b")
_CAFFEINE = re.compile(r"\b(coffee|caffeine|espresso|cola|guarana|black tea|green tea|mate)\b")


def _flag(text: str, *phrases: str) -> bool:
    return any(ph in text for ph in phrases)


def _dietary(
    phrases: tuple[str, ...], contra: re.Pattern[str] | None
) -> Callable[[Product, str, dict[str, float]], ClaimVerdict]:
    def check(p: Product, hay: str, nut: dict[str, float]) -> ClaimVerdict:
        if _flag(hay, *phrases):
            return ClaimVerdict.SUPPORTED
        if contra is not None and contra.search(ingredients(p).lower() + " " + p.name.lower()):
            return ClaimVerdict.CONTRADICTED
        return ClaimVerdict.UNSUPPORTED

    return check


def _nutrient(key: str, *, low: float | None = None, high: float | None = None) -> Callable[..., ClaimVerdict]:
    def check(p: Product, hay: str, nut: dict[str, float]) -> ClaimVerdict:
        value = nut.get(key)
        if value is None:
            return ClaimVerdict.UNSUPPORTED
        if low is not None:  # a "low X" / "X free" claim
            return ClaimVerdict.SUPPORTED if value <= low else ClaimVerdict.CONTRADICTED
        assert high is not None  # a "high X" claim
        if value >= high:
            return ClaimVerdict.SUPPORTED
        return ClaimVerdict.CONTRADICTED if value < high / 2 else ClaimVerdict.UNSUPPORTED

    return check


def _organic(p: Product, hay: str, nut: dict[str, float]) -> ClaimVerdict:
    return ClaimVerdict.SUPPORTED if "organic" in hay else ClaimVerdict.UNSUPPORTED


def _caffeine_free(p: Product, hay: str, nut: dict[str, float]) -> ClaimVerdict:
    if _flag(hay, "decaf", "caffeine free", "caffeine-free", "herbal"):
        return ClaimVerdict.SUPPORTED
    return ClaimVerdict.CONTRADICTED if _CAFFEINE.search(hay) else ClaimVerdict.UNSUPPORTED


def _sugar_free(p: Product, hay: str, nut: dict[str, float]) -> ClaimVerdict:
    if _flag(hay, "sugar free", "sugar-free", "no sugar"):
        return ClaimVerdict.SUPPORTED
    if re.search(r"\b(sugar|syrup|dextrose|fructose|honey)\b", ingredients(p).lower()):
        return ClaimVerdict.CONTRADICTED
    return _nutrient("sugar", low=0.5)(p, hay, nut)


# claim pattern (searched in the explanation) -> check against the product
CLAIMS: list[tuple[str, re.Pattern[str], Callable[[Product, str, dict[str, float]], ClaimVerdict]]] = [
    ("gluten free", re.compile(r"gluten[- ]?free|without gluten|no gluten"),
     _dietary(("gluten free", "gluten-free"), _GLUTEN)),
    ("vegan", re.compile(r"\bvegan\b|plant[- ]based"), _dietary(("vegan", "plant-based", "plant based"), _ANIMAL)),
    ("dairy free", re.compile(r"dairy[- ]?free|lactose[- ]?free|non[- ]dairy"),
     _dietary(("dairy free", "dairy-free", "non-dairy", "lactose free"), _DAIRY)),
    ("nut free", re.compile(r"nut[- ]?free|peanut[- ]?free"), _dietary(("nut free", "nut-free"), _NUTS)),
    ("organic", re.compile(r"\borganic\b"), _organic),
    ("caffeine free", re.compile(r"caffeine[- ]?free|decaf|no caffeine|without caffeine"), _caffeine_free),
    ("sugar free", re.compile(r"sugar[- ]?free|no (added )?sugar|without sugar|unsweetened"), _sugar_free),
    ("low sugar", re.compile(r"low[- ]sugar|less sugar"), _nutrient("sugar", low=5.0)),
    ("low fat", re.compile(r"low[- ]fat|fat[- ]free|lean\b|nonfat|non-fat"), _nutrient("fat", low=3.0)),
    ("low salt", re.compile(r"low[- ](salt|sodium)"), _nutrient("salt", low=0.3)),
    ("high protein", re.compile(r"(high|rich)[- ]in[- ]protein|high[- ]protein|protein[- ]rich|packed with protein"),
     _nutrient("protein", high=10.0)),
    ("high fiber", re.compile(r"(high|rich)[- ]in[- ]fib(er|re)|high[- ]fib(er|re)|fib(er|re)[- ]rich"),
     _nutrient("fiber", high=6.0)),
]


def check_claims(text: str, p: Product) -> list[ClaimCheck]:
    """Dietary and nutrition claims made in `text` about `p`, each with its verdict."""
    low = text.lower()
    hay = haystack(p)
    nut = nutrition(p)
    out = []
    for name, pattern, check in CLAIMS:
        if pattern.search(low):
            out.append(ClaimCheck(claim=name, verdict=check(p, hay, nut)))
    return out


def head_noun(name: str) -> str | None:
    """The head noun of a product name's main part: "chip" for "Kettle Style Potato Chips, Sea Salt",
    "muffin" for "Double Chocolate Muffins Topped With Chocolate Chips"."""
    main = re.split(r",| with | topped | for | in | on | and ", f" {name.lower()} ")[0]
    words = content_tokens(main)
    return words[-1] if words else None


def type_overlap(product_type: str, p: Product) -> float:
    """How well a proposed product type matches a product: the share of its content words in the
    product name, words found only in the ingredients counting half."""
    wanted = set(content_tokens(product_type))
    if not wanted:
        return 0.0
    name = set(tokens(p.name))
    ing = set(tokens(ingredients(p)[:300]))
    return sum(1.0 if w in name else 0.5 if w in ing else 0.0 for w in wanted) / len(wanted)


def jsonable_facts(p: Product) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "facts": product_facts(p)}
