"""The persona catalog: a configurable TOML file (default: `personas/personas.toml`, packaged)."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from shelfmind.errors import ConfigError


class PersonaDef(BaseModel):
    id: str
    name: str
    description: str
    question: str = ""
    yes_statement: str = ""
    # one lowercase word naming the persona: the LLM answers it (see personas/choose.py); default: id's first part
    keyword: str = ""
    boosts: dict[str, float] = Field(default_factory=dict)

    @property
    def answer_word(self) -> str:
        return (self.keyword or self.id.split("_")[0]).lower()

    def boost(self, facts: dict[str, str] | set[str]) -> float:
        return sum(w for f, w in self.boosts.items() if f in facts)


class PersonaCatalog(BaseModel):
    version: str = "1"
    personas: list[PersonaDef] = Field(alias="persona")

    model_config = {"populate_by_name": True}

    def get(self, key: str) -> PersonaDef:
        """By id or (case-insensitive) name."""
        low = key.lower()
        for p in self.personas:
            if p.id == key or p.name.lower() == low:
                return p
        raise ConfigError(f"unknown persona {key!r}", hint=f"known: {', '.join(p.id for p in self.personas)}")

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.personas]

    @property
    def fingerprint(self) -> str:
        """Changes whenever the catalog changes: part of persona cache keys."""
        import hashlib

        return hashlib.sha256(self.model_dump_json(by_alias=True).encode()).hexdigest()[:12]


def default_catalog_path() -> Path:
    return Path(str(resources.files("shelfmind.personas") / "personas.toml"))


@cache
def load_persona_catalog(path: str | Path | None = None) -> PersonaCatalog:
    path = Path(path or os.environ.get("SHELFMIND_PERSONAS_FILE") or default_catalog_path())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        catalog = PersonaCatalog.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"cannot read persona catalog {path}: {exc}") from None
    if len(set(catalog.ids)) != len(catalog.ids):
        raise ConfigError(f"persona catalog {path}: duplicate persona ids")
    return catalog
