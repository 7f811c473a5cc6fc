"""Declarative catalog configs (TOML).

    name = "instacart"
    primary = "products"            # the product table (default: the first table)
    id = "product_id"               # its id column
    name_field = "product_name"     # or name_template = "{brand} {product_type}"

    [[tables]]
    name = "products"
    path = "${SHELFMIND_DATA}/instacart/products.csv"   # relative paths: relative to this file
    [[tables]]
    name = "aisles"
    path = "${SHELFMIND_DATA}/instacart/aisles.csv"
    key = "aisle_id"                 # lookup tables are indexed by key

    [[joins]]                       # chains allowed: a join may start from a joined table
    from = "products.aisle_id"
    to = "aisles.aisle_id"

    [[fields]]
    column = "aisles.aisle"         # table.column, a primary column, or a nested JSON path (nutrition.fat)
    name = "aisle"                  # output field name (default: column with dots -> underscores)
    kind = "categorical"            # text | numeric | categorical | boolean | list
    unit = "g/100g"                 # numeric only, optional
    required = false

`${SHELFMIND_DATA}` defaults to the `shared/data` folder beside the repository checkout.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from shelfmind.errors import ConfigError, DataError
from shelfmind.schemas import FieldKind

Format = Literal["csv", "tsv", "jsonl", "parquet"]


class TableSpec(BaseModel):
    name: str
    path: str
    format: Format | None = None
    delimiter: str | None = None
    encoding: str = "utf-8"
    key: str | None = None  # for lookup tables

    def resolved_format(self) -> Format:
        if self.format:
            return self.format
        base = self.path[:-3] if self.path.endswith(".gz") else self.path
        ext = base.rsplit(".", 1)[-1].lower()
        if ext in ("csv", "tsv", "parquet"):
            return ext  # type: ignore[return-value]
        if ext in ("jsonl", "ndjson", "json"):
            return "jsonl"
        raise ConfigError(f"table {self.name!r}: cannot tell the format of {self.path!r}", hint="set format = ...")


class JoinSpec(BaseModel):
    from_: str = Field(alias="from")
    to: str


class FieldConfig(BaseModel):
    column: str
    name: str | None = None
    kind: FieldKind
    unit: str | None = None
    description: str | None = None
    required: bool = False

    @property
    def out_name(self) -> str:
        return self.name or self.column.replace(".", "_")


class CatalogConfig(BaseModel):
    name: str
    primary: str | None = None
    id: str
    name_field: str | None = None
    name_template: str | None = None
    price: str | None = None
    in_stock: str | None = None
    limit: int | None = None
    tables: list[TableSpec]
    joins: list[JoinSpec] = Field(default_factory=list)
    fields: list[FieldConfig] = Field(default_factory=list)
    source: str | None = None  # path of the config file (set by load_config)

    @model_validator(mode="after")
    def _check(self) -> CatalogConfig:
        names = [t.name for t in self.tables]
        if not names:
            raise ValueError("at least one table is needed")
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate table names: {names}")
        if self.primary is None:
            self.primary = names[0]
        if self.primary not in names:
            raise ValueError(f"primary table {self.primary!r} is not among the tables {names}")
        if not (self.name_field or self.name_template):
            raise ValueError("set name_field or name_template")
        outs = [f.out_name for f in self.fields]
        dup = {n for n in outs if outs.count(n) > 1}
        if dup:
            raise ValueError(f"two fields map to the same name: {sorted(dup)}")
        for j in self.joins:
            for ref in (j.from_, j.to):
                if "." not in ref or ref.split(".", 1)[0] not in names:
                    raise ValueError(f"join reference {ref!r} must be table.column with a known table")
        return self

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def resolve_path(self, spec: TableSpec) -> Path:
        raw = expand_vars(spec.path)
        path = Path(raw)
        if not path.is_absolute() and self.source:
            path = Path(self.source).parent / path
        return path


_VAR = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def default_data_dir() -> Path:
    """shared/data beside the repository (../shared/data from the checkout root)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if (parent / "pyproject.toml").exists() and candidate.exists():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def expand_vars(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        var = m.group(1)
        if var in os.environ:
            return os.environ[var]
        if var == "SHELFMIND_DATA":
            return str(default_data_dir())
        raise ConfigError(f"environment variable {var} is not set (used in {text!r})")

    return _VAR.sub(sub, text)


def load_config(path: Path | str) -> CatalogConfig:
    path = Path(path)
    if not path.exists():
        raise DataError("catalog config not found", file=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    data["source"] = str(path)
    try:
        return CatalogConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {loc + ': ' if loc else ''}{err['msg']}") from exc
