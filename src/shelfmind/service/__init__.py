"""The HTTP service: JSON API, storefront and review console (FastAPI)."""

from shelfmind.service.app import create_app

__all__ = ["create_app"]
