"""Product facts: a small, deterministic vocabulary of what a product *is*, read from catalog data.

Personas boost or penalise facts, constraints check them, explanations quote them, the behaviour
signature counts them. Facts come only from catalog fields (name, ingredients, nutrition, price)
and approved enrichment attributes, so everything built on them stays faithful to the catalog.

    book = FactBook.from_products(products)
    book.facts("0000000032858")      # {"cat:pasta_grains", "organic", "budget", ...}
    book.evidence("0000000032858", "organic")   # "'organic' in the name"
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from shelfmind.schemas import Product

_WORD = re.compile(r"[a-z]+")

# category -> name keywords (first match in this order wins; multi-word keywords allowed)
CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("alcohol", ("wine", "beer", "vodka", "whiskey", "whisky", "bourbon", "cider", "ale", "lager", "rum",
                 "gin", "tequila", "liqueur", "brandy", "champagne", "prosecco", "stout", "ipa", "sake")),
    ("baby_kids", ("baby", "infant", "toddler", "kids", "kid", "children", "lunchables", "puffs")),
    ("coffee_tea", ("coffee", "espresso", "tea", "chai", "matcha", "latte", "cappuccino", "creamer")),
    ("breakfast", ("cereal", "granola", "oatmeal", "oats", "oat", "pancake", "pancakes", "waffle", "waffles",
                   "syrup", "bagel", "bagels", "muesli", "flakes", "toaster")),
    ("baking", ("flour", "baking", "yeast", "frosting", "cake", "brownie", "muffin", "cocoa", "sprinkles",
                "vanilla extract", "chocolate chips", "pie crust", "crust", "shortening")),
    ("snacks", ("chips", "chip", "popcorn", "crackers", "cracker", "pretzels", "pretzel", "cookies", "cookie",
                "candy", "chocolate", "gummy", "gummies", "jerky", "snack", "snacks", "bites", "bar", "bars",
                "crisps", "puffs", "licorice", "truffles", "caramel", "nuts", "peanuts", "almonds", "trail mix")),
    ("meat", ("beef", "chicken", "pork", "bacon", "sausage", "ham", "turkey", "steak", "salami", "pepperoni",
              "meatballs", "hot dog", "franks", "prosciutto", "chorizo", "lamb", "brisket", "patties")),
    ("seafood", ("salmon", "tuna", "shrimp", "fish", "cod", "sardines", "crab", "lobster", "tilapia", "anchovies")),
    ("plant_protein", ("tofu", "tempeh", "seitan", "veggie burger", "plant based", "meatless", "lentils", "chickpeas")),
    ("dairy", ("milk", "yogurt", "cheese", "cheddar", "mozzarella", "parmesan", "butter", "cream", "kefir",
               "ricotta", "brie", "feta")),
    ("frozen", ("frozen", "ice cream", "pizza", "gelato", "sorbet", "popsicle")),
    ("bakery", ("bread", "buns", "rolls", "tortilla", "tortillas", "pita", "croissant", "baguette", "brioche")),
    ("pasta_grains", ("pasta", "spaghetti", "macaroni", "noodle", "noodles", "rice", "quinoa", "couscous",
                      "penne", "linguine", "lasagna", "beans", "grain")),
    ("sauces_condiments", ("sauce", "salsa", "ketchup", "mustard", "dressing", "mayonnaise", "mayo", "vinegar",
                           "oil", "seasoning", "spice", "marinade", "dip", "hummus", "relish", "pesto", "salt",
                           "pepper", "rub", "paste")),
    ("spreads", ("peanut butter", "jam", "jelly", "honey", "spread", "preserves", "nutella", "marmalade")),
    ("soups_meals", ("soup", "broth", "stew", "chili", "meal", "dinner", "entree", "bowl", "mac")),
    ("beverages", ("juice", "soda", "water", "drink", "lemonade", "kombucha", "smoothie", "beverage", "cola")),
    ("produce", ("apple", "banana", "berries", "fruit", "vegetable", "vegetables", "salad", "tomatoes", "spinach",
                 "kale", "potato", "potatoes", "onion", "mushrooms", "avocado")),
]

ALCOHOL_WORDS = ("wine", "beer", "vodka", "whiskey", "whisky", "bourbon", "rum", "liquor", "liqueur", "brandy",
                 "tequila", "gin", "sake", "champagne", "prosecco", "lager", "stout", "ale", "alcohol", "cider",
                 "sherry", "marsala", "mirin", "schnapps", "spirits")
# alcohol words that do not mean alcohol in these phrases
_ALCOHOL_SAFE_PHRASES = ("ginger", "root beer", "ginger ale", "gingerale", "apple cider vinegar", "cider vinegar",
                         "ginseng", "rumble", "alcohol free", "non alcoholic", "nonalcoholic", "alcohol-free",
                         "sugar alcohol")
MEAT_FISH_WORDS = ("beef", "chicken", "pork", "bacon", "sausage", "ham", "turkey", "steak", "salami", "pepperoni",
                   "gelatin", "lard", "anchovy", "anchovies", "fish", "salmon", "tuna", "shrimp", "crab", "lobster",
                   "cod", "sardine", "sardines", "meat", "veal", "lamb", "duck", "prosciutto", "chorizo", "tallow",
                   "collagen", "oyster", "clam", "mussels", "shellfish")
ANIMAL_PRODUCT_WORDS = ("milk", "cream", "cheese", "butter", "whey", "casein", "caseinate", "lactose", "yogurt",
                        "egg", "eggs", "honey", "ghee", "buttermilk", "kefir", "carmine", "shellac", "lanolin",
                        "albumen", "dairy")
VEGAN_SAFE_PHRASES = ("peanut butter", "cocoa butter", "shea butter", "almond butter", "cashew butter",
                      "nut butter", "apple butter", "sunflower butter", "coconut milk", "almond milk", "oat milk",
                      "soy milk", "rice milk", "coconut cream", "cream of tartar", "milk free", "dairy free",
                      "non dairy", "nondairy", "eggplant", "butternut", "seed butter", "milk thistle")

PREMIUM_WORDS = ("premium", "gourmet", "artisan", "truffle", "imported", "reserve", "aged", "craft", "luxury",
                 "handcrafted", "small batch", "finest", "select", "wagyu", "extra virgin")
CONVENIENCE_WORDS = ("instant", "microwave", "ready", "frozen", "minute", "cup", "meal", "kit", "heat",
                     "pouch", "lunch", "quick", "easy", "to go", "snack pack", "dinner")
PARTY_WORDS = ("chips", "salsa", "dip", "soda", "beer", "wine", "party", "popcorn", "pretzels", "wings",
               "nachos", "pizza", "guacamole", "queso", "crackers", "cola")
NOVELTY_WORDS = ("kombucha", "cold brew", "nitro", "plant based", "keto", "protein", "energy", "probiotic",
                 "collagen", "matcha", "oat milk", "superfood", "adaptogen", "meatless", "functional")
IMPULSE_WORDS = ("candy", "chocolate", "gummy", "gummies", "cookie", "cookies", "soda", "chips", "limited",
                 "snack", "bar", "ice cream", "donut", "licorice", "caramel", "marshmallow")
KIDS_WORDS = ("kids", "kid", "children", "baby", "toddler", "infant", "fruit snacks", "juice box", "lunchables",
              "macaroni", "animal crackers", "gummy", "mac and cheese", "puffs")
HOME_COOK_CATEGORIES = {"sauces_condiments", "pasta_grains", "meat", "seafood", "produce", "plant_protein", "baking"}


def _norm(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def has_word(text: str, words: Iterable[str]) -> str | None:
    """The first of `words` (single or multi-word) found as whole words in normalised `text`."""
    for w in words:
        if f" {w} " in text:
            return w
    return None


def _strip(text: str, phrases: Iterable[str]) -> str:
    for p in phrases:
        text = text.replace(f" {p} ", " ")
    return text


def _singular(text: str) -> str:
    return " ".join(t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in text.split())


def category_of(name: str) -> str:
    """The product type from its name: the keyword that ends latest wins (the head noun is usually
    last: "Chocolate Chip Cookies" is a snack, "Peanut Butter Cereal" breakfast). Plurals match."""
    text = f" {_singular(_norm(name))} "
    best: tuple[int, str] | None = None
    for cat, words in CATEGORIES:
        for w in words:
            w = _singular(w)
            pos = text.find(f" {w} ")
            if pos >= 0 and (best is None or pos + len(w) > best[0]):
                best = (pos + len(w), cat)
    return best[1] if best else "other"


def _num(p: Product, *keys: str) -> float | None:
    for k in keys:
        v = p.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def alcohol_reason(p: Product) -> str | None:
    """Why a product counts as alcoholic (conservative: any doubt excludes it for a no-alcohol user)."""
    abv = _num(p, "nutrition_alcohol", "alcohol", "abv")
    if abv is not None and abv > 0:
        return f"alcohol {abv:g}% vol in the nutrition facts"
    if p.get("contains_alcohol") is True:
        return "contains alcohol (attribute)"
    return _word_reason(p, ALCOHOL_WORDS, _ALCOHOL_SAFE_PHRASES)


def animal_reason(p: Product, *, words: Iterable[str]) -> str | None:
    return _word_reason(p, words, VEGAN_SAFE_PHRASES)


def _word_reason(p: Product, words: Iterable[str], safe_phrases: Iterable[str]) -> str | None:
    """Which of `words` the name (first) or the ingredients contain, once `safe_phrases` are removed."""
    words = tuple(words)
    for where, text in (("name", p.name), ("ingredients", str(p.get("ingredients") or ""))):
        w = has_word(_strip(_norm(text), safe_phrases), words)
        if w:
            return f"'{w}' in the {where}"
    return None


def _price_tiers(products: Iterable[Product], cats: dict[str, str]) -> dict[str, tuple[float, float]]:
    by_cat: dict[str, list[float]] = defaultdict(list)
    for p in products:
        if p.price is not None:
            by_cat[cats[p.id]].append(p.price)
    out = {}
    for cat, prices in by_cat.items():
        if len(prices) >= 3:
            lo, hi = np.quantile(prices, [1 / 3, 2 / 3])
            out[cat] = (float(lo), float(hi))
    return out


def compute_facts(p: Product, category: str, tiers: dict[str, tuple[float, float]]) -> dict[str, str]:
    """fact -> short evidence text (what in the catalog data supports it)."""
    name = _norm(p.name)
    ingredients = _norm(str(p.get("ingredients") or ""))
    facts: dict[str, str] = {f"cat:{category}": f"a {category.replace('_', ' ')} product"}
    attr_cat = p.attributes.get("category") or p.fields.get("category")
    if isinstance(attr_cat, str) and attr_cat:
        facts[f"catalog_category:{attr_cat.lower()}"] = f"category {attr_cat}"
    if " organic " in name or " organic " in ingredients[:40] or p.get("organic") is True:
        facts["organic"] = "organic (name)"
    sugar, protein, fiber, fat = (_num(p, f"nutrition_{k}", k) for k in ("sugar", "protein", "fiber", "fat"))
    if sugar is not None and sugar <= 5 and category not in {"alcohol"}:
        facts["low_sugar"] = f"{sugar:g} g sugar per 100 g"
    if sugar is not None and sugar >= 20:
        facts["high_sugar"] = f"{sugar:g} g sugar per 100 g"
    if protein is not None and protein >= 15:
        facts["high_protein"] = f"{protein:g} g protein per 100 g"
    if fiber is not None and fiber >= 6:
        facts["high_fiber"] = f"{fiber:g} g fiber per 100 g"
    if fat is not None and fat <= 3 and category not in {"beverages", "coffee_tea", "alcohol"}:
        facts["low_fat"] = f"{fat:g} g fat per 100 g"
    if has_word(name + ingredients[:60], ("whole grain", "whole wheat", "wholegrain", "whole grains")):
        facts["whole_grain"] = "whole grain"
    if has_word(name, ("gluten free",)) or p.get("gluten_free") is True:
        facts["gluten_free_label"] = "labelled gluten free"
    if has_word(name, ("vegan", "plant based")) or p.get("vegan") is True:
        facts["vegan_label"] = "labelled vegan / plant based"
    if not animal_reason(p, words=MEAT_FISH_WORDS + ANIMAL_PRODUCT_WORDS) and ingredients.strip():
        facts["no_animal_ingredients"] = "no animal ingredients listed"
    if animal_reason(p, words=MEAT_FISH_WORDS):
        facts["meat_fish"] = "meat or fish"
    if alcohol_reason(p):
        facts["alcohol"] = alcohol_reason(p) or "alcohol"
    if w := has_word(name, PREMIUM_WORDS):
        facts["premium_words"] = f"'{w}' in the name"
    if w := has_word(name, CONVENIENCE_WORDS):
        facts["convenience"] = f"'{w}' (quick to prepare)"
    if w := has_word(name, PARTY_WORDS):
        facts["party"] = f"'{w}' (party food)"
    if w := has_word(name, NOVELTY_WORDS):
        facts["novel"] = f"'{w}' (newer product type)"
    if w := has_word(name, IMPULSE_WORDS):
        facts["treat"] = f"'{w}' (treat)"
    if (w := has_word(name, KIDS_WORDS)) or category == "baby_kids":
        facts["kids"] = f"'{w or 'kids'}' (for children)"
    if category in HOME_COOK_CATEGORIES and "convenience" not in facts:
        facts["cooking_ingredient"] = "a cooking ingredient"
    if p.get("store_brand") is True:
        facts["budget"] = "store brand"
    if p.get("is_healthy") is True:
        facts["healthy_flag"] = "marked healthy in the catalog"
    if p.price is not None and category in tiers:
        lo, hi = tiers[category]
        if p.price <= lo:
            facts["budget"] = f"${p.price:.2f}, in the lower third of {category.replace('_', ' ')} prices"
        elif p.price >= hi:
            facts["premium_price"] = f"${p.price:.2f}, in the upper third of {category.replace('_', ' ')} prices"
    return facts


@dataclass
class FactBook:
    """Facts for every product of a catalog, computed once (3,000 products: well under a second)."""

    products: dict[str, Product]
    category: dict[str, str] = field(default_factory=dict)
    _facts: dict[str, dict[str, str]] = field(default_factory=dict)
    _catalog: dict[str, float] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> FactBook:
        items = {p.id: p for p in products}
        cats = {pid: category_of(p.name) for pid, p in items.items()}
        tiers = _price_tiers(items.values(), cats)
        book = cls(products=items, category=cats)
        book._facts = {pid: compute_facts(p, cats[pid], tiers) for pid, p in items.items()}
        return book

    def __contains__(self, pid: object) -> bool:
        return pid in self.products

    def facts(self, pid: str) -> dict[str, str]:
        return self._facts.get(pid, {})

    def add(self, products: Iterable[Product]) -> None:
        """Facts for products not seen at construction (price tiers of the existing catalog)."""
        new = [p for p in products if p.id not in self.products]
        if not new:
            return
        tiers = _price_tiers(self.products.values(), self.category)
        self._catalog = None
        for p in new:
            self.products[p.id] = p
            self.category[p.id] = category_of(p.name)
            self._facts[p.id] = compute_facts(p, self.category[p.id], tiers)

    def catalog_profile(self) -> dict[str, float]:
        """The fact shares of the whole catalog (computed once; `add` resets it). Do not mutate."""
        if self._catalog is None:
            self._catalog = self.profile(self.products)
        return self._catalog

    def profile(self, pids: Iterable[str]) -> dict[str, float]:
        """Share of the given purchases that carry each fact (repeats count: they are behaviour)."""
        counts: dict[str, float] = defaultdict(float)
        n = 0
        for pid in pids:
            if pid not in self._facts:
                continue
            n += 1
            for f in self._facts[pid]:
                counts[f] += 1.0
        return {f: c / n for f, c in counts.items()} if n else {}
