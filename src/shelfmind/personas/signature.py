"""Behaviour signatures: the LLM assesses a coarse, canonical signature, never the raw purchase list.

A signature names the (at most `top`) behaviour traits a shopper shows much more than an average
shopper of the catalog, the strongest first: `breakfast|coffee_tea` reads "mainly breakfast foods,
also coffee and tea". A trait is a persona-relevant product fact (personas/facts.py; related facts
grouped: treats = treat or sugary, quick meals = quick / frozen / soups...) and its strength is the
shopper's share of purchases with it over the catalog share, in units of the catalog spread:
(share - base) / max(0.05, sqrt(base (1 - base))); traits below `threshold` are left out.

`SignatureLLMAssessor` renders the signature as text (fixed phrases: no catalog text reaches the
prompt) and scores every persona in one call (personas/choose.py), uncalibrated by default: dividing
by the answer prior of the empty signature cut top-1 recovery from 0.88 to 0.73 (100 simulated users). Its answer is a function of the
signature alone, so `ExactSignatureCache` keys results on the signature exactly: LLM calls = distinct
signatures, users with the same signature get the same personas as an individual assessment would
give them (no false hits by construction), and a user is re-assessed only when the signature changes.
Evidence (`assign.evidence`) still quotes the user's own purchases.

Measured (`python bench/personas_bench.py --llm 40 --signature`, Qwen2.5-Coder-1.5B): 167 distinct
signatures = LLM calls per 1,000 simulated diverse shoppers (103 clustered; 156 per 1,000 Complete
Journey households, 39% of which show no trait and cost no call), top-1 recovery 0.92 (list-input LLM
0.50 on 40 users), 0 of 30 cache hits differing from an individual uncached assessment; one dropped
purchase changes 12% of signatures and 3.4% of top-1 personas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.personas.assign import SignatureCache, catalog_base, history_profile, margin, select
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.choose import AnswerKind, ChoiceLLMAssessor
from shelfmind.personas.facts import FactBook
from shelfmind.personas.store import UserStore

SIGNATURE_VERSION = "1"
# fact -> trait (facts not listed are their own trait)
TRAIT_OF: dict[str, str] = {
    "treat": "treats", "high_sugar": "treats",
    "organic": "healthy", "high_fiber": "healthy", "whole_grain": "healthy",
    "vegan_label": "plant_based", "cat:plant_protein": "plant_based",
    "convenience": "quick_meals", "cat:frozen": "quick_meals", "cat:soups_meals": "quick_meals",
    "kids": "kids", "cat:baby_kids": "kids",
    "cooking_ingredient": "cooking", "cat:sauces_condiments": "cooking",
}
PHRASES: dict[str, str] = {
    "budget": "cheap products and store brands (the lowest price level of their product type)",
    "premium_price": "expensive products (the highest price level of their product type)",
    "premium_words": "products labelled premium, gourmet, artisan or imported",
    "previously_bought": "the same products bought again and again",
    "treats": "treats and sugary products: candy, chocolate, cookies, ice cream, soda",
    "cat:snacks": "snacks: chips, crackers, popcorn, nuts, snack bars",
    "healthy": "organic, whole grain and high fiber foods",
    "low_sugar": "low sugar foods",
    "high_protein": "high protein foods",
    "plant_based": "vegan and plant-based products: tofu, plant protein, meat alternatives",
    "no_animal_ingredients": "products without animal ingredients",
    "novel": "new kinds of products: kombucha, cold brew, plant-based, protein or energy products, keto",
    "quick_meals": "quick meals: microwave, instant, frozen and ready meals, soups",
    "kids": "products for babies and children",
    "cat:breakfast": "breakfast foods: cereal, granola, oatmeal, pancakes, waffles, syrup, bagels",
    "cat:spreads": "spreads: jam, honey, peanut butter",
    "cat:coffee_tea": "coffee and tea",
    "cooking": "cooking ingredients: sauces, spices, oils, pasta, rice, meat, vegetables",
    "cat:baking": "baking supplies: flour, baking mixes, chocolate chips, frosting",
    "cat:dairy": "dairy: milk, cheese, butter, yogurt",
    "party": "party food: chips, dips, salsa, soda, pizza",
    "cat:alcohol": "alcoholic drinks: beer, wine, spirits",
    "cat:beverages": "drinks: juice, soda, water",
}
NOTHING = "nothing stands out: buys like an average shopper"


def phrase(trait: str) -> str:
    return PHRASES.get(trait) or trait.removeprefix("cat:").replace("_", " ") + " products"


@dataclass(frozen=True)
class Signature:
    """The dominant traits, strongest first (`main`), then the others in name order."""

    main: str | None = None
    also: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return "|".join([self.main or "none", *self.also])

    @property
    def empty(self) -> bool:
        return self.main is None

    def text(self) -> str:
        if self.main is None:
            return NOTHING
        lines = [f"mainly: {phrase(self.main)}"] + [f"also: {phrase(t)}" for t in self.also]
        return "\n".join(lines)


class SignatureBuilder:
    """History -> Signature (None: cold start, fewer than `min_known` known purchases)."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog, *, top: int = 2, threshold: float = 0.5,
                 min_known: int = 3) -> None:
        self.book, self.top, self.threshold, self.min_known = book, top, threshold, min_known
        self.facts = sorted({f for p in catalog.personas for f, w in p.boosts.items() if w > 0})
        self._base = catalog_base(book)

    @property
    def id(self) -> str:
        return f"sig{SIGNATURE_VERSION}t{self.top}z{self.threshold}"

    def strengths(self, history: Sequence[str]) -> dict[str, float]:
        """trait -> strength (the strongest of its facts)."""
        prof = history_profile(self.book, history)
        out: dict[str, float] = {}
        for f in self.facts:
            base = self._base.get(f, 0.0)
            z = (prof.get(f, 0.0) - base) / max(0.05, math.sqrt(base * (1 - base)))
            trait = TRAIT_OF.get(f, f)
            out[trait] = max(out.get(trait, -math.inf), z)
        return out

    def __call__(self, history: Sequence[str]) -> Signature | None:
        if sum(pid in self.book for pid in history) < self.min_known:
            return None
        z = self.strengths(history)
        top = sorted((t for t in z if z[t] >= self.threshold), key=lambda t: (-z[t], t))[: self.top]
        return Signature(top[0], tuple(sorted(top[1:]))) if top else Signature()


