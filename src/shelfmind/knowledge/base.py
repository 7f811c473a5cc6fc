"""What the rest of shelfmind reads from the knowledge base (personas/, search/, service/).

The knowledge store implements this protocol; consumers depend on it, never on the store class, so
they can be tested with a small in-memory double.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from shelfmind.schemas import IntentLink, Relation, RelationKind, Theme


@runtime_checkable
class KnowledgeLookup(Protocol):
    def themes_for(self, query: str, *, limit: int = 6) -> list[Theme]:
        """Themes stored for a query or intent (normalised match, then nearest known intent)."""
        ...

    def intent_products(self, intent: str, *, limit: int = 50) -> list[IntentLink]:
        """Approved / auto-approved intent -> product links, best first."""
        ...

    def relations(self, product_id: str, kinds: Sequence[RelationKind] = (), *, limit: int = 20) -> list[Relation]:
        """Approved / auto-approved relations of a product (complements, substitutes, ...)."""
        ...

    def intents_of_product(self, product_id: str, *, limit: int = 10) -> list[str]:
        """Intents a product serves (flows back into its text representation)."""
        ...
