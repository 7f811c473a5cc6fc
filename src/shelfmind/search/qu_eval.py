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

from shelfmind.search.base import Filter, FilterOp
from shelfmind.search.fastpath import about_price
from shelfmind.search.query import QueryParse
from shelfmind.search.understand import QueryUnderstander

FOODS = ["pasta", "dark chocolate", "peanut butter", "granola", "greek yogurt", "tortilla chips", "green tea",
         "orange juice", "crackers", "oatmeal cookies", "tomato soup", "breakfast cereal", "almond milk",
         "salsa", "honey", "rice cakes", "protein bar", "spaghetti sauce", "olive oil", "hummus"]
TEMPLATES = ["{food}", "{food} under ${n}", "healthy {food}", "cheap {food} below {n} dollars", "{food} over ${n}",
             "healthy {food} under ${n}", "{food} between ${n} and ${m}", "${n} {food}"]


def grocery_queries(n: int = 40, seed: int = 3) -> list[str]:
    return [q for q, _ in grocery_gold(n, seed)]


def grocery_gold(n: int = 40, seed: int = 3) -> list[tuple[str, QueryParse]]:
    """Generated queries with their correct parse (price in dollars, "healthy" -> is_healthy)."""
    rng = random.Random(seed)
    out: list[tuple[str, QueryParse]] = []
    seen: set[str] = set()
    while len(out) < n:
        t = rng.choice(TEMPLATES)
        lo = rng.choice([2, 3, 4, 5, 8, 10])
        hi = lo + rng.choice([2, 5])
        food = rng.choice(FOODS)
        q = t.format(food=food, n=lo, m=hi)
        if q in seen:
            continue
        seen.add(q)
        filters: list[Filter] = []
        if "healthy" in t:
            filters.append(Filter(field="is_healthy", op=FilterOp.EQ, value=True))
        if "between" in t:
            filters += [Filter(field="price", op=FilterOp.GE, value=lo), Filter(field="price", op=FilterOp.LE, value=hi)]
        elif "under" in t or "below" in t:
            filters.append(Filter(field="price", op=FilterOp.LE, value=lo))
        elif "over" in t:
            filters.append(Filter(field="price", op=FilterOp.GE, value=lo))
        elif t.startswith("${n}"):
            filters += about_price(lo)
        out.append((q, QueryParse(query=q, head=food, filters=filters)))
    return out


def score(parses: Sequence[QueryParse], gold: Sequence[QueryParse]) -> dict[str, float]:
    """Head exact, filter-set exact, filter precision/recall of `parses` against `gold`
    (ge/gt and le/lt are treated alike, numbers within 1%)."""
    exact = fexact = 0.0
    tp = n_got = n_ref = 0
    for got, ref in zip(parses, gold, strict=True):
        gk, rk = [_key(f, lenient=True) for f in got.filters], [_key(f, lenient=True) for f in ref.filters]
        m = sum(any(_close(g, r) for r in rk) for g in gk)
        tp, n_got, n_ref = tp + m, n_got + len(gk), n_ref + len(rk)
        fexact += float(m == len(gk) == len(rk))
        exact += float(" ".join(got.head.lower().split()) == " ".join(ref.head.lower().split()))
    n = max(1, len(gold))
    return {"head_exact": exact / n, "filters_exact": fexact / n,
            "precision": tp / n_got if n_got else 1.0, "recall": tp / n_ref if n_ref else 1.0}


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
    vs_gold: dict[str, dict[str, float]] = {}  # "llm"/"fast" -> scores against the correct parses


_LENIENT = {"gt": "ge", "lt": "le"}


def _key(f: Filter, lenient: bool = False) -> tuple[str, str, str]:
    v = f.value
    value = f"{float(v):.2f}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v).lower()
    op = _LENIENT.get(f.op.value, f.op.value) if lenient else f.op.value
    return f.field.lower(), op, value


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


def agreement(queries: Sequence[str], llm: QueryUnderstander, fast: QueryUnderstander,
              gold: Sequence[QueryParse] | None = None) -> AgreementReport:
    rows: list[QueryAgreement] = []
    exact = f1 = fexact = 0.0
    tp = n_fast = n_llm = 0
    fast_ms: list[float] = []
    llm_s: list[float] = []
    refs: list[QueryParse] = []
    gots: list[QueryParse] = []
    for q in queries:
        t = time.perf_counter()
        ref: QueryParse = llm.parse(q)
        llm_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        got = fast.fast.parse(q)
        fast_ms.append((time.perf_counter() - t) * 1e3)
        refs.append(ref)
        gots.append(got)
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
        llm_mean_s=statistics.mean(llm_s) if llm_s else 0.0, rows=rows,
        vs_gold={"llm": score(refs, gold), "fast": score(gots, gold)} if gold else {})
