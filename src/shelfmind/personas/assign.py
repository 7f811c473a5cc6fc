"""Persona assignment from behaviour: score every candidate persona, never generate labels.

Assessors (all return persona id -> weight, weights sum to 1, at most 3 personas):
- FactAssessor: deterministic; the history's fact profile against each persona's boosts.
- EmbeddingAssessor: similarity of the history's embedding to each persona description.
- LLMAssessor: P(yes) per persona from the LLM's log-probabilities at the answer token (one call per
  persona: `llm-yesno`). The default LLM assessor is `choose.ChoiceLLMAssessor`: one call per user.

`SignatureCache` wraps any assessor: a behaviour signature (quantised fact profile) keys a stored
result, so users with near-identical behaviour share one assessment; a user is re-assessed only
when their signature changes. With a cheap `gate` (the FactAssessor: no LLM call), users whose gate
decision (top persona + kept set, margin >= min_margin) is the same share one assessment too. That is
exact for a fact-like assessor and unverified for the LLM: see bench/personas_bench.py for the
cross-model check (embedding assessor as the expensive one), which shows large false-hit rates.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from shelfmind.embed.base import Embedder
from shelfmind.llm.base import LLM, ChatRequest, Message, RequestMeta
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.scoring import yes_probability
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.facts import FactBook
from shelfmind.personas.profile import PersonaWeight
from shelfmind.personas.store import UserStore

if TYPE_CHECKING:
    from shelfmind.personas.signature import SignatureBuilder

MAX_PERSONAS = 3


class Assessor(Protocol):
    @property
    def id(self) -> str: ...

    def assess(self, history: Sequence[str]) -> dict[str, float]: ...


def select(scores: dict[str, float], *, floor: float, ratio: float = 0.6) -> dict[str, float]:
    """Keep the top persona and those within `ratio` of it (above `floor`); normalise to sum 1."""
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] <= floor:
        return {}
    top = ranked[0][1]
    kept = [(k, v) for k, v in ranked[:MAX_PERSONAS] if v > floor and v >= ratio * top]
    total = sum(v for _, v in kept)
    return {k: round(v / total, 3) for k, v in kept}


def margin(scores: dict[str, float], *, floor: float, ratio: float = 0.6) -> float:
    """How far the scores are from changing `select`'s decision (top persona or the kept set)."""
    ranked = sorted(scores.values(), reverse=True)
    if not ranked:
        return 0.0
    top = ranked[0]
    cut = max(floor, ratio * top)
    gaps = [abs(top - floor)] + ([top - ranked[1]] if len(ranked) > 1 else [])
    gaps += [abs(v - cut) for v in ranked[1 : MAX_PERSONAS + 1]]
    return min(gaps)


def catalog_base(book: FactBook) -> dict[str, float]:
    """What an average shopper's history looks like: the catalog's fact shares, 10% repeat purchases."""
    return {**book.catalog_profile(), "previously_bought": 0.1}


def history_profile(book: FactBook, history: Sequence[str]) -> dict[str, float]:
    prof = book.profile(history)
    known = [pid for pid in history if pid in book]
    if known:
        prof["previously_bought"] = 1.0 - len(set(known)) / len(known)  # share of repeat purchases
    return prof


