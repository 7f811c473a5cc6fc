from __future__ import annotations

from pathlib import Path

import pytest

from shelfmind.enrich.schema import (
    AttributeSpec,
    AttrType,
    CategorySchema,
    SchemaSet,
    grocery_schema,
    load_schemas,
    save_schemas,
)
from shelfmind.errors import ConfigError, NotFound
from shelfmind.llm.providers.fake import FakeLLM


def test_toml_and_json_round_trip(tmp_path: Path) -> None:
    schemas = SchemaSet(categories=[grocery_schema(), CategorySchema(name="wine", attributes=[
        AttributeSpec(name="colour", type=AttrType.ENUM, values=["red", "white", "rosé"], description='say "red"'),
        AttributeSpec(name="volume", type=AttrType.NUMBER, unit="ml", units=["l", "cl"]),
    ])], default="grocery")
    for name in ("s.toml", "s.json"):
        save_schemas(schemas, tmp_path / name)
        again = load_schemas(tmp_path / name)
        assert again == schemas
        assert again.for_category("WINE").get("colour").values == ["red", "white", "rosé"]  # type: ignore[union-attr]
    assert "[[categories.attributes]]" in (tmp_path / "s.toml").read_text()
    assert schemas.for_category("unknown").name == "grocery"  # the default


def test_bad_schema_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[categories]]\nname = "x"\n[[categories.attributes]]\nname = "a"\ntype = "colour"\n')
    with pytest.raises(ConfigError):
        load_schemas(bad)
    with pytest.raises(NotFound):
        load_schemas(tmp_path / "missing.toml")
    with pytest.raises(NotFound):
        SchemaSet(categories=[grocery_schema(), CategorySchema(name="b")]).for_category("c")


def test_propose_schema_is_validated_and_saved_editable(make_service, corpus) -> None:  # type: ignore[no-untyped-def]
    llm = FakeLLM().enqueue({"attributes": [
        {"name": "organic", "type": "bool", "description": "Labelled organic."},
        {"name": "pasta_shape", "type": "enum", "description": "Shape.", "values": ["spaghetti", "penne"]},
        {"name": "net_weight", "type": "number", "description": "Net weight.", "unit": "g"},
        {"name": "organic", "type": "bool", "description": "duplicate"},
    ]})
    service = make_service(llm, corpus)
    schema = service.propose_schema("pasta", corpus[:2])
    assert [a.name for a in schema.attributes] == ["organic", "pasta_shape", "net_weight"]
    assert schema.source.startswith("llm:fake:scripted:enrich_schema@")
    saved = load_schemas(service.schemas_path)
    assert saved.for_category("pasta").get("net_weight").unit == "g"  # type: ignore[union-attr]
    # the sample products went inside the delimited data block
    user = llm.requests[0].messages[-1].content
    assert "<<<PRODUCTS" in user and "Organic Spaghetti" in user
