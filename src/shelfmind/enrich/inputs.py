"""Preparing untrusted product text for extraction: strip HTML, truncate smartly, flag bad input.

Every product goes through `prepare()`, which never raises on bad text: it returns the cleaned
text and the flags that explain what was odd about it (empty, HTML, truncated, non-English,
instructions in the text). Flagged products are still enriched, but their values are never
auto-approved (see `ProductResult.needs_review`).
"""

from __future__ import annotations

import html
import re
from enum import StrEnum

from pydantic import BaseModel, Field


class InputFlag(StrEnum):
    EMPTY = "empty"  # no description: only the title can ground values
    HTML = "html"  # markup was stripped
    TRUNCATED = "truncated"  # longer than the budget: cut on sentence boundaries
    NON_ENGLISH = "non_english"
    INJECTION = "injection"  # the text contains instructions aimed at the model
    FAILED = "failed"  # the model's answer was unusable (after a re-ask)


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,400}>", re.S | re.I)
_SPACE = re.compile(r"\s+")
_SENT = re.compile(r"(?<=[.!?;])\s+|\n+")
_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules?|above|previous)"
    r"|\b(system prompt|you are now|new instructions|act as|jailbreak)\b"
    r"|\b(output|respond with|return|print)\b.{0,30}\b(json|the following|only)\b.{0,40}\b(instead|regardless)\b"
    r"|<\|im_(start|end)\|>|\[/?INST\]|^\s*(system|assistant)\s*:",
    re.I | re.M,
)
_ENGLISH = frozenset(
    ["the", "and", "with", "for", "of", "in", "to", "a", "is", "on", "this", "from", "by", "are", "it", "your", "or", "as", "be", "can", "made", "use", "not", "all", "you", "that"]
)
_FOREIGN = frozenset(
    ["le", "la", "les", "des", "du", "et", "est", "une", "pour", "avec", "sur", "dans", "der", "die", "das", "und", "ist", "mit", "für", "ein", "eine", "nicht", "el", "los", "las", "del", "con", "por", "para", "una", "il", "che", "di", "della", "het", "een", "van", "voor", "niet", "och", "att", "är"]
)


class PreparedText(BaseModel):
    title: str
    text: str  # title + cleaned, possibly truncated description: what the model sees and grounds on
    flags: list[InputFlag] = Field(default_factory=list)
    original_chars: int = 0


def strip_html(text: str) -> tuple[str, bool]:
    if "<" not in text and "&" not in text:
        return text, False
    stripped = _TAG.sub(" ", text)
    had_html = stripped != text
    return html.unescape(stripped), had_html


def looks_english(text: str) -> bool:
    """Heuristic: mostly ASCII letters and not dominated by common French/German/Spanish/... words."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return True  # too short to tell
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    if ascii_share < 0.85:
        return False
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    english = sum(w in _ENGLISH for w in words)
    foreign = sum(w in _FOREIGN for w in words)
    return not (foreign >= 3 and foreign > 2 * english)


def has_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))


def truncate(text: str, budget: int, keywords: list[str] | None = None) -> str:
    """Keep the first sentences, then sentences that mention attribute keywords, within budget."""
    if len(text) <= budget:
        return text
    sentences = [s.strip() for s in _SENT.split(text) if s.strip()]
    head_budget = budget * 2 // 3
    kept: list[int] = []
    used = 0
    for i, s in enumerate(sentences):
        if used + len(s) + 1 > head_budget:
            break
        kept.append(i)
        used += len(s) + 1
    if keywords:
        kws = [k.lower() for k in keywords if len(k) > 2]
        for i, s in enumerate(sentences):
            if i in kept or used + len(s) + 1 > budget:
                continue
            low = s.lower()
            if any(k in low for k in kws):
                kept.append(i)
                used += len(s) + 1
    if not kept:  # one giant sentence: hard cut on a word boundary
        return text[:budget].rsplit(" ", 1)[0]
    return " ".join(sentences[i] for i in sorted(kept))


def prepare(title: str, description: str | None, *, budget: int = 1500, keywords: list[str] | None = None) -> PreparedText:
    flags: list[InputFlag] = []
    raw = description or ""
    title_clean, title_html = strip_html(title or "")
    desc, had_html = strip_html(raw)
    if had_html or title_html:
        flags.append(InputFlag.HTML)
    title_clean = _SPACE.sub(" ", title_clean).strip()
    desc = _SPACE.sub(" ", desc).strip()
    if not desc:
        flags.append(InputFlag.EMPTY)
    if has_injection(title_clean) or has_injection(raw):
        flags.append(InputFlag.INJECTION)
    if not looks_english(f"{title_clean} {desc}"):
        flags.append(InputFlag.NON_ENGLISH)
    if len(desc) > budget:
        desc = truncate(desc, budget, keywords)
        flags.append(InputFlag.TRUNCATED)
    text = f"{title_clean}\n{desc}".strip() if desc else title_clean
    return PreparedText(title=title_clean, text=text, flags=flags, original_chars=len(title or "") + len(raw))
