"""A small two-tower model (PyTorch, CPU): the reference point for implicit personalization.

User tower: mean of the user's history item embeddings -> MLP. Item tower: item id embedding ->
MLP. Trained with a full softmax over items (catalogs here have at most a few 10k items) on
(history without one item -> that item) samples. `pip install shelfmind[torch]`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from shelfmind.errors import UserError


def _torch():  # type: ignore[no-untyped-def]
    try:
        import torch
    except ImportError:
        raise UserError("the two-tower model needs PyTorch", hint="pip install 'shelfmind[torch]'") from None
    return torch


class TwoTower:
    def __init__(self, items: Sequence[str], *, dim: int = 32, seed: int = 0) -> None:
        torch = _torch()
        nn = torch.nn
        torch.manual_seed(seed)
        self.items = list(items)
        self.index = {pid: i for i, pid in enumerate(self.items)}
        n = len(self.items)
        self.seed = seed
        self.history_emb = nn.EmbeddingBag(n + 1, dim, mode="mean", padding_idx=n)
        self.user_mlp = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.item_emb = nn.Embedding(n, dim)
        self.item_bias = nn.Embedding(n, 1)
        nn.init.zeros_(self.item_bias.weight)
        self.modules = nn.ModuleList([self.history_emb, self.user_mlp, self.item_emb, self.item_bias])

    def _user_vecs(self, histories: list[list[int]]):  # type: ignore[no-untyped-def]
        torch = _torch()
        flat = [i for h in histories for i in h]
        offsets = np.cumsum([0] + [len(h) for h in histories[:-1]]).tolist()
        bag = self.history_emb(torch.tensor(flat or [len(self.items)], dtype=torch.long),
                               torch.tensor(offsets, dtype=torch.long))
        return self.user_mlp(bag) + bag

    def fit(self, histories: dict[str, list[str]], *, epochs: int = 15, batch: int = 256, lr: float = 0.01,
            samples_per_user: int = 8, weight_decay: float = 1e-5) -> list[float]:
        torch = _torch()
        rng = random.Random(self.seed)
        seqs = {u: [self.index[p] for p in h if p in self.index] for u, h in histories.items()}
        seqs = {u: s for u, s in seqs.items() if len(s) >= 2}
        opt = torch.optim.Adam(self.modules.parameters(), lr=lr, weight_decay=weight_decay)
        losses = []
        for _ in range(epochs):
            examples = []
            for s in seqs.values():
                for _ in range(min(samples_per_user, len(s))):
                    j = rng.randrange(len(s))
                    rest = s[:j] + s[j + 1:]
                    examples.append((rest[-50:], s[j]))
            rng.shuffle(examples)
            total = 0.0
            for i in range(0, len(examples), batch):
                chunk = examples[i:i + batch]
                users = self._user_vecs([h for h, _ in chunk])
                logits = users @ self.item_emb.weight.T + self.item_bias.weight.T
                target = torch.tensor([t for _, t in chunk], dtype=torch.long)
                loss = torch.nn.functional.cross_entropy(logits, target)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(chunk)
            losses.append(total / max(1, len(examples)))
        return losses

    def scores(self, history: Sequence[str]) -> np.ndarray:
        """A score per item (in `self.items` order) for a user with this history."""
        torch = _torch()
        idx = [self.index[p] for p in history if p in self.index][-50:]
        with torch.no_grad():
            u = self._user_vecs([idx])
            out = (u @ self.item_emb.weight.T + self.item_bias.weight.T)[0]
        return np.asarray(out.numpy(), dtype=np.float64)
