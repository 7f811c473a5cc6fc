"""shelfmind: generative AI over a store's own data, offline-first."""

__version__ = "0.1.0"
