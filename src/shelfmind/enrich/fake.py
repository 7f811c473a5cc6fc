"""A deterministic fake model for attribute extraction (tests, plumbing, Ray workers).

It reads the request's JSON schema and the product data block, and answers what a careful reader
would: enum members and list items that occur in the text, booleans whose name occurs, and
"name: value" pairs. It can be slow (`delay_s`), log every answered product (`log_path`), return
token log-probabilities with a chosen confidence per attribute, and "obey" instructions injected
in the product text (`obey_injection`) to show that validation and grounding catch them.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Any

from shelfmind.llm.base import ChatRequest, ChatResponse, TokenLogprob, Usage

_BLOCK = re.compile(r"<<<PRODUCT\n(.*?)\nPRODUCT>>>", re.S)
_BATCH_KEY = re.compile(r"P\d+")
_OBEY = re.compile(r"ignore (all )?(previous|prior|above) instructions", re.I)


class SpanFakeLLM:
    def __init__(self, *, delay_s: float = 0.0, log_path: Path | str | None = None, obey_injection: bool = False,
                 confidence: float = 0.95, confidences: dict[str, float] | None = None,
                 model_id: str = "fake:span") -> None:
        self.delay_s = delay_s
        self.log_path = Path(log_path) if log_path else None
        self.obey_injection = obey_injection
        self.confidence = confidence
        self.confidences = confidences or {}
        self._model_id = model_id
        self.calls = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    def answer(self, schema: dict[str, Any], text: str) -> dict[str, Any]:
        low = text.lower()
        out: dict[str, Any] = {}
        for name, prop in schema.get("properties", {}).items():
            kinds = prop.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if self.obey_injection and _OBEY.search(text):
                out[name] = [] if "array" in kinds else (True if "boolean" in kinds else
                                                          (prop["enum"][0] if "enum" in prop else "PWNED"))
                continue
            if "enum" in prop:
                out[name] = next((v for v in prop["enum"] if v and str(v).lower() in low), None)
            elif "array" in kinds:
                items = prop.get("items", {}).get("enum") or []
                out[name] = [v for v in items if v.lower() in low][: prop.get("maxItems", 5)]
            elif "boolean" in kinds:
                out[name] = name.replace("_", " ").lower() in low
            else:
                m = re.search(re.escape(name.replace("_", " ")) + r"\s*[:=]\s*([^,.;\n]+)", text, re.I)
                out[name] = m.group(1).strip() if m else None
        return out

    def chat(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        blocks = _BLOCK.findall(request.messages[-1].content)
        schema = request.json_schema or {}
        props = schema.get("properties", {})
        if props and all(_BATCH_KEY.fullmatch(k) for k in props):  # several products: the last len(props) blocks
            texts = blocks[-len(props):] if len(blocks) >= len(props) else [""] * len(props)
            answer: dict[str, Any] = {k: self.answer(props[k], t) for k, t in zip(props, texts, strict=True)}
        else:
            texts = [blocks[-1] if blocks else ""]
            answer = self.answer(schema, texts[0])
        if self.delay_s:
            time.sleep(self.delay_s)
        body, tokens = self._render(answer) if request.logprobs else (json.dumps(answer), None)
        if self.log_path is not None:
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.writelines(t.split("\n", 1)[0] + "\n" for t in texts)
        return ChatResponse(text=body, model=self._model_id, logprobs=tokens, finish_reason="stop",
                            usage=Usage(prompt_tokens=sum(len(m.content) for m in request.messages) // 4,
                                        completion_tokens=len(body) // 4))

    def _render(self, answer: dict[str, Any]) -> tuple[str, list[TokenLogprob]]:
        tokens = [TokenLogprob(token="{", logprob=0.0)]
        for i, (key, value) in enumerate(answer.items()):
            tokens.append(TokenLogprob(token=("" if i == 0 else ", ") + json.dumps(key) + ": ", logprob=0.0))
            if _BATCH_KEY.fullmatch(key) and isinstance(value, dict):  # one product of a batched answer
                tokens += self._render(value)[1]
                continue
            lp = math.log(max(1e-6, self.confidences.get(key, self.confidence)))
            tokens.append(TokenLogprob(token=json.dumps(value, ensure_ascii=False), logprob=lp))
        tokens.append(TokenLogprob(token="}", logprob=0.0))
        return "".join(t.token for t in tokens), tokens


def span_worker(schemas_json: str) -> Any:
    """A per-product function backed by SpanFakeLLM (picklable via functools.partial: Ray tests)."""
    from shelfmind.enrich.extract import Extractor
    from shelfmind.enrich.schema import SchemaSet

    extractor = Extractor(SpanFakeLLM(model_id="fake:span-ray"), SchemaSet.model_validate_json(schemas_json))
    return lambda inp: extractor.extract(inp.id, inp.category or "", inp.title, inp.description)
