"""Replay / record cassettes keyed by a hash of the request (ChatRequest.cache_key).

    ReplayLLM("tests/fixtures/x.jsonl")                 # answers only from the cassette
    ReplayLLM("x.jsonl", record=LocalLLM(...))          # misses go to the real model and are appended

A cassette line: {"key": ..., "model": ..., "request": {...}, "response": {...}}.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from shelfmind.errors import NotFound
from shelfmind.llm.base import LLM, ChatRequest, ChatResponse


class ReplayLLM:
    def __init__(self, path: Path | str, *, record: LLM | None = None, model_id: str | None = None) -> None:
        self.path = Path(path)
        self.record = record
        self._model_id = model_id or (record.model_id if record else "replay")
        self._lock = threading.Lock()
        self._entries: dict[str, ChatResponse] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self._entries[row["key"]] = ChatResponse.model_validate(row["response"])
                    self._model_id = model_id or row.get("model", self._model_id)

    @property
    def model_id(self) -> str:
        return self._model_id

    def chat(self, request: ChatRequest) -> ChatResponse:
        key = request.cache_key(self.model_id)
        if key in self._entries:
            return self._entries[key]
        if self.record is None:
            raise NotFound(
                f"no recorded answer for this request in {self.path.name} (key {key[:12]}…)",
                hint="re-record the cassette with a real model",
            )
        response = self.record.chat(request)
        with self._lock:
            self._entries[key] = response
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({"key": key, "model": self.model_id, "request": request.model_dump(mode="json"),
                                     "response": response.model_dump(mode="json")}) + "\n")
        return response
