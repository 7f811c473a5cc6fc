"""Store domains for the planning prompts: what kind of store, what an item is, and a worked example.

The prompts are written once (kb_intent_plan, kb_more_themes) and take these as variables, so the same
pipeline plans themes for a supermarket and for a home-improvement store. The texts are ours, never
catalog data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shelfmind.errors import UserError


class DomainName(StrEnum):
    GROCERY = "grocery"
    HOME_IMPROVEMENT = "home_improvement"


@dataclass(frozen=True)
class Domain:
    name: DomainName
    store: str  # "supermarket"
    item_rule: str  # what an item must be
    item_examples: str
    specific_example: str
    example_intent: str
    example: dict[str, object]

    def variables(self) -> dict[str, Any]:
        return {"store": self.store, "item_rule": self.item_rule, "item_examples": self.item_examples,
                "specific_example": self.specific_example, "example_intent": self.example_intent,
                "example": json.dumps(self.example, ensure_ascii=False)}


def _theme(name: str, reason: str, *items: str) -> dict[str, object]:
    return {"name": name, "reason": reason, "items": list(items)}


DOMAINS: dict[DomainName, Domain] = {
    DomainName.GROCERY: Domain(
        name=DomainName.GROCERY,
        store="supermarket",
        item_rule="concrete foods or drinks sold on a supermarket shelf (never non-food items)",
        item_examples='"popcorn", "herbal tea", "tortilla chips"',
        specific_example="mozzarella shredded cheese",
        example_intent="insomnia",
        example={"kind": "broad", "themes": [
            _theme("Calming Drinks", "Warm caffeine-free drinks help you wind down.", "herbal tea", "chamomile tea", "milk"),
            _theme("Light Bedtime Snacks", "A small snack keeps hunger from waking you.", "almonds", "bananas", "oatmeal"),
            _theme("Sweet Soothers", "A little sweetness for a bedtime ritual.", "honey", "cherry juice"),
            _theme("Evening Comfort Foods", "Gentle foods for a calm evening.", "walnuts", "kiwi", "yogurt"),
        ]},
    ),
    DomainName.HOME_IMPROVEMENT: Domain(
        name=DomainName.HOME_IMPROVEMENT,
        store="home improvement store",
        item_rule="concrete products sold in a home improvement store",
        item_examples='"floor tile", "wood screws", "caulk"',
        specific_example="angle bracket",
        example_intent="bathroom remodel",
        example={"kind": "broad", "themes": [
            _theme("Fixtures", "The pieces people replace first in a remodel.", "vanity", "toilet", "shower head"),
            _theme("Walls and Floors", "New surfaces change the look of the room.", "floor tile", "wall paint", "grout"),
            _theme("Lighting and Ventilation", "Good light and airflow for a damp room.", "vanity light", "exhaust fan"),
            _theme("Installation Supplies", "What you need to fit everything.", "caulk", "plumber tape", "wax ring"),
        ]},
    ),
}


def get_domain(name: str | DomainName) -> Domain:
    try:
        return DOMAINS[DomainName(name)]
    except ValueError as exc:
        raise UserError(f"unknown store domain {name!r}", hint=f"choose one of {[d.value for d in DomainName]}") from exc
