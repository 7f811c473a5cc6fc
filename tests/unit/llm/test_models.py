from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shelfmind.errors import ModelPackageError
from shelfmind.llm.models import LocalModel, ensure_model, is_assembled, model_path


def _model(parts: list[bytes], *, sha: str | None = None) -> LocalModel:
    return LocalModel(name="tiny", tier="fast", pip_prefix="tiny-part", module_prefix="tiny_part",
                      parts=len(parts), sha256=sha or hashlib.sha256(b"".join(parts)).hexdigest(),
                      size=sum(map(len, parts)), description="test")


def _locator(tmp: Path, parts: list[bytes], missing: int | None = None):
    def locate(model: LocalModel, i: int) -> Path:
        if i == missing:
            raise ModelPackageError(f"chunk package {model.pip_package(i)} is not installed")
        p = tmp / f"part{i:02d}.bin"
        p.write_bytes(parts[i - 1])
        return p
    return locate


def test_assembles_in_order_verifies_and_reuses(tmp_path: Path) -> None:
    parts = [b"alpha", b"beta", b"gamma"]
    model = _model(parts)
    path = ensure_model(tmp_path / "cache", model, locator=_locator(tmp_path, parts))
    assert path.read_bytes() == b"alphabetagamma"
    assert is_assembled(tmp_path / "cache", model)
    calls = []
    ensure_model(tmp_path / "cache", model, locator=lambda m, i: calls.append(i))  # type: ignore[arg-type,return-value]
    assert calls == []  # verified sidecar: nothing re-read


def test_sha_mismatch_names_packages_and_leaves_nothing(tmp_path: Path) -> None:
    parts = [b"a", b"b"]
    model = _model(parts, sha="0" * 64)
    with pytest.raises(ModelPackageError, match="tiny-part"):
        ensure_model(tmp_path / "cache", model, locator=_locator(tmp_path, parts))
    left = [p.name for p in (tmp_path / "cache" / "models").iterdir() if not p.name.endswith(".lock")]
    assert left == []


def test_missing_part_names_the_package(tmp_path: Path) -> None:
    parts = [b"a", b"b", b"c"]
    with pytest.raises(ModelPackageError, match="tiny-part2"):
        ensure_model(tmp_path / "cache", _model(parts), locator=_locator(tmp_path, parts, missing=2))
    assert not model_path(tmp_path / "cache", _model(parts)).exists()


def test_real_chunk_package_missing_message() -> None:
    from shelfmind.llm.models import default_part_locator

    model = LocalModel(name="x", tier="fast", pip_prefix="no-such-pkg-part", module_prefix="no_such_pkg_part",
                       parts=1, sha256="0" * 64, size=None, description="")
    with pytest.raises(ModelPackageError) as err:
        default_part_locator(model, 1)
    assert "pip install 'no-such-pkg-part1'" in str(err.value)
