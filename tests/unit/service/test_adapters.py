"""The service reads the other areas' models through small duck-typed adapters: check them against
the real models (knowledge recipes, personas profiles) so a change there shows up here."""

from __future__ import annotations

from typing import Any

import pytest

from shelfmind.schemas import Product
from shelfmind.service.recipes import call_recipe_api, ingredient_ids, recipe_out
from shelfmind.service.users import UserDirectory, user_out


def test_recipe_from_the_knowledge_model() -> None:
    models = pytest.importorskip("shelfmind.knowledge.models")
    raw = models.Recipe(
        title="Pasta al pomodoro", servings=2, source="cart", suggestions=["basil"],
        lines=[models.RecipeLine(ingredient="spaghetti", quantity="200 g", product_id="p1", from_cart=True),
               models.RecipeLine(ingredient="tomato sauce", product_id="p2"),
               models.RecipeLine(ingredient="salt")],
        steps=["Boil.", "Toss."],
    )
    catalog = {pid: Product(id=pid, name=name, price=2.0) for pid, name in (("p1", "Spaghetti"), ("p2", "Sauce"))}
    assert ingredient_ids(raw) == ["p1", "p2"]
    out = recipe_out(raw, {"p1"}, catalog)
    assert out is not None and out.name == "Pasta al pomodoro" and out.steps == ["Boil.", "Toss."]
    assert [(i.name, i.in_cart) for i in out.ingredients] == [("200 g spaghetti", True), ("tomato sauce", False),
                                                               ("salt", False)]
    assert [m.id for m in out.missing] == ["p2"]
    assert "basil" in out.explanation


def test_recipe_api_gets_ids_or_products() -> None:
    products = [Product(id="a", name="A")]
    assert call_recipe_api(lambda items: items, products, None) == ["a"]
    assert call_recipe_api(lambda products: products, products, None) == products
    assert call_recipe_api(lambda items, user_id=None: (items, user_id), products, "u") == (["a"], "u")


class _PersonasLikeUsers:
    """The shape of personas.service.UserService: a bare listing, int statement ids, effects, and a
    delete keyed by the statement id alone."""

    def __init__(self) -> None:
        from shelfmind.personas.profile import PersonaWeight, Statement, UserProfile
        from shelfmind.personas.statements import Effect, EffectKind

        st = Statement(id=7, user_id="u1", text="we're vegan", created_at="now",
                       effects=[Effect(slot="diet", kind=EffectKind.CONSTRAINT, value="vegan"),
                                Effect(slot="pref:price", kind=EffectKind.PREFERENCE, value="-")])
        self.profiles = {"u1": UserProfile(user_id="u1", display_name="Maya (healthy)", statements=[st],
                                           personas=[PersonaWeight(id="health", name="Health Enthusiast", weight=1.0)])}
        self.deleted: list[Any] = []

    def list_users(self) -> list[dict[str, Any]]:
        return [{"id": "u1", "display_name": "Maya (healthy)", "events": 3, "statements": 1}]

    def profile(self, user_id: str) -> Any:
        if user_id not in self.profiles:
            from shelfmind.errors import NotFound

            raise NotFound(f"no user {user_id!r}")
        return self.profiles[user_id]

    def delete_statement(self, sid: int) -> str:
        self.deleted.append(sid)
        self.profiles["u1"].statements = []
        return "u1"


def test_user_directory_reads_the_personas_shape() -> None:
    pytest.importorskip("shelfmind.personas.profile")
    users = _PersonasLikeUsers()
    directory = UserDirectory(users)
    [summary] = directory.list()
    assert summary.name == "Maya (healthy)" and summary.personas == {"Health Enthusiast": 1.0}
    profile = directory.get("u1")
    [st] = profile.statements
    assert (st.id, st.constraints, st.preferences) == ("7", ["vegan"], ["less price"])
    assert directory.delete_statement("u1", "7").statements == []
    assert users.deleted == [7]
    from shelfmind.errors import NotFound

    with pytest.raises(NotFound):
        directory.delete_statement("u1", "8")
    with pytest.raises(NotFound):
        directory.get("nobody")
    assert user_out({"id": "x", "statements": 3}).statements == []
