"""Precision / recall / F1 counted as in the WDC-PAVE paper (pieutils.evaluation):

    NN  gold n/a,  no prediction          (true negative, not counted)
    NV  gold n/a,  a prediction           false positive
    VN  gold value, no prediction         false negative
    VC  gold value, prediction matches one of the gold values exactly (stripped)   true positive
    VW  gold value, prediction matches none                                         false positive AND false negative

    precision = VC / (NV + VC + VW),  recall = VC / (VN + VC + VW)   (micro over attribute slots)

"n/a", "None" and empty predictions count as no prediction, as in the paper.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, Field

NULL_PREDICTIONS = frozenset({"", "n/a", "none", "null"})


class Counts(BaseModel):
    nn: int = 0
    nv: int = 0
    vn: int = 0
    vc: int = 0
    vw: int = 0

    def add(self, other: Counts) -> None:
        for k in ("nn", "nv", "vn", "vc", "vw"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def precision(self) -> float:
        d = self.nv + self.vc + self.vw
        return self.vc / d if d else 0.0

    @property
    def recall(self) -> float:
        d = self.vn + self.vc + self.vw
        return self.vc / d if d else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "counts": self.model_dump()}


class Scores(BaseModel):
    overall: Counts = Field(default_factory=Counts)
    per_attribute: dict[str, Counts] = Field(default_factory=dict)
    per_category: dict[str, Counts] = Field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = self.overall.summary()
        # as in the paper, attributes with nothing to evaluate (only NN slots) are left out
        out["per_attribute"] = {a: c.summary() for a, c in sorted(self.per_attribute.items())
                                if c.nv + c.vn + c.vc + c.vw}
        out["per_category"] = {a: c.summary() for a, c in sorted(self.per_category.items())}
        return out


def as_prediction(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict) and "value" in value:
        value = f"{value['value']:g} {value.get('unit') or ''}".strip() if isinstance(value["value"], float) \
            else f"{value['value']} {value.get('unit') or ''}".strip()
    elif isinstance(value, list):
        value = ", ".join(map(str, value))
    elif not isinstance(value, str):
        value = json.dumps(value)
    text = value.strip()
    return None if text.lower() in NULL_PREDICTIONS else text


def slot(gold: list[str], prediction: Any) -> Counts:
    pred = as_prediction(prediction)
    gold = [g.strip() for g in gold if g and g != "n/a"]
    if not gold:
        return Counts(nn=1) if pred is None else Counts(nv=1)
    if pred is None:
        return Counts(vn=1)
    return Counts(vc=1) if pred in gold else Counts(vw=1)


def score(items: Iterable[tuple[str, Mapping[str, list[str]], Mapping[str, Any]]]) -> Scores:
    """items: (category, gold {attribute: values}, predictions {attribute: value})."""
    scores = Scores()
    per_attr: dict[str, Counts] = defaultdict(Counts)
    per_cat: dict[str, Counts] = defaultdict(Counts)
    for category, gold, preds in items:
        for attribute, values in gold.items():
            c = slot(values, preds.get(attribute))
            scores.overall.add(c)
            per_attr[attribute].add(c)
            per_cat[category].add(c)
    scores.per_attribute = dict(per_attr)
    scores.per_category = dict(per_cat)
    return scores
