"""Is a value supported by the product text? Span / fuzzy match, number + unit match, or an explicit
inference rule. Ungrounded values are flagged and routed to review, never silently kept."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from shelfmind.enrich.normalize import canonical_unit, convert, parse_number
from shelfmind.enrich.schema import AttributeSpec, AttrType, InferenceRule


class GroundStatus(StrEnum):
    EXACT = "exact"  # the value (or a synonym's surface form) occurs in the text
    FUZZY = "fuzzy"  # a close span occurs (>= threshold)
    NUMBER_UNIT = "number_unit"  # the same quantity occurs (unit conversions allowed)
    INFERRED = "inferred"  # an explicit inference rule supports it (cue words, absence)
    ABSENT = "absent"  # no value: nothing to ground
    UNGROUNDED = "ungrounded"

    @property
    def ok(self) -> bool:
        return self != GroundStatus.UNGROUNDED


class Grounding(BaseModel):
    status: GroundStatus
    evidence: str = ""  # the snippet of text that supports it
    score: float = 0.0  # 0..1


_NUMBERS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(\"|''|[a-zA-Z%]+)?")


def _snippet(text: str, start: int, end: int, pad: int = 40) -> str:
    a, b = max(0, start - pad), min(len(text), end + pad)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")


def _find(needle: str, text: str) -> tuple[int, int] | None:
    if not needle:
        return None
    m = re.search(r"(?<![A-Za-z0-9])" + re.escape(needle.lower()) + r"(?![A-Za-z0-9])", text.lower())
    if m:
        return m.start(), m.end()
    i = text.lower().find(needle.lower())
    # inside glued words ("DrivePart", '24"W'): long enough, or ending in a unit mark, to be meaningful
    ok = len(needle) >= 4 or (len(needle) >= 2 and not needle[-1].isalnum())
    return (i, i + len(needle)) if i >= 0 and ok else None


def _surface_forms(spec: AttributeSpec, value: str) -> list[str]:
    forms = [value] + [k for k, v in spec.synonyms.items() if v.lower() == value.lower()]
    return sorted(set(forms), key=len, reverse=True)


def _ground_text(spec: AttributeSpec, value: str, text: str, threshold: float) -> Grounding:
    for form in _surface_forms(spec, value):
        hit = _find(form, text)
        if hit:
            return Grounding(status=GroundStatus.EXACT, evidence=_snippet(text, *hit), score=1.0)
    if len(value) >= 4:
        al = fuzz.partial_ratio_alignment(value.lower(), text.lower(), score_cutoff=threshold)
        if al is not None:
            return Grounding(status=GroundStatus.FUZZY, evidence=_snippet(text, al.dest_start, al.dest_end),
                             score=al.score / 100)
    if spec.inference == InferenceRule.CUE_WORDS:
        syn = {k.lower(): v.lower() for k, v in spec.synonyms.items()}
        v_low = value.lower()
        for cue in spec.cues:
            c_low = cue.lower()
            related = c_low in v_low or v_low in c_low or syn.get(c_low) == v_low or \
                any(k.startswith(c_low) and t == v_low for k, t in syn.items())
            hit = _find(cue, text) if related else None
            if hit:
                return Grounding(status=GroundStatus.INFERRED, evidence=_snippet(text, *hit), score=0.8)
    return Grounding(status=GroundStatus.UNGROUNDED)


def _ground_bool(spec: AttributeSpec, value: bool, text: str) -> Grounding:
    cues = spec.cues or [spec.name.replace("_", " ")]
    hits = [h for c in cues if (h := _find(c, text))]
    if value and hits:
        return Grounding(status=GroundStatus.INFERRED, evidence=_snippet(text, *hits[0]), score=0.9)
    if not value and not hits and spec.inference == InferenceRule.ABSENCE_MEANS_FALSE:
        return Grounding(status=GroundStatus.INFERRED, evidence=f"no mention of {', '.join(cues)}", score=0.7)
    return Grounding(status=GroundStatus.UNGROUNDED)


def _ground_number(spec: AttributeSpec, value: Any, text: str) -> Grounding:
    got = parse_number(value)
    if got is None:
        return Grounding(status=GroundStatus.UNGROUNDED)
    amount, unit = got
    for m in _NUMBERS.finditer(text):
        found = float(m.group(1).replace(",", "."))
        found_unit = canonical_unit(m.group(2))
        candidates = [found]
        if found_unit and unit and found_unit != unit:
            conv = convert(found, found_unit, unit)
            candidates = [conv] if conv is not None else []
        if any(abs(c - amount) <= 0.011 * max(1.0, abs(amount)) for c in candidates):
            return Grounding(status=GroundStatus.NUMBER_UNIT, evidence=_snippet(text, m.start(), m.end()), score=1.0)
    return Grounding(status=GroundStatus.UNGROUNDED)


def ground(spec: AttributeSpec, value: Any, text: str, *, threshold: float = 88.0) -> Grounding:
    """Ground one normalised value. Lists are grounded item by item (see `ground_items`)."""
    if value is None or value == []:
        return Grounding(status=GroundStatus.ABSENT, score=1.0)
    if isinstance(value, str) and ((spec.requires and not re.search(spec.requires, value, re.I))
                                   or (spec.value_pattern and not re.fullmatch(spec.value_pattern, value))):
        return Grounding(status=GroundStatus.UNGROUNDED, evidence="value does not have the attribute's form")
    if spec.type == AttrType.BOOL:
        return _ground_bool(spec, bool(value), text)
    if spec.type == AttrType.NUMBER:
        return _ground_number(spec, value, text)
    if spec.type == AttrType.LIST:
        parts = ground_items(spec, value, text, threshold=threshold)
        bad = [p for p in parts if not p.status.ok]
        if bad:
            return Grounding(status=GroundStatus.UNGROUNDED, score=1 - len(bad) / len(parts))
        return Grounding(status=GroundStatus.INFERRED if any(p.status == GroundStatus.INFERRED for p in parts)
                         else GroundStatus.EXACT, evidence=" | ".join(p.evidence for p in parts)[:300],
                         score=min(p.score for p in parts))
    return _ground_text(spec, str(value), text, threshold)


def ground_items(spec: AttributeSpec, items: list[Any], text: str, *, threshold: float = 88.0) -> list[Grounding]:
    item_spec = spec.model_copy(update={"type": AttrType.ENUM if spec.values else AttrType.STRING})
    return [_ground_text(item_spec, str(i), text, threshold) for i in items]
