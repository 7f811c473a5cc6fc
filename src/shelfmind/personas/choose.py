"""One LLM call per shopper scores every candidate persona (the `llm` assessor with
SHELFMIND_PERSONA_LLM_INPUT=list|summary; the default input is the behaviour signature: signature.py).

The personas are options in a constant system prompt, each named by a one-word keyword ("healthy",
"thrifty"...; `answer="letter"` uses A, B, C...), so llama.cpp reuses its KV cache for that prefix
across users. The shopper is a delimited data block: the purchase list (name, count, product type,
price level within the type, fact labels: the default) or a canonical behaviour summary (shares of
purchases by type, price level and label, rounded). The request asks for ONE token (max_tokens=1)
with its top-20 log-probabilities; `llm.scoring.label_distribution` keeps only the mass on the
candidate answers and renormalises: the same distribution a grammar allowing only those answers
would give (a JSON-schema enum made the 1.5B emit code fences and ~10 slow tokens before the answer),
so every persona gets a probability from one call and nothing outside the catalog can come out.

Contextual calibration: a 1.5B model prefers some answers whatever the input. The distribution for
"average shoppers" (histories drawn uniformly from the whole catalog, `reference_users` calls once)
measures that bias; each user's distribution is divided by it and renormalised, so a persona scores
high only when this shopper looks more like it than an average shopper does. `select` then keeps one
to three personas; `evidence()` (assign.py) attaches the supporting purchases as for every assessor.
Measured recovery and cache numbers: bench/personas_bench.py --llm N.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from shelfmind.errors import ConfigError
from shelfmind.llm.base import LLM, ChatRequest, Message, RequestMeta
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.scoring import label_distribution
from shelfmind.personas.assign import margin, select
from shelfmind.personas.catalog import PersonaCatalog
from shelfmind.personas.facts import FactBook

InputMode = Literal["list", "summary"]
AnswerKind = Literal["word", "letter"]
PriceLevel = Literal["cheap", "regular", "premium"]
LETTERS = string.ascii_uppercase

# fact -> label shown to the model (the facts personas care about; see personas/facts.py)
TAGS: list[tuple[str, str]] = [
    ("organic", "organic"), ("whole_grain", "whole grain"), ("high_fiber", "high fiber"),
    ("high_protein", "high protein"), ("low_sugar", "low sugar"), ("high_sugar", "sugary"), ("treat", "treat"),
    ("vegan_label", "vegan"), ("meat_fish", "meat/fish"), ("alcohol", "alcohol"), ("kids", "for kids"),
    ("convenience", "quick meal"), ("cooking_ingredient", "cooking ingredient"), ("party", "party food"),
    ("novel", "new product type"), ("premium_words", "gourmet"),
]
_UNSAFE = re.compile(r"[<>|\r\n\t]+")


def price_level(book: FactBook, pid: str) -> PriceLevel:
    """The product's price third within its product type (store brands count as cheap)."""
    facts = book.facts(pid)
    return "cheap" if "budget" in facts else "premium" if "premium_price" in facts else "regular"


def _clean(text: str, limit: int = 60) -> str:
    """Catalog text for a data line: no delimiters or line breaks, bounded length."""
    return _UNSAFE.sub(" ", text).strip()[:limit]


def purchase_list(book: FactBook, history: Sequence[str], *, max_items: int = 20) -> str:
    """The most bought products, one line each: name | xN | type | price level | labels."""
    counts = Counter(pid for pid in history if pid in book)
    lines = []
    for pid, n in counts.most_common(max_items):
        facts = book.facts(pid)
        tags = [label for fact, label in TAGS if fact in facts]
        cat = book.category.get(pid, "other").replace("_", " ")
        lines.append(f"- {_clean(book.products[pid].name)} | x{n} | {cat} | {price_level(book, pid)}"
                     + (f" | {', '.join(tags)}" if tags else ""))
    if len(counts) > max_items:
        lines.append(f"- ({len(counts) - max_items} more products bought once or twice)")
    return "\n".join(lines)


def behaviour_summary(book: FactBook, history: Sequence[str], *, resolution: float = 0.1,
                      max_types: int = 5) -> str:
    """A canonical summary: shares of purchases by product type, price level and label, rounded to
    `resolution` (smaller shares left out), and the share of repeat purchases. Two histories with the
    same summary get the same prompt, hence the same LLM answer."""
    known = [pid for pid in history if pid in book]
    if not known:
        return "no purchases"
    n = len(known)

    def share(count: int) -> int:
        return int(round(count / n / resolution) * resolution * 100)

    cats = Counter(book.category.get(pid, "other").replace("_", " ") for pid in known)
    types = [(c, share(k)) for c, k in sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:max_types]]
    prices = Counter(price_level(book, pid) for pid in known)
    tag_counts = Counter(label for pid in known for fact, label in TAGS if fact in book.facts(pid))
    tags = [(label, share(tag_counts[label])) for _, label in TAGS if tag_counts[label]]
    repeat = share(n - len(set(known)))
    lines = [
        "product types: " + ", ".join(f"{c} {s}%" for c, s in types if s > 0),
        "price level: " + ", ".join(f"{lvl} {share(prices[lvl])}%" for lvl in ("cheap", "regular", "premium")),
        "labels: " + (", ".join(f"{t} {s}%" for t, s in tags if s > 0) or "none"),
        f"repeat purchases: {repeat}%",
    ]
    return "\n".join(lines)