class FactAssessor:
    """Fact profile of the history minus the catalog's, dotted with each persona's boosts."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog) -> None:
        self.book = book
        self.catalog = catalog
        self._base = catalog_base(book)

    @property
    def id(self) -> str:
        return f"facts@{self.catalog.fingerprint}"

    def raw_scores(self, history: Sequence[str]) -> dict[str, float]:
        prof = history_profile(self.book, history)
        out = {}
        for p in self.catalog.personas:
            s = sum(w * (prof.get(f, 0.0) - self._base.get(f, 0.0)) for f, w in p.boosts.items() if w > 0)
            s += sum(w * prof.get(f, 0.0) for f, w in p.boosts.items() if w < 0) * 0.5
            out[p.id] = s / max(1e-9, sum(w for w in p.boosts.values() if w > 0))
        return out

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        return select(self.raw_scores(history), floor=0.08)

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        raw = self.raw_scores(history)
        return select(raw, floor=0.08), margin(raw, floor=0.08)


def product_phrase(book: FactBook, pid: str) -> str:
    p = book.products[pid]
    return f"{p.name} ({book.category.get(pid, 'other').replace('_', ' ')})"


class EmbeddingAssessor:
    """cos(history embedding, persona description) relative to the catalog average."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog, embedder: Embedder) -> None:
        self.book = book
        self.catalog = catalog
        self.embedder = embedder
        self._pids = list(book.products)
        self._row = {pid: i for i, pid in enumerate(self._pids)}
        self._vecs: np.ndarray | None = None
        descs = [f"{p.name}: {p.description}" for p in catalog.personas]
        self._personas = embedder.embed(descs)

    @property
    def id(self) -> str:
        return f"embedding:{self.embedder.model_id}@{self.catalog.fingerprint}"

    def _product_vecs(self) -> np.ndarray:
        if self._vecs is None:
            self._vecs = self.embedder.embed([product_phrase(self.book, pid) for pid in self._pids])
            mean = self._vecs.mean(axis=0)
            self._base = self._personas @ (mean / max(1e-9, float(np.linalg.norm(mean))))
        return self._vecs

    def raw_scores(self, history: Sequence[str]) -> dict[str, float]:
        vecs = self._product_vecs()
        rows = [self._row[pid] for pid in history if pid in self._row]
        if not rows:
            return {}
        u = vecs[rows].mean(axis=0)
        u /= max(1e-9, float(np.linalg.norm(u)))
        sims = self._personas @ u - self._base
        return {p.id: float(s) for p, s in zip(self.catalog.personas, sims, strict=True)}

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        return select(self.raw_scores(history), floor=0.02, ratio=0.7)

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        raw = self.raw_scores(history)
        return select(raw, floor=0.02, ratio=0.7), margin(raw, floor=0.02, ratio=0.7)


