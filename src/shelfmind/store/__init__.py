"""Small storage helpers: atomic file writes and SQLite connections (WAL, sane pragmas)."""

from shelfmind.store.atomic import atomic_write_bytes, atomic_write_text
from shelfmind.store.sqlite import connect

__all__ = ["atomic_write_bytes", "atomic_write_text", "connect"]