class ChoiceLLMAssessor:
    """All personas scored in one LLM call (a keyword or letter per persona), contextually calibrated."""

    def __init__(self, book: FactBook, catalog: PersonaCatalog, llm: LLM, *, mode: InputMode = "list",
                 max_items: int = 20, calibrate: bool = True, floor: float = 0.12, ratio: float = 0.5,
                 reference_users: int = 4, seed: int = 0, answer: AnswerKind = "word") -> None:
        if answer == "letter" and len(catalog.personas) > len(LETTERS):
            raise ConfigError(f"{len(catalog.personas)} personas: at most 26 can be lettered", hint="answer='word'")
        self.book, self.catalog, self.llm = book, catalog, llm
        self.answer = answer
        self.mode, self.max_items, self.calibrate = mode, max_items, calibrate
        self.floor, self.ratio = floor, ratio
        self.reference_users, self.seed = reference_users, seed
        self.prompt = load_prompt("persona_choose")
        if answer == "letter":
            self.labels = list(LETTERS[: len(catalog.personas)])
            self.options = "\n".join(f"{label}. {p.name}: {p.description}"
                                     for label, p in zip(self.labels, catalog.personas, strict=True))
        else:
            self.labels = [p.answer_word for p in catalog.personas]
            _check_words(self.labels)
            self.options = "\n".join(f"- {p.answer_word}: {p.name}. {p.description}" for p in catalog.personas)
        self._baseline: dict[str, float] | None = None
        self.calls = 0  # LLM calls (one per assessed user, plus the calibration shoppers once)

    @property
    def id(self) -> str:
        cal = f"cal{self.reference_users}s{self.seed}" if self.calibrate else "raw"
        return (f"llm1:{self.llm.model_id}:{self.prompt.id}:{self.answer}:{self.mode}{self.max_items}:{cal}:"
                f"{self.floor}/{self.ratio}@{self.catalog.fingerprint}")

    def shopper_text(self, history: Sequence[str]) -> str:
        if self.mode == "summary":
            return behaviour_summary(self.book, history)
        return purchase_list(self.book, history, max_items=self.max_items)

    def distribution(self, history: Sequence[str]) -> dict[str, float]:
        """P(persona) from one call, before calibration (sums to 1 over the catalog)."""
        kind = "Shopper summary" if self.mode == "summary" else "Purchases, most frequent first"
        return self.text_distribution(kind, self.shopper_text(history))

    def text_distribution(self, kind: str, data: str) -> dict[str, float]:
        """P(persona) for one shopper data block (`kind` names it in the prompt): one LLM call."""
        self.calls += 1
        messages = [Message(role=m.role, content=m.content) for m in
                    self.prompt.render(options=self.options, kind=kind, data=data, answer=_ANSWER[self.answer])]
        request = ChatRequest(
            messages=messages, max_tokens=1, temperature=0.0, logprobs=True, top_logprobs=20,
            meta=RequestMeta(task="persona", prompt_name=self.prompt.name, prompt_version=self.prompt.version),
        )
        response = self.llm.chat(request)
        dist = label_distribution(response.logprobs, self.labels, response.text, prefix=self.answer == "word")
        return {p.id: dist[label] for label, p in zip(self.labels, self.catalog.personas, strict=True)}

    def baseline(self) -> dict[str, float]:
        """The mean distribution over `reference_users` average shoppers (uniform catalog draws)."""
        if self._baseline is None:
            rng = random.Random(self.seed)
            pids = sorted(self.book.products)
            dists = [self.distribution(rng.choices(pids, k=30)) for _ in range(self.reference_users)]
            self._baseline = {k: sum(d[k] for d in dists) / len(dists) for k in self.catalog.ids}
        return self._baseline

    def raw_scores(self, history: Sequence[str]) -> dict[str, float]:
        """Calibrated P(persona) (sums to 1): the distribution over the average shopper's, renormalised."""
        return self.calibrated(self.distribution(history))

    def calibrated(self, dist: dict[str, float]) -> dict[str, float]:
        if not self.calibrate or not self.book.products:
            return dist
        base = self.baseline()
        scaled = {k: v / max(base[k], 1e-6) for k, v in dist.items()}
        total = sum(scaled.values())
        return {k: v / total for k, v in scaled.items()}

    def assess(self, history: Sequence[str]) -> dict[str, float]:
        return self.assess_margin(history)[0]

    def assess_margin(self, history: Sequence[str]) -> tuple[dict[str, float], float]:
        if not any(pid in self.book for pid in history):
            return {}, 0.0
        raw = self.raw_scores(history)
        return select(raw, floor=self.floor, ratio=self.ratio), margin(raw, floor=self.floor, ratio=self.ratio)


_ANSWER = {"word": "the keyword", "letter": "the letter"}


def _check_words(words: list[str]) -> None:
    """Answer words must differ in their first two letters (a first token then names one persona)."""
    heads = [w[:2] for w in words]
    dup = sorted({h for h in heads if heads.count(h) > 1})
    if dup or not all(w.isalpha() for w in words):
        raise ConfigError(f"persona keywords must be single words with distinct first two letters (clash: {dup})",
                          hint="set `keyword` in the persona catalog")
