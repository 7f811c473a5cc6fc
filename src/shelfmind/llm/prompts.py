"""Versioned prompt files.

A prompt lives in `shelfmind/llm/prompts/<name>.toml`:

    name = "product_text_template"
    version = "1"
    task = "product_text_template"
    system = "..."
    user = "... {columns} ..."      # str.format fields

Bump `version` whenever the wording changes: it goes into cache keys and every stored output.
Untrusted text (catalog fields, user statements) is passed only as *variables*, which are
inserted inside clearly delimited data blocks by the prompt; it can never change the output schema,
which is fixed by the caller's pydantic model.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shelfmind.errors import NotFound, UserError
from shelfmind.llm.base import Message


class Prompt(BaseModel):
    name: str
    version: str
    task: str
    system: str
    user: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def fields(self) -> set[str]:
        names: set[str] = set()
        for text in (self.system, self.user):
            for _, field, _, _ in string.Formatter().parse(text):
                if field:
                    names.add(field.split(".")[0].split("[")[0])
        return names

    def render(self, **variables: Any) -> list[Message]:
        missing = self.fields() - set(variables)
        if missing:
            raise UserError(f"prompt {self.id} needs variables {sorted(missing)}")
        return [
            Message(role="system", content=self.system.format(**variables)),
            Message(role="user", content=self.user.format(**variables)),
        ]


def _prompt_dir() -> Path:
    return Path(str(resources.files("shelfmind.llm") / "prompts"))


@cache
def load_prompt(name: str) -> Prompt:
    path = _prompt_dir() / f"{name}.toml"
    if not path.exists():
        raise NotFound(f"no prompt file {name}.toml", hint=f"prompts live in {_prompt_dir()}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.setdefault("name", name)
    data.setdefault("task", name)
    return Prompt(**data)


def list_prompts() -> list[Prompt]:
    return [load_prompt(p.stem) for p in sorted(_prompt_dir().glob("*.toml"))]
