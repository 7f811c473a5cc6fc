"""Schema-constrained attribute extraction for one product, with quality control.

    extractor = Extractor(llm, schemas, demos=pool, config=ExtractConfig())
    result = extractor.extract("p1", "grocery", "Organic Spaghetti", "Organic durum wheat ...")
    result.values["organic"].value, .confidence, .grounding.status, .status

The JSON schema sent to the model (and the pydantic model that validates its answer) is built
from the category's attribute schema: enums, nullable types, maxLength, maxItems, capped
max_tokens. The product text only fills a delimited data block. Every value is normalised,
grounded in the text and scored; ungrounded or low-confidence values, and every value of a
product with suspicious input, need review and are never auto-approved.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from shelfmind.enrich.confidence import value_confidences
from shelfmind.enrich.demos import Demo, DemoPool
from shelfmind.enrich.grounding import Grounding, GroundStatus, ground
from shelfmind.enrich.inputs import InputFlag, PreparedText, prepare
from shelfmind.enrich.normalize import clean_text, is_null, normalize
from shelfmind.enrich.schema import AttributeSpec, AttrType, CategorySchema, SchemaSet
from shelfmind.errors import ProviderError
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import Prompt, load_prompt
from shelfmind.llm.structured import complete, inputs_hash
from shelfmind.schemas import AssertionStatus

REVIEW_FLAGS = frozenset({InputFlag.INJECTION, InputFlag.NON_ENGLISH, InputFlag.FAILED})


class ExtractConfig(BaseModel):
    descriptions: bool = True  # attribute descriptions and example values in the prompt
    few_shot: int = 2  # retrieved demonstrations per product
    normalize: bool = True  # per-attribute normalisation (span snapping, units, synonyms, casing)
    grounding_filter: bool = True  # ungrounded values are not accepted (they go to review)
    skip_impossible: bool = True  # do not ask for attributes whose `requires` pattern is absent
    logprobs: bool = True  # token log-probabilities -> confidence per value
    review_threshold: float = 0.55  # below this confidence a value needs review
    text_budget: int = 1200  # characters of description kept (smart truncation)
    tokens_per_attribute: int = 20
    demo_budget: int = 240  # characters of each demonstration's description
    fixed_demos: bool = False  # same demonstrations for a whole category (prompt-prefix reuse) vs retrieved
    # with fixed_demos: this many retrieved demonstrations follow the fixed ones (the fixed part stays a
    # cached prompt prefix; only the nearest examples are evaluated per product)
    retrieved_after_fixed: int = Field(default=0, ge=0, le=4)
    # fixed demonstrations chosen so that together they show every attribute (vs the richest ones)
    fixed_coverage: bool = False
    # prompt-prefix reuse with retrieved demonstrations: keep the previous product's demonstrations
    # while they are all among the top few_shot + demo_reuse retrieved ones (0: always re-retrieve)
    demo_reuse: int = 0
    # demonstrations answer every labelled attribute of the category, non-null only, compact JSON,
    # so a demonstration renders the same for every product (needs a prompt with examples first)
    compact_demos: bool = False
    prompt_name: str = "enrich_extract"  # enrich_extract_prefix: examples before the attribute list
    # products of one category per LLM call in batch jobs (enrich.batch; 1 = one call per product)
    batch_size: int = Field(default=1, ge=1, le=8)
    # answer keys are optional: only stated attributes are written (fewer output tokens; pairs with
    # compact_demos, whose answers show only stated attributes)
    optional_keys: bool = False
    # do not ask for an attribute whose learned value form (`value_pattern`, e.g. a number with a
    # length unit) occurs nowhere in the text: grounding would refuse any value it could give
    skip_unformed: bool = False
    # the prompt lists every attribute of the category even when the answer asks fewer (the
    # instructions and attribute block stay one cached prompt prefix for the whole category)
    list_all: bool = False


class AttrValue(BaseModel):
    name: str
    value: Any = None
    raw: Any = None
    confidence: float = 0.0
    grounding: Grounding
    status: AssertionStatus = AssertionStatus.PROPOSED
    reason: str = ""


class ProductResult(BaseModel):
    product_id: str
    category: str
    values: dict[str, AttrValue] = Field(default_factory=dict)
    flags: list[InputFlag] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)  # attributes not asked (text cannot contain them)
    text: str = ""  # the prepared text the values were grounded in
    model: str = ""
    prompt: str = ""
    prompt_version: str = ""
    schema_version: str = ""
    inputs_hash: str = ""
    cached: bool = False
    error: str | None = None

    def accepted(self) -> dict[str, Any]:
        return {n: v.value for n, v in self.values.items()
                if v.status == AssertionStatus.AUTO_APPROVED and v.value is not None}

    def to_review(self) -> list[AttrValue]:
        return [v for v in self.values.values() if v.status == AssertionStatus.NEEDS_REVIEW]

    def predictions(self, *, grounded_only: bool = True, accepted_only: bool = False) -> dict[str, Any]:
        """Values as an evaluation sees them: ungrounded ones dropped when `grounded_only`; with
        `accepted_only`, only auto-approved values (what reaches the catalog without a review)."""
        if accepted_only:
            return {n: (v.value if v.status == AssertionStatus.AUTO_APPROVED else None) for n, v in self.values.items()}
        return {n: (None if grounded_only and not v.grounding.status.ok else v.value) for n, v in self.values.items()}


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _field(spec: AttributeSpec) -> tuple[Any, Any]:
    if spec.type == AttrType.BOOL:
        return bool | None, Field(None, alias=spec.name)
    if spec.type == AttrType.ENUM and spec.values:
        return Literal[tuple(spec.values)] | None, Field(None, alias=spec.name)  # type: ignore[valid-type]
    if spec.type == AttrType.LIST:
        item: Any = Literal[tuple(spec.values)] if spec.values else str  # type: ignore[valid-type]
        return list[item] | None, Field(None, alias=spec.name, max_length=spec.max_items)
    return str | None, Field(None, alias=spec.name, max_length=spec.max_length + 40)


@lru_cache(maxsize=256)
def _answer_model(schema_json: str, names: tuple[str, ...]) -> type[BaseModel]:
    """A pydantic model for the answer (attribute names are arbitrary strings: used as aliases)."""
    cat = CategorySchema.model_validate_json(schema_json)
    fields = {f"a{i}": _field(spec) for i, name in enumerate(names) if (spec := cat.get(name)) is not None}
    model: type[BaseModel] = create_model("AttributeAnswer", __base__=_Answer, **fields)  # type: ignore[call-overload]
    return model


def json_schema_for(specs: list[AttributeSpec], *, optional: bool = False) -> dict[str, Any]:
    """The answer's JSON schema. `optional`: keys may be left out (an omitted key is "not stated"), so
    the model writes no `"key":null` tokens for what the text does not state."""
    props: dict[str, Any] = {}
    for s in specs:
        if s.type == AttrType.BOOL:
            props[s.name] = {"type": ["boolean", "null"]}
        elif s.type == AttrType.ENUM and s.values:
            props[s.name] = {"enum": [*s.values, None]}
        elif s.type == AttrType.LIST:
            item = {"enum": s.values} if s.values else {"type": "string", "maxLength": 40}
            props[s.name] = {"type": "array", "items": item, "maxItems": s.max_items}
        else:
            props[s.name] = {"type": ["string", "null"], "maxLength": s.max_length}
    required = [] if optional else [s.name for s in specs]
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def _type_hint(spec: AttributeSpec) -> str:
    if spec.type == AttrType.BOOL:
        return "true/false"
    if spec.type == AttrType.NUMBER:
        return f"number with unit{', e.g. ' + spec.unit if spec.unit else ''}"
    if spec.type == AttrType.ENUM:
        return "one of " + ", ".join(spec.values)
    if spec.type == AttrType.LIST:
        return "list" + (" of " + ", ".join(spec.values) if spec.values else "")
    return "text"


def _form_possible(spec: AttributeSpec, text: str) -> bool:
    """Whether the text contains anything of the attribute's value form (no form: always possible)."""
    import re

    if not spec.value_pattern or spec.type in (AttrType.BOOL, AttrType.ENUM):
        return True
    pattern = spec.value_pattern
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$"):
        pattern = pattern[:-1]
    return re.search(pattern, text) is not None


