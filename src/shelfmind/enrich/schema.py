"""Attribute schemas per category: typed attributes, loaded from / saved to an editable file.

    [[categories]]
    name = "grocery"
    [[categories.attributes]]
    name = "organic"
    type = "bool"
    description = "Certified or labelled organic."
    cues = ["organic"]

Types: bool, number (with `unit` and `units` it may be written in), enum (`values`), list (of
strings, optionally restricted to `values`), string. `synonyms` map surface forms to canonical
values; `case` picks the casing normalisation; `cues` are words whose presence in the text makes
an inferred value (a bool, an enum member) grounded; `inference` names an explicit inference rule;
`requires` is a regex the text must match before the attribute is asked for at all (e.g. a digit
for a width), which skips attributes the text cannot contain.
Files are TOML or JSON; `save_schemas` writes TOML (a tiny writer: the structure is flat).
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from shelfmind.errors import ConfigError, DataError, NotFound
from shelfmind.store.atomic import atomic_write_text


class AttrType(StrEnum):
    BOOL = "bool"
    NUMBER = "number"
    ENUM = "enum"
    LIST = "list"
    STRING = "string"


class Casing(StrEnum):
    KEEP = "keep"  # keep the source's casing (extraction benchmarks score exact spans)
    LOWER = "lower"
    TITLE = "title"
    UPPER = "upper"


class InferenceRule(StrEnum):
    """Explicit rules under which a value that is not a span of the text counts as grounded."""

    NONE = "none"
    CUE_WORDS = "cue_words"  # any of `cues` occurs in the text (e.g. "organic" -> organic=true)
    ABSENCE_MEANS_FALSE = "absence_means_false"  # false is grounded by the cues' absence


class AttributeSpec(BaseModel):
    name: str
    type: AttrType = AttrType.STRING
    description: str = ""
    unit: str | None = None  # canonical unit for numbers
    units: list[str] = Field(default_factory=list)  # other units it may be written in
    values: list[str] = Field(default_factory=list)  # enum members / allowed list items
    synonyms: dict[str, str] = Field(default_factory=dict)  # surface form -> canonical value
    case: Casing = Casing.KEEP
    cues: list[str] = Field(default_factory=list)
    inference: InferenceRule = InferenceRule.NONE
    max_items: int = 5
    max_length: int = 80
    examples: list[str] = Field(default_factory=list)  # typical values, shown in the prompt
    requires: str | None = None  # regex the text (and the value) must match for a value to be possible
    attach_unit: bool = False  # span snapping keeps the unit written right after a number (6" not 6)
    value_pattern: str | None = None  # regex a value must fully match (e.g. digits only for a UPC)

    @property
    def key(self) -> str:
        return self.name


class CategorySchema(BaseModel):
    name: str
    description: str = ""
    attributes: list[AttributeSpec] = Field(default_factory=list)
    source: str = "user"  # "user", "llm", "dataset"

    def get(self, name: str) -> AttributeSpec | None:
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def version(self) -> str:
        raw = json.dumps(self.model_dump(mode="json", exclude={"source"}), sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:10]


class SchemaSet(BaseModel):
    """All categories' schemas. `default` is used for products whose category has no schema."""

    categories: list[CategorySchema] = Field(default_factory=list)
    default: str | None = None

    def for_category(self, category: str | None) -> CategorySchema:
        by_name = {c.name.lower(): c for c in self.categories}
        if category and category.lower() in by_name:
            return by_name[category.lower()]
        if self.default and self.default.lower() in by_name:
            return by_name[self.default.lower()]
        if len(self.categories) == 1:
            return self.categories[0]
        raise NotFound(f"no attribute schema for category {category!r}",
                       hint="add it to the schema file or run `shelfmind enrich --propose-schema`")

    def upsert(self, schema: CategorySchema) -> None:
        self.categories = [c for c in self.categories if c.name.lower() != schema.name.lower()] + [schema]


def load_schemas(path: Path | str) -> SchemaSet:
    path = Path(path)
    if not path.exists():
        raise NotFound(f"no attribute schema file {path}")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot parse attribute schema file: {exc}", file=str(path)) from exc
    try:
        return SchemaSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"invalid attribute schema file {path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc


def save_schemas(schemas: SchemaSet, path: Path | str) -> Path:
    path = Path(path)
    if path.suffix == ".json":
        return atomic_write_text(path, schemas.model_dump_json(indent=2, exclude_defaults=True))
    return atomic_write_text(path, to_toml(schemas))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(schemas: SchemaSet) -> str:
    lines = ["# Attribute schemas per category. Edit freely; shelfmind enrich reads this file.",
             "# types: bool, number (unit, units), enum (values), list (values optional), string", ""]
    if schemas.default:
        lines += [f"default = {_toml_value(schemas.default)}", ""]
    for cat in schemas.categories:
        lines.append("[[categories]]")
        for key, value in cat.model_dump(mode="json", exclude={"attributes"}).items():
            lines.append(f"{key} = {_toml_value(value)}")
        for attr in cat.attributes:
            lines += ["", "[[categories.attributes]]"]
            defaults = AttributeSpec(name=attr.name).model_dump(mode="json")
            for key, value in attr.model_dump(mode="json").items():
                if key == "name" or value != defaults[key]:
                    lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def grocery_schema() -> CategorySchema:
    """The default schema for the bundled grocery catalog (packaged foods)."""
    allergens = ["milk", "eggs", "peanuts", "tree nuts", "soy", "wheat", "fish", "shellfish", "sesame"]
    return CategorySchema(
        name="grocery",
        description="Packaged foods: name and ingredient list.",
        attributes=[
            AttributeSpec(name="product_type", description="What the product is, in 1-3 words (e.g. 'pasta sauce').",
                          case=Casing.LOWER, max_length=40),
            AttributeSpec(name="flavor", description="Main flavour named in the product name, if any.",
                          case=Casing.LOWER, max_length=30),
            AttributeSpec(name="organic", type=AttrType.BOOL, description="Labelled organic.",
                          cues=["organic"], inference=InferenceRule.ABSENCE_MEANS_FALSE),
            AttributeSpec(name="allergens", type=AttrType.LIST, values=allergens,
                          description="Major allergens present in the ingredients.",
                          synonyms={"egg": "eggs", "peanut": "peanuts", "almonds": "tree nuts", "nuts": "tree nuts",
                                    "soya": "soy", "soy lecithin": "soy", "wheat flour": "wheat", "milk powder": "milk",
                                    "whey": "milk", "butter": "milk", "cream": "milk", "cheese": "milk"},
                          cues=["milk", "egg", "peanut", "almond", "cashew", "walnut", "hazelnut", "pecan", "soy",
                                "wheat", "fish", "shrimp", "crab", "sesame", "whey", "butter", "cream", "cheese"],
                          inference=InferenceRule.CUE_WORDS),
            AttributeSpec(name="sweetener", type=AttrType.ENUM,
                          values=["sugar", "corn syrup", "honey", "artificial", "none"],
                          description="Main added sweetener.",
                          synonyms={"high fructose corn syrup": "corn syrup", "cane sugar": "sugar",
                                    "sucralose": "artificial", "aspartame": "artificial"},
                          cues=["sugar", "syrup", "honey", "sucralose", "aspartame"], inference=InferenceRule.CUE_WORDS),
            AttributeSpec(name="package_size", type=AttrType.NUMBER, unit="g", units=["kg", "oz", "lb", "ml", "l"],
                          description="Net weight or volume if stated."),
        ],
    )