class LLMAssessor:
    """P(yes) for 'is this shopper a <persona>?' per persona, from log-probabilities."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog, llm: LLM, *, max_items: int = 25) -> None:
        self.book = book
        self.catalog = catalog
        self.llm = llm
        self.max_items = max_items
        self.prompt = load_prompt("persona_assign")
        self.calls = 0  # assessments (one per user not served from the cache)

    @property
    def id(self) -> str:
        return f"llm:{self.llm.model_id}:{self.prompt.id}@{self.catalog.fingerprint}"

    def purchases_text(self, history: Sequence[str]) -> str:
        counts = Counter(pid for pid in history if pid in self.book)
        lines = [f"- {self.book.products[pid].name} (x{n})" for pid, n in counts.most_common(self.max_items)]
        return "\n".join(lines)

    def raw_scores(self, history: Sequence[str]) -> dict[str, float]:
        self.calls += 1
        messages = [Message(role=m.role, content=m.content)
                    for m in self.prompt.render(purchases=self.purchases_text(history))]
        out = {}
        for p in self.catalog.personas:
            request = ChatRequest(
                messages=[*messages, Message(role="user", content=f"Is this shopper a {p.name} ({p.description})? "
                                                                  "Answer yes or no.")],
                json_schema=_YES_NO, schema_name="yes_no", max_tokens=8, temperature=0.0, logprobs=True,
                top_logprobs=5, meta=RequestMeta(task="persona", prompt_name=self.prompt.name,
                                                 prompt_version=self.prompt.version),
            )
            response = self.llm.chat(request)
            out[p.id] = yes_probability(response.logprobs, response.text)
        return out

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        return select(self.raw_scores(history), floor=0.5, ratio=0.75)

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        raw = self.raw_scores(history)
        return select(raw, floor=0.5, ratio=0.75), margin(raw, floor=0.5, ratio=0.75)


_YES_NO = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
           "required": ["answer"]}


# ---- behaviour signature + cache ----------------------------------------------------------------
def behaviour_vector(book: FactBook, catalog: PersonaCatalog, history: Sequence[str], *, top: int = 12,
                     resolution: float = 0.05) -> dict[str, float] | None:
    """The quantised fact profile over the facts personas care about: the `top` most over-represented
    facts (lift over the catalog share) with their shares rounded to `resolution`. None = cold start."""
    known = [pid for pid in history if pid in book]
    if len(known) < 3:
        return None
    prof = history_profile(book, known)
    base = catalog_base(book)
    relevant = {f for p in catalog.personas for f, w in p.boosts.items() if w > 0}
    lift = {f: prof.get(f, 0.0) - base.get(f, 0.0) for f in relevant}
    dominant = sorted((f for f in lift if lift[f] > resolution), key=lambda f: (-lift[f], f))[:top]
    return {f: round(round(prof[f] / resolution) * resolution, 3) for f in dominant}


def distance(a: dict[str, float], b: dict[str, float]) -> float:
    """L-infinity distance between two behaviour vectors (a fact missing from one counts as 0 there):
    the largest change in the share of any persona-relevant fact."""
    return max((abs(a.get(f, 0.0) - b.get(f, 0.0)) for f in set(a) | set(b)), default=0.0)


def signature(book: FactBook, catalog: PersonaCatalog, history: Sequence[str], **kw: float) -> str:
    """A short id of the behaviour vector (for display and exact-match keys)."""
    vec = behaviour_vector(book, catalog, history, **kw)  # type: ignore[arg-type]
    if vec is None:
        return "cold"
    raw = json.dumps(sorted(vec.items()))
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


class SignatureCache:
    """Serve assessments by behaviour vector. A user reuses the result of an already assessed user
    whose vector lies within min(`radius`, `slope` x that result's margin) (L-infinity): a confident result
    (far from any decision boundary of the assessor) is shared widely, a borderline one not at all.
    Counts model assessments vs cache hits."""

    def __init__(self, assessor: Assessor, book: FactBook, catalog: PersonaCatalog, store: UserStore | None = None,
                 *, radius: float = 0.15, slope: float = 1.0, top: int = 12, gate: FactAssessor | None = None,
                 min_margin: float = 0.0, share_margin: float = 0.0) -> None:
        self.assessor = assessor
        # decision key: users whose cheap (non-LLM) `gate` decision (top persona + kept set) is the same, with a
        # gate margin >= `min_margin`, share one assessment; others go through the vector radius lookup. With
        # `share_margin`, a stored result is shared only if the expensive assessor's own margin reached it
        # (a borderline LLM result is re-assessed for the next user with that key, and the more confident kept).
        self.gate, self.min_margin, self.share_margin = gate, min_margin, share_margin
        self._decisions: dict[str, tuple[dict[str, float], float]] = {}
        self.book = book
        self.catalog = catalog
        self.store = store
        self.radius, self.slope, self.top = radius, slope, top
        self._entries: list[tuple[dict[str, float], dict[str, float], float]] = []
        self._loaded = False
        self.assessments = 0
        self.hits = 0
        self._signer: SignatureBuilder | None = None  # made when a stored exact signature is met

    @property
    def prefix(self) -> str:
        return f"{self.assessor.id}|top{self.top}|"

    def vector(self, history: Sequence[str]) -> dict[str, float] | None:
        return behaviour_vector(self.book, self.catalog, history, top=self.top)

    def signature(self, history: Sequence[str]) -> str:
        vec = self.vector(history)
        return "cold" if vec is None else json.dumps(sorted(vec.items()))

    def _load(self) -> None:
        if not self._loaded and self.store is not None:
            for key, weights in self.store.cache_items(self.prefix):
                if key.startswith(self.prefix + "decision:"):
                    continue
                m = float(weights.pop("__margin__", math.inf))
                self._entries.append((dict(json.loads(key[len(self.prefix):])), weights, m))
        self._loaded = True

    def lookup(self, vec: dict[str, float]) -> dict[str, float] | None:
        self._load()
        best: tuple[float, dict[str, float]] | None = None
        for anchor, weights, m in self._entries:
            d = distance(anchor, vec)
            if d <= min(self.radius, self.slope * m) and (best is None or d < best[0]):
                best = (d, weights)
        return dict(best[1]) if best else None

    def decision_key(self, history: Sequence[str]) -> str | None:
        """The gate's decision as a key ('top|kept,set'), or None without a gate or below `min_margin`."""
        if self.gate is None:
            return None
        weights, m = self.gate.assess_margin(history)
        if m < self.min_margin:
            return None
        top = next(iter(weights), "")  # `select` returns the personas strongest first (unrounded ranking)
        return f"decision:{top}|{','.join(sorted(weights))}"

    def _decision_lookup(self, key: str) -> dict[str, float] | None:
        if key not in self._decisions and self.store is not None:
            for stored_key, weights in self.store.cache_items(self.prefix + key):
                if stored_key == self.prefix + key:
                    m = float(weights.pop("__margin__", math.inf))
                    self._decisions[key] = (weights, m)
        if key not in self._decisions or self._decisions[key][1] < self.share_margin:
            return None
        return dict(self._decisions[key][0])

    def assess(self, history: Sequence[str]) -> tuple[dict[str, float], str, bool]:
        """(weights, signature, from_cache)."""
        vec = self.vector(history)
        if vec is None:
            return {}, "cold", False
        sig = json.dumps(sorted(vec.items()))
        dkey = self.decision_key(history)
        cached = self._decision_lookup(dkey) if dkey is not None else None
        if cached is not None:
            self.hits += 1
            return cached, sig, True
        cached = self.lookup(vec)
        if cached is not None:
            self.hits += 1
            return cached, sig, True
        self.assessments += 1
        scorer = getattr(self.assessor, "assess_margin", None)
        weights, m = scorer(history) if scorer else (self.assessor.assess(history), math.inf)
        self._entries.append((vec, weights, m))
        keep_decision = dkey is not None and (dkey not in self._decisions or m > self._decisions[dkey][1])
        if keep_decision:
            self._decisions[str(dkey)] = (dict(weights), m)
        if self.store is not None:
            stored = {**weights, "__margin__": m if math.isfinite(m) else 1e9}
            self.store.cache_put(self.prefix + json.dumps(sorted(vec.items())), stored)
            if keep_decision:
                self.store.cache_put(self.prefix + str(dkey), stored)
        return weights, sig, False

    def changed(self, old_signature: str | None, history: Sequence[str]) -> bool:
        """Whether behaviour changed materially since `old_signature` (beyond the cache radius)."""
        if old_signature is None:
            return True
        vec = self.vector(history)
        if vec is None or old_signature == "cold":
            return (vec is None) != (old_signature == "cold")
        try:
            old = dict(json.loads(old_signature))
        except (ValueError, TypeError):
            # an exact behaviour signature (personas/signature.py: what the offline LLM assessment read):
            # that assessment is kept while the user's signature stays the same
            return self._exact_signature(history) != old_signature
        return distance(old, vec) > self.radius

    def _exact_signature(self, history: Sequence[str]) -> str:
        from shelfmind.personas.signature import SignatureBuilder

        if self._signer is None:
            self._signer = SignatureBuilder(self.book, self.catalog)
        sig = self._signer(history)
        return "cold" if sig is None else sig.key


def evidence(book: FactBook, catalog: PersonaCatalog, history: Sequence[str], weights: dict[str, float],
             *, per_persona: int = 3) -> list[PersonaWeight]:
    """Attach the purchases that support each assigned persona (by its boosted facts)."""
    counts = Counter(pid for pid in history if pid in book)
    out = []
    for pid, w in sorted(weights.items(), key=lambda kv: -kv[1]):
        persona = catalog.get(pid)
        if persona.id == "brand_loyalist":
            support = [(float(n), q) for q, n in counts.items() if n > 1]
        else:
            support = [(persona.boost(book.facts(q)) * n, q) for q, n in counts.items()]
        support = sorted((s for s in support if s[0] > 0), key=lambda s: (-s[0], s[1]))[:per_persona]
        names = [f"{book.products[q].name} (x{counts[q]})" for _, q in support]
        out.append(PersonaWeight(id=persona.id, name=persona.name, weight=w, evidence=names))
    return out
