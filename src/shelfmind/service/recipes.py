"""A recipe for the shopper's cart, from the knowledge module's recipe API (duck-typed).

The runtime may expose `recipes` (an object with `for_cart`/`recipe_for`/`suggest`) or the knowledge
component may carry the method itself. Whatever it returns (a model, a dict, or None) is read into
`RecipeOut`; ingredients matched to catalog products not yet in the cart become `missing` cards.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from shelfmind.schemas import Product
from shelfmind.service.models import ProductCard, RecipeIngredient, RecipeOut
from shelfmind.service.users import attr_of

_METHODS = ("recipe_for_cart", "recipe_from_cart", "for_cart", "recipe_for", "suggest_recipe")


def find_recipe_api(runtime: Any, knowledge: Any | None) -> Any | None:
    for holder in (getattr(runtime, "recipes", None), knowledge):
        if holder is None:
            continue
        for name in _METHODS:
            fn = getattr(holder, name, None)
            if callable(fn):
                return fn
    return None


def call_recipe_api(fn: Any, products: Sequence[Product], user_id: str | None) -> Any:
    params = inspect.signature(fn).parameters
    first = next(iter(params.values()), None)
    wants_products = first is not None and first.name == "products"
    arg: Any = list(products) if wants_products else [p.id for p in products]
    if "user_id" in params:
        return fn(arg, user_id=user_id)
    return fn(arg)


def recipe_out(raw: Any, cart: set[str], catalog: dict[str, Product]) -> RecipeOut | None:
    if raw is None:
        return None
    if isinstance(raw, list | tuple):
        if not raw:
            return None
        raw = raw[0]
    ingredients = []
    missing: list[ProductCard] = []
    for ing in attr_of(raw, "ingredients", "lines", default=[]) or []:
        if isinstance(ing, str):
            ingredients.append(RecipeIngredient(name=ing))
            continue
        pid = attr_of(ing, "product_id", "id")
        pid = str(pid) if pid is not None else None
        p = catalog.get(pid) if pid else None
        name = str(attr_of(ing, "name", "ingredient", default=p.name if p else ""))
        quantity = attr_of(ing, "quantity")
        in_cart = bool(attr_of(ing, "from_cart", default=False)) or (pid in cart if pid else False)
        ingredients.append(RecipeIngredient(name=f"{quantity} {name}" if quantity else name, product_id=pid,
                                            in_cart=in_cart, price=p.price if p else None))
        if p is not None and pid not in cart:
            missing.append(ProductCard(id=p.id, name=p.name, price=p.price, in_stock=p.in_stock,
                                       explanation=f"for the {name}"))
    steps = attr_of(raw, "steps", "instructions", default=[]) or []
    if isinstance(steps, str):
        steps = [s.strip() for s in steps.split("\n") if s.strip()]
    return RecipeOut(
        name=str(attr_of(raw, "name", "title", default="A recipe for your cart")),
        explanation=str(attr_of(raw, "explanation", "why", "description", default="") or "") or _suggested(raw),
        ingredients=ingredients,
        steps=[str(s) for s in steps],
        missing=missing,
    )


def ingredient_ids(raw: Any) -> list[str]:
    """Product ids a raw recipe mentions (so the route can load them in one query)."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else None
    out = []
    for ing in attr_of(raw, "ingredients", "lines", default=[]) or []:
        if not isinstance(ing, str) and (pid := attr_of(ing, "product_id", "id")) is not None:
            out.append(str(pid))
    return out


def _suggested(raw: Any) -> str:
    servings = attr_of(raw, "servings")
    extra = attr_of(raw, "suggestions", default=[]) or []
    parts = [f"Serves {servings}." if servings else "", f"Often made with: {', '.join(extra[:4])}." if extra else ""]
    return " ".join(p for p in parts if p)
