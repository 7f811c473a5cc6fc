"""Recipes from an interest ("salmon") or a cart (chicken breast, broccoli, pasta): the LLM writes
the recipe; every ingredient line is linked to a real catalog product by name or flagged
unavailable. Optional co-occurrence stats (What's Cooking, build time) add "often used with"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shelfmind.knowledge.cooccurrence import IngredientStats
from shelfmind.knowledge.facts import content_tokens, normalise, tokens
from shelfmind.knowledge.grounding import Grounder
from shelfmind.knowledge.models import Recipe, RecipeLine, RecipeOut
from shelfmind.knowledge.planner import provenance
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.schemas import Product

_QUALIFIERS = frozenset([
    "fresh", "chopped", "diced", "minced", "sliced", "large", "small", "medium", "ground", "boneless",
    "skinless", "dried", "whole", "organic", "baby", "microwaveable", "premium", "natural", "classic",
    "original", "seasoned", "frozen", "pure", "extra", "grated", "shredded", "gourmet", "select", "style",
])
_MEASURES = frozenset([
    "cup", "tbsp", "tsp", "tablespoon", "teaspoon", "pound", "lb", "oz", "clove", "pinch", "optional", "taste",
])


def _words(text: str) -> set[str]:
    return {t for t in content_tokens(text) if t not in _QUALIFIERS and t not in _MEASURES}


def name_match(ingredient: str, product: Product) -> float:
    """Share of the ingredient's words in the product *name* (ingredients lists do not count)."""
    wanted = _words(ingredient)
    if not wanted:
        return 0.0
    return len(wanted & set(tokens(product.name))) / len(wanted)


def is_the_ingredient(ingredient: str, product: Product) -> bool:
    """Does the product *sell* the ingredient ("salt" is not "Sea Salt Potato Chips")? The head noun
    of the name's main part ("Beef Stew" in "Beef Stew With Rice") must be one of the ingredient's
    words, half of the ingredient's words must be in the name and they must cover a third of it."""
    wanted = _words(ingredient)
    main = re.split(r",| with | for | in | on | and ", product.name.lower())[0]
    name_words = [w for w in content_tokens(main) if w not in _QUALIFIERS]
    if not wanted or not name_words or name_words[-1] not in wanted:
        return False
    shared = wanted & set(name_words)
    cover = len(shared) / len(set(name_words))
    return (name_match(ingredient, product) >= 0.99 and cover >= 0.25) or (len(shared) >= 2 and cover >= 0.34)


class RecipeMaker:
    def __init__(self, llm: LLM, grounder: Grounder, *, stats: IngredientStats | None = None) -> None:
        self.llm = llm
        self.grounder = grounder
        self.stats = stats
        self.prompt = load_prompt("kb_recipe")

    def link(self, ingredient: str, *, cart: Sequence[Product] = ()) -> tuple[Product | None, bool]:
        """(product, from_cart) for one ingredient line, or (None, False) when unavailable."""
        for item in cart:
            if name_match(ingredient, item) >= 0.5 or name_match(item.name, _pseudo(ingredient)) >= 0.99:
                return item, True
        words = " ".join(sorted(_words(ingredient))) or ingredient
        hits = self.grounder.searcher.search(words, k=100)
        found = self.grounder.products.get_many([h.id for h in hits])
        best: tuple[float, int, Product] | None = None
        for rank, h in enumerate(hits):
            p = found.get(h.id)
            if p is None or not p.in_stock:
                continue
            m = name_match(ingredient, p)
            if is_the_ingredient(ingredient, p):
                cand = (m, -len(tokens(p.name)) - rank, p)  # prefer the plainest, best-ranked name
                if best is None or cand[:2] > best[:2]:
                    best = cand
        return (best[2], False) if best else (None, False)

    def from_interest(self, interest: str) -> Recipe:
        return self._make("interest", [interest.strip()])

    def from_cart(self, items: Sequence[str]) -> Recipe:
        """`items` are product ids or names; names are resolved to catalog products when possible."""
        cart = [p for p in (self.grounder.resolve(i) for i in items) if p is not None]
        basis = [p.name for p in cart] or list(items)
        return self._make("cart", basis, cart=cart)

    def _make(self, source: str, basis: Sequence[str], *, cart: Sequence[Product] = ()) -> Recipe:
        out = complete(self.llm, self.prompt, RecipeOut, source=source, basis="\n".join(basis)[:600],
                       max_tokens=600)
        value = out.value
        lines = []
        for ing in value.ingredients:
            product, from_cart = self.link(ing.name, cart=cart)
            lines.append(RecipeLine(ingredient=ing.name, quantity=ing.quantity,
                                    product_id=product.id if product else None,
                                    product_name=product.name if product else None,
                                    available=product is not None, from_cart=from_cart))
        suggestions = self.stats.suggest([x.ingredient for x in lines]) if self.stats else []
        coverage = sum(x.available for x in lines) / len(lines) if lines else 0.0
        return Recipe(title=value.title, servings=value.servings, source=source,  # type: ignore[arg-type]
                      basis=list(basis), lines=lines, steps=value.steps, suggestions=suggestions,
                      coverage=round(coverage, 3), provenance=provenance(out))


def recipe_key(source: str, basis: Sequence[str]) -> str:
    return f"{source}:" + "|".join(sorted(normalise(b) for b in basis))


def _pseudo(name: str) -> Product:
    return Product(id="", name=name)
