"""The human review queue shared by enrichment and the knowledge base."""

from shelfmind.review.queue import Decision, ReviewItem, ReviewKind, ReviewQueue

__all__ = ["Decision", "ReviewItem", "ReviewKind", "ReviewQueue"]