class SignatureLLMAssessor(ChoiceLLMAssessor):
    """One LLM call per distinct signature scores every persona (`llm-signature`). With `calibrate`, the
    distribution is divided by the one for the empty signature ("nothing stands out"): the answer prior."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog, llm: LLM, *, top: int = 2, threshold: float = 0.5,
                 calibrate: bool = False, floor: float = 0.12, ratio: float = 0.3, answer: AnswerKind = "word") -> None:
        super().__init__(book, catalog, llm, calibrate=calibrate, floor=floor, ratio=ratio, answer=answer)
        self.prompt = load_prompt("persona_signature")
        self.signer = SignatureBuilder(book, catalog, top=top, threshold=threshold)
        self._dists: dict[str, dict[str, float]] = {}

    @property
    def id(self) -> str:
        cal = "calnone" if self.calibrate else "raw"
        return (f"llmsig:{self.llm.model_id}:{self.prompt.id}:{self.answer}:{self.signer.id}:{cal}:"
                f"{self.floor}/{self.ratio}@{self.catalog.fingerprint}")

    def shopper_text(self, history: Sequence[str]) -> str:
        return (self.signer(history) or Signature()).text()

    def signature_distribution(self, sig: Signature) -> dict[str, float]:
        if sig.key not in self._dists:
            self._dists[sig.key] = self.text_distribution("Behaviour profile", sig.text())
        return self._dists[sig.key]

    def distribution(self, history: Sequence[str]) -> dict[str, float]:
        return self.signature_distribution(self.signer(history) or Signature())

    def baseline(self) -> dict[str, float]:
        if self._baseline is None:
            self._baseline = self.signature_distribution(Signature())
        return self._baseline

    def assess_signature(self, sig: Signature) -> tuple[dict[str, float], float]:
        """(weights, margin); an empty signature gets no persona (and costs no call)."""
        if sig.empty:
            return {}, 0.0
        raw = self.calibrated(self.signature_distribution(sig))
        return select(raw, floor=self.floor, ratio=self.ratio), margin(raw, floor=self.floor, ratio=self.ratio)

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        sig = self.signer(history)
        return ({}, 0.0) if sig is None else self.assess_signature(sig)


class ExactSignatureCache(SignatureCache):
    """Results keyed by the exact signature (in memory and in the user store's persona cache).
    `assessments` counts signatures assessed (one LLM call each; empty and cold signatures need none)."""

    def __init__(self, assessor: SignatureLLMAssessor, store: UserStore | None = None) -> None:
        super().__init__(assessor, assessor.book, assessor.catalog, store)
        self.sig_assessor = assessor
        self._exact: dict[str, dict[str, float]] = {}

    @property
    def prefix(self) -> str:
        return f"{self.sig_assessor.id}|exact|"

    def signature(self, history: Sequence[str]) -> str:
        sig = self.sig_assessor.signer(history)
        return "cold" if sig is None else sig.key

    def assess(self, history: Sequence[str]) -> tuple[dict[str, float], str, bool]:
        """(weights, signature key, from_cache)."""
        sig = self.sig_assessor.signer(history)
        if sig is None or sig.empty:
            return {}, "cold" if sig is None else sig.key, False
        if sig.key not in self._exact and self.store is not None:
            stored = self.store.cache_get(self.prefix + sig.key)
            if stored is not None:
                self._exact[sig.key] = stored
        if sig.key in self._exact:
            self.hits += 1
            return dict(self._exact[sig.key]), sig.key, True
        self.assessments += 1
        weights, _ = self.sig_assessor.assess_signature(sig)
        self._exact[sig.key] = dict(weights)
        if self.store is not None:
            self.store.cache_put(self.prefix + sig.key, weights)
        return weights, sig.key, False

    def changed(self, old_signature: str | None, history: Sequence[str]) -> bool:
        """Re-assess exactly when the signature differs (by design a material change of behaviour)."""
        return old_signature is None or old_signature != self.signature(history)