def _data(text: str) -> str:
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


class Extractor:
    def __init__(self, llm: LLM, schemas: SchemaSet, *, demos: DemoPool | None = None,
                 config: ExtractConfig | None = None, prompt: Prompt | None = None) -> None:
        self.llm = llm
        self.schemas = schemas
        self.demos = demos or DemoPool()
        self.config = config or ExtractConfig()
        self.prompt = prompt or load_prompt(self.config.prompt_name)
        self._last_demos: dict[str, list[Demo]] = {}  # category -> demonstrations of the previous call

    # ---- prompt pieces ----------------------------------------------------------------------
    def attributes_block(self, specs: list[AttributeSpec]) -> str:
        if not self.config.descriptions:
            return "\n".join(f"- {s.name}" for s in specs)
        lines = []
        for s in specs:
            line = f"- {s.name} ({_type_hint(s)})"
            if s.description:
                line += f": {s.description}"
            if s.examples:
                line += " Examples: " + "; ".join(s.examples[:4])
            lines.append(line)
        return "\n".join(lines)

    def examples_block(self, category: str, text: str, specs: list[AttributeSpec], exclude: str) -> str:
        demos = self.select_demos(category, text, exclude)
        parts = []
        for i, d in enumerate(demos, 1):
            if self.config.compact_demos:  # identical rendering whatever the product asks
                cat = self.schemas.for_category(category)
                answer = {s.name: v for s in cat.attributes if (v := d.values.get(s.name)) is not None}
            else:  # review decisions label only the reviewed attributes: show just those
                answer = {s.name: d.values.get(s.name) for s in specs if d.source != "review" or s.name in d.values}
            title, _, desc = d.text.partition("\n")
            demo_text = prepare(title, desc, budget=self.config.demo_budget).text
            dumped = json.dumps(answer, ensure_ascii=False,
                                separators=(",", ":") if self.config.compact_demos else None)
            parts.append(f"Example {i}:\n<<<PRODUCT\n{_data(demo_text)}\nPRODUCT>>>\nAnswer: {dumped}\n")
        return "\n".join(parts)

    def select_demos(self, category: str, text: str, exclude: str) -> list[Demo]:
        k = self.config.few_shot
        if self.config.fixed_demos:
            fixed = self.demos.fixed(category, k, exclude=[exclude], coverage=self.config.fixed_coverage)
            n = self.config.retrieved_after_fixed
            if n <= 0:
                return fixed
            near = self.demos.retrieve(category, text, n + len(fixed), exclude=[exclude, *(d.id for d in fixed)])
            return fixed + near[:n]
        if self.config.demo_reuse <= 0:
            return self.demos.retrieve(category, text, k, exclude=[exclude])
        window = self.demos.retrieve(category, text, k + self.config.demo_reuse, exclude=[exclude])
        ids = {d.id for d in window}
        last = self._last_demos.get(category.lower())
        if last and len(last) == min(k, len(window)) and all(d.id in ids for d in last):
            return last  # same demonstrations as the previous call: the prompt prefix is reused
        chosen = window[:k]
        if last:  # the demonstrations the previous call also had come first, in its order (a longer shared prefix)
            kept = [d for d in last if d.id in {c.id for c in chosen}]
            kept_ids = {d.id for d in kept}
            chosen = kept + [d for d in chosen if d.id not in kept_ids]
        self._last_demos[category.lower()] = chosen
        return chosen

    def plan(self, category: str, title: str, description: str | None) -> tuple[CategorySchema, PreparedText,
                                                                                 list[AttributeSpec], list[str]]:
        import re

        cat = self.schemas.for_category(category)
        keywords = [w for s in cat.attributes for w in [s.name, *s.cues]]
        prep = prepare(title, description, budget=self.config.text_budget, keywords=keywords)
        asked, skipped = [], []
        for s in cat.attributes:
            impossible = self.config.skip_impossible and s.requires and not re.search(s.requires, prep.text, re.I)
            if impossible or (self.config.skip_unformed and not _form_possible(s, prep.text)):
                skipped.append(s.name)
            else:
                asked.append(s)
        return cat, prep, asked, skipped

    # ---- one product ------------------------------------------------------------------------
    def extract(self, product_id: str, category: str, title: str, description: str | None) -> ProductResult:
        cat, prep, specs, skipped = self.plan(category, title, description)
        result = ProductResult(product_id=product_id, category=cat.name, flags=list(prep.flags), skipped=skipped,
                               text=prep.text, prompt=self.prompt.id, prompt_version=self.prompt.version,
                               schema_version=cat.version, model=self.llm.model_id)
        if not specs or not prep.text:
            result.values = {s.name: self._absent(s.name) for s in cat.attributes}
            return result
        variables: dict[str, Any] = {
            "category": cat.name,
            "attributes": self.attributes_block(cat.attributes if self.config.list_all else specs),
            "examples": self.examples_block(cat.name, prep.text, specs, product_id),
            "text": _data(prep.text),
        }
        max_tokens = min(1024, 16 + sum(self.config.tokens_per_attribute * (3 if s.type == AttrType.LIST else 1)
                                        for s in specs))
        names = tuple(s.name for s in specs)
        try:
            answer = complete(self.llm, self.prompt, _answer_model(cat.model_dump_json(), names), task="attributes",
                              json_schema=json_schema_for(specs, optional=self.config.optional_keys), max_tokens=max_tokens,
                              logprobs=self.config.logprobs, top_logprobs=1 if self.config.logprobs else 0,
                              **variables)
        except ProviderError as exc:  # ValidationFailed included: one product fails, never the batch
            result.flags.append(InputFlag.FAILED)
            result.error = str(exc)[:500]
            result.inputs_hash = inputs_hash(variables)
            return result
        raw = answer.value.model_dump(by_alias=True)
        conf: dict[str, float | None] = dict(value_confidences(answer.logprobs, names)) if answer.logprobs \
            else dict.fromkeys(names)
        result.model, result.inputs_hash, result.cached = answer.trace.model, answer.trace.inputs_hash, answer.trace.cached
        values = {s.name: self._absent(s.name) for s in cat.attributes}
        for s in specs:
            values[s.name] = self.check(s, raw.get(s.name), prep.text, conf.get(s.name), result.flags)
        result.values = values
        return result

    def check(self, spec: AttributeSpec, raw: Any, text: str, confidence: float | None,
              flags: list[InputFlag]) -> AttrValue:
        """Normalise, ground and score one value, and decide whether it needs review. Without token
        log-probabilities (providers that give none) the grounding strength is the confidence."""
        if self.config.normalize:
            value = normalize(spec, raw, text)
        else:
            value = None if is_null(raw) else (clean_text(raw) if isinstance(raw, str) else raw)
        grounding = ground(spec, value, text)
        if confidence is None:
            confidence = 0.9 * grounding.score if grounding.status.ok else 0.0
        out = AttrValue(name=spec.name, value=value, raw=raw, confidence=round(confidence, 4), grounding=grounding)
        bad_input = [f.value for f in flags if f in REVIEW_FLAGS]
        if value is None:
            out.status = AssertionStatus.AUTO_APPROVED if not bad_input else AssertionStatus.PROPOSED
        elif grounding.status == GroundStatus.UNGROUNDED:
            out.status, out.reason = AssertionStatus.NEEDS_REVIEW, "ungrounded: not found in the product text"
        elif bad_input:
            out.status, out.reason = AssertionStatus.NEEDS_REVIEW, f"flagged input: {', '.join(bad_input)}"
        elif confidence < self.config.review_threshold:
            out.status, out.reason = AssertionStatus.NEEDS_REVIEW, f"low confidence {confidence:.2f}"
        else:
            out.status = AssertionStatus.AUTO_APPROVED
        if not self.config.grounding_filter and value is not None and grounding.status == GroundStatus.UNGROUNDED:
            out.status = AssertionStatus.AUTO_APPROVED  # ablation only: accept ungrounded values
        return out

    @staticmethod
    def _absent(name: str) -> AttrValue:
        return AttrValue(name=name, grounding=Grounding(status=GroundStatus.ABSENT, score=1.0),
                         status=AssertionStatus.AUTO_APPROVED, confidence=1.0)
