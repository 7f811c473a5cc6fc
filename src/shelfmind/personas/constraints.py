"""Hard constraints: deterministic checks over catalog facts. Never an LLM decision.

A constraint is a closed kind plus, for allergens, a closed allergen value. `violation(product)`
returns the reason a product is excluded, or None. The checks are conservative: any doubt excludes
(an ingredient list that is cut off cannot prove an allergen is absent, so a product without any
ingredient list is excluded for allergen constraints).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from shelfmind.personas.facts import (
    ANIMAL_PRODUCT_WORDS,
    MEAT_FISH_WORDS,
    _norm,
    alcohol_reason,
    animal_reason,
    has_word,
)
from shelfmind.schemas import Product

_FISH_WORDS = {"fish", "salmon", "tuna", "shrimp", "crab", "lobster", "cod", "sardine", "sardines", "anchovy",
               "anchovies", "oyster", "clam", "mussels", "shellfish"}
MEAT_WORDS = tuple(w for w in MEAT_FISH_WORDS if w not in _FISH_WORDS)


class ConstraintKind(StrEnum):
    NO_ALCOHOL = "no_alcohol"
    VEGAN = "vegan"
    VEGETARIAN = "vegetarian"
    PESCATARIAN = "pescatarian"
    ALLERGEN = "allergen"


class Allergen(StrEnum):
    PEANUT = "peanut"
    TREE_NUT = "tree_nut"
    MILK = "milk"
    EGG = "egg"
    WHEAT_GLUTEN = "gluten"
    SOY = "soy"
    FISH = "fish"
    SHELLFISH = "shellfish"
    SESAME = "sesame"


# allergen -> ingredient/name words that indicate it (whole words in normalised text)
ALLERGEN_WORDS: dict[Allergen, tuple[str, ...]] = {
    Allergen.PEANUT: ("peanut", "peanuts", "groundnut", "groundnuts", "arachis"),
    Allergen.TREE_NUT: ("almond", "almonds", "walnut", "walnuts", "cashew", "cashews", "pecan", "pecans",
                        "hazelnut", "hazelnuts", "pistachio", "pistachios", "macadamia", "brazil nut", "nut",
                        "nuts", "praline", "marzipan", "filbert", "filberts"),
    Allergen.MILK: ("milk", "cream", "cheese", "butter", "whey", "casein", "caseinate", "lactose", "yogurt",
                    "ghee", "buttermilk", "dairy", "kefir", "curd", "curds", "milkfat"),
    Allergen.EGG: ("egg", "eggs", "albumen", "albumin", "mayonnaise", "meringue", "ovalbumin"),
    Allergen.WHEAT_GLUTEN: ("wheat", "gluten", "barley", "rye", "malt", "spelt", "semolina", "durum", "flour",
                            "couscous", "seitan", "bulgur", "farro", "triticale"),
    Allergen.SOY: ("soy", "soya", "soybean", "soybeans", "tofu", "edamame", "tempeh", "miso", "lecithin"),
    Allergen.FISH: ("fish", "salmon", "tuna", "cod", "anchovy", "anchovies", "sardine", "sardines", "tilapia",
                    "pollock", "haddock", "trout", "mackerel", "herring"),
    Allergen.SHELLFISH: ("shrimp", "crab", "lobster", "prawn", "prawns", "shellfish", "clam", "clams", "oyster",
                         "oysters", "mussel", "mussels", "scallop", "scallops", "crawfish"),
    Allergen.SESAME: ("sesame", "tahini", "benne"),
}
# phrases that contain an allergen word but do not contain the allergen
_ALLERGEN_SAFE: dict[Allergen, tuple[str, ...]] = {
    Allergen.MILK: ("coconut milk", "almond milk", "oat milk", "soy milk", "rice milk", "cocoa butter",
                    "peanut butter", "almond butter", "nut butter", "shea butter", "coconut cream",
                    "cream of tartar", "dairy free", "milk free", "non dairy", "nondairy", "apple butter"),
    Allergen.TREE_NUT: ("nutmeg", "coconut", "butternut", "doughnut", "donut", "nut free", "peanut", "peanuts"),
    Allergen.WHEAT_GLUTEN: ("gluten free", "buckwheat"),
    Allergen.EGG: ("eggplant", "egg free"),
    Allergen.PEANUT: ("peanut free",),
}


class Constraint(BaseModel, frozen=True):
    kind: ConstraintKind
    allergen: Allergen | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.allergen.value}" if self.allergen else self.kind.value

    @property
    def label(self) -> str:
        match self.kind:
            case ConstraintKind.NO_ALCOHOL:
                return "no alcohol"
            case ConstraintKind.VEGAN:
                return "vegan (no meat, fish, dairy, egg or honey)"
            case ConstraintKind.VEGETARIAN:
                return "vegetarian (no meat or fish)"
            case ConstraintKind.PESCATARIAN:
                return "pescatarian (no meat; fish is fine)"
            case ConstraintKind.ALLERGEN:
                return f"no {self.allergen.value.replace('_', ' ') if self.allergen else 'allergen'}"

    @classmethod
    def parse(cls, key: str) -> Constraint:
        kind, _, allergen = key.partition(":")
        return cls(kind=ConstraintKind(kind), allergen=Allergen(allergen) if allergen else None)

    def violation(self, p: Product) -> str | None:
        """Why `p` breaks this constraint, or None if it is allowed."""
        match self.kind:
            case ConstraintKind.NO_ALCOHOL:
                return alcohol_reason(p)
            case ConstraintKind.VEGETARIAN:
                return animal_reason(p, words=MEAT_FISH_WORDS) or _no_ingredients(p)
            case ConstraintKind.PESCATARIAN:
                return animal_reason(p, words=MEAT_WORDS) or _no_ingredients(p)
            case ConstraintKind.VEGAN:
                return animal_reason(p, words=MEAT_FISH_WORDS + ANIMAL_PRODUCT_WORDS) or _no_ingredients(p)
            case ConstraintKind.ALLERGEN:
                return allergen_reason(p, self.allergen) if self.allergen else None
        return None


def _no_ingredients(p: Product) -> str | None:
    return None if str(p.get("ingredients") or "").strip() else "no ingredient list to rule it out"


def allergen_reason(p: Product, allergen: Allergen) -> str | None:
    listed = p.get("allergens")
    if isinstance(listed, list) and any(allergen.value in str(a).lower() for a in listed):
        return f"{allergen.value} listed in the allergens"
    ingredients = str(p.get("ingredients") or "")
    for label, raw in (("name", p.name), ("ingredients", ingredients)):
        text = _norm(raw)
        for safe in _ALLERGEN_SAFE.get(allergen, ()):
            text = text.replace(f" {safe} ", " ")
        w = has_word(text, ALLERGEN_WORDS[allergen])
        if w:
            return f"'{w}' in the {label}"
    return _no_ingredients(p)


def first_violation(p: Product, constraints: list[Constraint]) -> tuple[Constraint, str] | None:
    for c in constraints:
        reason = c.violation(p)
        if reason:
            return c, reason
    return None
