"""How well the fast path agrees with the LLM's parses (the LLM is the reference), and how fast it is.

    report = agreement(queries, llm_understander, fast_understander)

Per query: head exact match (case/space-insensitive), head token F1, filter-set exact match, and
filter precision/recall where a filter matches on (field, op, value) with numbers within 1% and
price bands ("about $30" as ge+le) compared as such.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence

from pydantic import BaseModel

from shelfmind.search.base import Filter
from shelfmind.search.query import QueryParse
from shelfmind.search.understand import QueryUnderstander

FOODS = ["pasta", "dark chocolate", "peanut butter", "granola", "greek yogurt", "tortilla chips", "green tea",
         "orange juice", "crackers", "oatmeal cookies", "tomato soup", "breakfast cereal", "almond milk",
         "salsa", "honey", "rice cakes", "protein bar", "spaghetti sauce", "olive oil", "hummus"]
TEMPLATES = ["{food}", "{food} under ${n}", "healthy {food}", "cheap {food} below {n} dollars", "{food} over ${n}",
             "healthy {food} under ${n}", "{food} between ${n} and ${m}", "${n} {food}"]


def grocery_queries(n: int = 40, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        t = rng.choice(TEMPLATES)
        lo = rng.choice([2, 3, 4, 5, 8, 10])
        q = t.format(food=rng.choice(FOODS), n=lo, m=lo + rng.choice([2, 5]))
        if q not in out:
            out.append(q)
    return out


class QueryAgreement(BaseModel):
    query: str
    llm_head: str
    fast_head: str
    llm_filters: list[str]
    fast_filters: list[str]


class AgreementReport(BaseModel):
    queries: int
    head_exact: float
    head_f1: float
    filters_exact: float
    filter_precision: float
    filter_recall: float
    fast_p50_ms: float
    fast_p95_ms: float
    llm_mean_s: float
    rows: list[QueryAgreement]


def _key(f: Filter) -> tuple[str, str, str]:
    v = f.value
    value = f"{float(v):.2f}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v).lower()
    return f.field.lower(), f.op.value, value


def _close(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    if a[:2] != b[:2]:
        return False
    try:
        x, y = float(a[2]), float(b[2])
        return abs(x - y) <= 0.01 * max(1.0, abs(y))
    except ValueError:
        return a[2] == b[2]


def _f1(a: str, b: str) -> float:
    ta, tb = a.lower().split(), b.lower().split()
    if not ta and not tb:
        return 1.0
    common = sum(min(ta.count(w), tb.count(w)) for w in set(ta))
    if not common:
        return 0.0
    p, r = common / len(ta), common / len(tb)
    return 2 * p * r / (p + r)


def agreement(queries: Sequence[str], llm: QueryUnderstander, fast: QueryUnderstander) -> AgreementReport:
    rows: list[QueryAgreement] = []
    exact = f1 = fexact = 0.0
    tp = n_fast = n_llm = 0
    fast_ms: list[float] = []
    llm_s: list[float] = []
    for q in queries:
        t = time.perf_counter()
        ref: QueryParse = llm.parse(q)
        llm_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        got = fast.fast.parse(q)
        fast_ms.append((time.perf_counter() - t) * 1e3)
        ref_keys = [_key(f) for f in ref.filters]
        got_keys = [_key(f) for f in got.filters]
        matched = sum(any(_close(g, r) for r in ref_keys) for g in got_keys)
        tp += matched
        n_fast += len(got_keys)
        n_llm += len(ref_keys)
        fexact += float(matched == len(got_keys) == len(ref_keys))
        exact += float(" ".join(ref.head.lower().split()) == " ".join(got.head.lower().split()))
        f1 += _f1(got.head, ref.head)
        rows.append(QueryAgreement(query=q, llm_head=ref.head, fast_head=got.head,
                                   llm_filters=[" ".join(k) for k in ref_keys],
                                   fast_filters=[" ".join(k) for k in got_keys]))
    n = max(1, len(queries))
    fast_ms.sort()
    return AgreementReport(
        queries=len(queries), head_exact=exact / n, head_f1=f1 / n, filters_exact=fexact / n,
        filter_precision=tp / n_fast if n_fast else 1.0, filter_recall=tp / n_llm if n_llm else 1.0,
        fast_p50_ms=statistics.median(fast_ms) if fast_ms else 0.0,
        fast_p95_ms=fast_ms[min(len(fast_ms) - 1, int(0.95 * len(fast_ms)))] if fast_ms else 0.0,
        llm_mean_s=statistics.mean(llm_s) if llm_s else 0.0, rows=rows)
