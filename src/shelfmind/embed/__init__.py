from shelfmind.embed.base import Embedder, HashingEmbedder

__all__ = ["Embedder", "HashingEmbedder"]
