"""User statements -> profile effects (hard constraints, soft preferences, persona hints).

Two layers:
1. deterministic rules for everything safety-critical (pregnancy, diets, allergens, alcohol): they
   alone can *relax* a constraint ("I'm no longer vegan"), so a model misreading never lifts one;
2. the LLM (schema-constrained, closed enums) may only *add*: constraints (stricter is safe),
   preferences and persona hints. Statement text is data inside a delimited block; instructions in
   it ("ignore your rules") are never obeyed - there is no output field they could change.

Every effect has a `slot`; a later statement that sets the same slot wins (see profile.resolve).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field

from shelfmind.errors import NotFound, ProviderError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.structured import complete
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.constraints import Allergen, Constraint, ConstraintKind


class EffectKind(StrEnum):
    CONSTRAINT = "constraint"  # hard filter: value is a Constraint key
    PREFERENCE = "preference"  # soft: value "+" or "-" on a fact (slot "pref:<fact>") or a price tier
    PERSONA = "persona"  # persona hint: value is a persona id
    CLEAR = "clear"  # lifts whatever the slot held


class Effect(BaseModel):
    slot: str
    kind: EffectKind
    value: str
    source: Literal["rule", "llm"] = "rule"

    def describe(self) -> str:
        match self.kind:
            case EffectKind.CONSTRAINT:
                return f"constraint: {Constraint.parse(self.value).label}"
            case EffectKind.PREFERENCE:
                return f"preference: {self.slot.removeprefix('pref:')} {self.value}"
            case EffectKind.PERSONA:
                return f"persona hint: {self.value}"
            case EffectKind.CLEAR:
                return f"clears {self.slot}"
        return self.slot


class ParsedStatement(BaseModel):
    effects: list[Effect] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    trace: dict[str, Any] | None = None


# ---- deterministic rules ------------------------------------------------------------------------
_NEG = r"(no longer|not|n't|never|stopped|quit|anymore|no more|isn't|aren't|ended)"
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,30}\b(rules?|instructions?|constraints?|filters?|prompt)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bact as\b",
    re.I,
)
_PREGNANT = re.compile(r"\b(pregnan\w*|expecting (a|our|my) (baby|child|first|second)|breast ?feeding|nursing)\b")
_BIRTH = re.compile(r"\b(gave birth|baby (is|was) born|had (the|our|my) baby|after the birth)\b")
_NO_ALCOHOL = re.compile(
    r"\b(no alcohol|alcohol[- ]free|avoid(ing)? alcohol|don'?t drink|do not drink|sober|teetotal\w*|"
    r"no (beer|wine|liquor|spirits|booze))\b"
)
_VEGAN = re.compile(r"\b(vegan|plant[- ]based diet|no animal products)\b")
_VEGETARIAN = re.compile(r"\b(vegetarian|veggie diet|no meat|don'?t eat meat|do not eat meat)\b")
_EAT_MEAT = re.compile(r"\b(eat(ing)? (meat|chicken) (again|now)|back to (eating )?meat)\b")
_PESCATARIAN = re.compile(r"\b(pescatarian|pescetarian|eat(ing)? fish (again|now|but no meat))\b")
_ALLERGEN_TERMS: dict[Allergen, str] = {
    Allergen.PEANUT: r"peanuts?|groundnuts?|nuts?",
    Allergen.TREE_NUT: r"tree ?nuts?|nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?",
    Allergen.MILK: r"milk|dairy|lactose|cheese",
    Allergen.EGG: r"eggs?",
    Allergen.WHEAT_GLUTEN: r"gluten|wheat|celiac|coeliac",
    Allergen.SOY: r"soy|soya",
    Allergen.FISH: r"fish",
    Allergen.SHELLFISH: r"shellfish|shrimps?|prawns?|crabs?|lobsters?",
    Allergen.SESAME: r"sesame|tahini",
}
_AVOID = re.compile(
    r"\b(no|allerg\w*|avoid\w*|can'?t (have|eat)|cannot (have|eat)|without|intoleran\w*|sensitiv\w*|free|"
    r"celiac|coeliac|never|keep away|none)\b"
)
_CLEAR_ALLERGY = re.compile(r"\b(can (now )?(have|eat)|no longer allergic|outgrew|is fine|are fine|is ok|are ok)\b")
_PRICE_LOW = re.compile(r"\b(cheap\w*|budget|save money|saving money|lower prices?|inexpensive|affordable|bargains?|"
                        r"discounts?|deals?|tight on money)\b")
_PRICE_HIGH = re.compile(r"\b(premium|gourmet|best quality|high[- ]end|luxury|price is no (object|issue)|splurge|"
                         r"top quality|finest)\b")
_PREFS: list[tuple[str, str, str]] = [  # regex, fact, sign
    (r"\borganic\b", "organic", "+"),
    (r"\b(low|less|no|reduced) sugar\b|\bsugar[- ]free\b|\bcutting sugar\b", "high_sugar", "-"),
    (r"\b(low|less|no|reduced) sugar\b|\bsugar[- ]free\b", "low_sugar", "+"),
    (r"\b(high|more) protein\b|\bprotein\b", "high_protein", "+"),
    (r"\bwhole ?grains?\b|\bfib(er|re)\b", "whole_grain", "+"),
    (r"\b(quick|fast|easy) (meals?|dinners?|food)\b|\bno time\b", "convenience", "+"),
    (r"\bsnacks?\b", "cat:snacks", "+"),
]
_PERSONA_HINTS: list[tuple[str, str]] = [  # regex, persona id
    (r"\b(kids?|children|child|son|daughter|toddlers?|baby|babies|twins)\b", "young_kids_parent"),
    (r"\bbak(e|ing|er)\b", "baker"),
    (r"\b(party|parties|guests|game night|get-together|super ?bowl|bbq|barbecue)\b", "party_host"),
    (r"\b(coffee|tea|espresso)\b", "coffee_tea_lover"),
    (r"\b(healthy|health|fitness|diet|low sugar|whole ?grain)\b", "health_enthusiast"),
    (r"\b(busy|no time|quick meals?)\b", "busy_parent"),
    (r"\bcook(ing)? from scratch\b|\bi (love to )?cook\b", "home_cook"),
    (r"\bsnacks?\b", "snack_lover"),
    (r"\bbreakfast\b", "breakfast_lover"),
    (r"\b(cheap\w*|budget|bargains?|save money)\b", "bargain_hunter"),
    (r"\b(premium|gourmet|luxury)\b", "luxury_lover"),
]


_EXCLUSIVE = {"bargain_hunter": "persona:price", "luxury_lover": "persona:price"}


def persona_slot(persona: str) -> str:
    """Mutually exclusive personas share a slot, so a later statement replaces the earlier one."""
    return _EXCLUSIVE.get(persona, f"persona:{persona}")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[.;!?\n]|,| but | and | although ", text) if c.strip()]


def parse_rules(text: str) -> ParsedStatement:
    low = " ".join(text.lower().replace("’", "'").split())
    out = ParsedStatement()
    effects: dict[str, Effect] = {}

    def put(slot: str, kind: EffectKind, value: str) -> None:
        effects[slot] = Effect(slot=slot, kind=kind, value=value)

    if _INSTRUCTION.search(low):
        out.notes.append("the statement contains instructions; they are stored as data and not followed")
    for clause in _clauses(low):
        if _BIRTH.search(clause):
            put("pregnancy", EffectKind.CLEAR, "")
        elif _PREGNANT.search(clause):
            if re.search(rf"{_NEG}\W+(\w+\W+){{0,2}}(pregnan|expecting|breast|nursing)|"
                         r"(pregnan\w*|expecting|breast ?feeding|nursing)\W+(\w+\W+){0,2}(anymore|no more)", clause):
                put("pregnancy", EffectKind.CLEAR, "")
            else:
                put("pregnancy", EffectKind.CONSTRAINT, ConstraintKind.NO_ALCOHOL.value)
        if _NO_ALCOHOL.search(clause):
            put("alcohol", EffectKind.CONSTRAINT, ConstraintKind.NO_ALCOHOL.value)
        if _EAT_MEAT.search(clause):
            put("diet", EffectKind.CLEAR, "")
        elif _PESCATARIAN.search(clause):
            put("diet", EffectKind.CONSTRAINT, ConstraintKind.PESCATARIAN.value)
        elif _VEGAN.search(clause):
            neg_vegan = re.search(rf"{_NEG}.{{0,20}}vegan|vegan.{{0,12}}\b(anymore|no more)\b", clause)
            put("diet", *(EffectKind.CLEAR, "") if neg_vegan else (EffectKind.CONSTRAINT, ConstraintKind.VEGAN.value))
        elif _VEGETARIAN.search(clause):
            neg_veg = re.search(rf"{_NEG}.{{0,20}}vegetarian|vegetarian.{{0,12}}\b(anymore|no more)\b", clause)
            put("diet", *(EffectKind.CLEAR, "") if neg_veg else (EffectKind.CONSTRAINT,
                                                                   ConstraintKind.VEGETARIAN.value))
        for allergen, terms in _ALLERGEN_TERMS.items():
            m = re.search(rf"\b({terms})\b", clause)
            if not m:
                continue
            if allergen == Allergen.TREE_NUT and re.search(r"\bpeanuts?\b", clause) and not re.search(
                r"\b(tree ?nuts?|almonds?|walnuts?|cashews?|pecans?|hazelnuts?|pistachios?)\b|\bnuts\b", clause
            ):
                continue  # "no peanuts" is not a tree-nut statement
            if allergen == Allergen.PEANUT and m.group(1).startswith("nut") and re.search(r"tree ?nuts?", clause):
                continue  # "tree nuts" only
            slot = f"allergen:{allergen.value}"
            if _CLEAR_ALLERGY.search(clause):
                put(slot, EffectKind.CLEAR, "")
            elif _AVOID.search(clause) or re.search(r"celiac|coeliac", clause):
                put(slot, EffectKind.CONSTRAINT, Constraint(kind=ConstraintKind.ALLERGEN, allergen=allergen).key)
        if _PRICE_LOW.search(clause) and not re.search(r"\bnot\b.{0,10}cheap", clause):
            put("price", EffectKind.PREFERENCE, "budget")
        elif _PRICE_HIGH.search(clause):
            put("price", EffectKind.PREFERENCE, "premium")
        for pattern, fact, sign in _PREFS:
            if re.search(pattern, clause):
                put(f"pref:{fact}", EffectKind.PREFERENCE, sign)
    for pattern, persona in _PERSONA_HINTS:
        if re.search(pattern, low):
            put(persona_slot(persona), EffectKind.PERSONA, persona)
    out.effects = list(effects.values())
    return out


# ---- LLM layer (adds only) ----------------------------------------------------------------------
class StatementLLMOut(BaseModel):
    diet: Literal["vegan", "vegetarian", "none_stated"] = "none_stated"
    pregnant_or_breastfeeding: bool = False
    avoids_alcohol: bool = False
    allergens: list[Allergen] = Field(default_factory=list, max_length=9)
    price: Literal["budget", "premium", "none_stated"] = "none_stated"
    personas: list[str] = Field(default_factory=list, max_length=3)


def _llm_schema(catalog: PersonaCatalog) -> dict[str, Any]:
    schema = StatementLLMOut.model_json_schema()
    schema["properties"]["personas"] = {"type": "array", "items": {"type": "string", "enum": catalog.ids},
                                        "maxItems": 3}
    return schema


def parse_llm(llm: LLM, text: str, catalog: PersonaCatalog) -> ParsedStatement:
    prompt = load_prompt("persona_statement")
    personas = "\n".join(f"- {p.id}: {p.name}" for p in catalog.personas)
    res = complete(llm, prompt, StatementLLMOut, task="statement", max_tokens=160,
                   json_schema=_llm_schema(catalog), statement=text[:2000], personas=personas)
    v = res.value
    effects: list[Effect] = []
    if v.diet in ("vegan", "vegetarian"):
        effects.append(Effect(slot="diet", kind=EffectKind.CONSTRAINT, value=v.diet, source="llm"))
    if v.pregnant_or_breastfeeding:
        effects.append(Effect(slot="pregnancy", kind=EffectKind.CONSTRAINT, value="no_alcohol", source="llm"))
    if v.avoids_alcohol:
        effects.append(Effect(slot="alcohol", kind=EffectKind.CONSTRAINT, value="no_alcohol", source="llm"))
    for a in v.allergens:
        key = Constraint(kind=ConstraintKind.ALLERGEN, allergen=a).key
        effects.append(Effect(slot=f"allergen:{a.value}", kind=EffectKind.CONSTRAINT, value=key, source="llm"))
    if v.price != "none_stated":
        effects.append(Effect(slot="price", kind=EffectKind.PREFERENCE, value=v.price, source="llm"))
    for pid in v.personas:
        if pid in catalog.ids:
            effects.append(Effect(slot=persona_slot(pid), kind=EffectKind.PERSONA, value=pid, source="llm"))
    return ParsedStatement(effects=effects, trace=res.trace.model_dump())


_STRICTNESS = {"pescatarian": 1, "vegetarian": 2, "vegan": 3}


def merge(rules: ParsedStatement, llm: ParsedStatement | None) -> ParsedStatement:
    """Rules first; the LLM may add effects on slots the rules left empty, and may make a diet
    stricter, never looser. It can never clear a slot."""
    if llm is None:
        return rules
    by_slot = {e.slot: e for e in rules.effects}
    for e in llm.effects:
        have = by_slot.get(e.slot)
        if have is None or (e.slot == "diet" and have.kind == EffectKind.CONSTRAINT and \
                _STRICTNESS.get(e.value, 0) > _STRICTNESS.get(have.value, 0)):
            by_slot[e.slot] = e
    return ParsedStatement(effects=list(by_slot.values()), notes=rules.notes, trace=llm.trace)


def parse_statement(text: str, *, llm: LLM | None, catalog: PersonaCatalog) -> ParsedStatement:
    rules = parse_rules(text)
    if llm is None:
        return rules
    try:
        return merge(rules, parse_llm(llm, text, catalog))
    except (ProviderError, NotFound) as exc:
        rules.notes.append(f"LLM parse unavailable ({exc.code}); rules only")
        return rules
