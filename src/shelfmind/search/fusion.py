"""Fusing ranked lists from several retrieval arms: reciprocal rank fusion and normalised scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

Ranked = Sequence[tuple[str, float]]  # (id, score), best first


class FusionMethod(StrEnum):
    RRF = "rrf"
    WEIGHTED = "weighted"  # weighted sum of per-arm scores normalised to [0, 1]


def rrf(arms: Mapping[str, Ranked], weights: Mapping[str, float] | None = None, *, k: int = 60) -> dict[str, float]:
    """Σ_arm w_arm / (k + rank)."""
    out: dict[str, float] = {}
    for arm, ranked in arms.items():
        w = 1.0 if weights is None else weights.get(arm, 1.0)
        for rank, (pid, _) in enumerate(ranked, start=1):
            out[pid] = out.get(pid, 0.0) + w / (k + rank)
    return out


def normalise(ranked: Ranked) -> dict[str, float]:
    """Scores divided by the arm's best score (max-normalisation keeps a weak arm weak)."""
    if not ranked:
        return {}
    top = max(s for _, s in ranked)
    if top <= 0:
        return {pid: 0.0 for pid, _ in ranked}
    return {pid: max(0.0, s) / top for pid, s in ranked}


def weighted(arms: Mapping[str, Ranked], weights: Mapping[str, float] | None = None,
             *, floors: Mapping[str, float] | None = None) -> dict[str, float]:
    """Σ_arm w_arm · norm(score). `floors` maps an arm to the score treated as zero (cosine
    similarities of unrelated products are far from 0), applied before normalising."""
    out: dict[str, float] = {}
    for arm, ranked in arms.items():
        w = 1.0 if weights is None else weights.get(arm, 1.0)
        floor = (floors or {}).get(arm, 0.0)
        shifted = [(pid, s - floor) for pid, s in ranked]
        for pid, s in normalise(shifted).items():
            out[pid] = out.get(pid, 0.0) + w * s
    return out


def fuse(arms: Mapping[str, Ranked], method: FusionMethod, weights: Mapping[str, float] | None = None,
         *, rrf_k: int = 60, floors: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    scores = rrf(arms, weights, k=rrf_k) if method == FusionMethod.RRF else weighted(arms, weights, floors=floors)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
