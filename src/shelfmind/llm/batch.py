"""Run one structured completion per item; an item whose answer fails validation twice (or whose
provider call fails for good) becomes a recorded ItemFailure, never a crash of the batch.

    result = complete_each(llm, prompt, Attrs, items, task="attributes", ledger=ledger)
    result.ok["p1"].value ...         # Structured[Attrs] per item id
    result.failures                   # [ItemFailure(item_id, task, prompt, error, kind, raw)]

Failures are also written to the ledger (table llm_failures) when one is given, so
`shelfmind llm stats` shows them per task.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from tqdm import tqdm

from shelfmind.errors import ProviderError, ValidationFailed
from shelfmind.llm.accounting import Ledger
from shelfmind.llm.base import LLM
from shelfmind.llm.prompts import Prompt
from shelfmind.llm.structured import Structured, complete

T = TypeVar("T", bound=BaseModel)


class ItemFailure(BaseModel):
    item_id: str
    task: str
    prompt: str
    kind: str  # "validation" (invalid twice) or "provider" (the call itself failed after retries)
    error: str
    raw: str = ""


class BatchResult(BaseModel, Generic[T]):
    ok: dict[str, Structured[T]] = Field(default_factory=dict)
    failures: list[ItemFailure] = Field(default_factory=list)

    @property
    def failure_rate(self) -> float:
        total = len(self.ok) + len(self.failures)
        return len(self.failures) / total if total else 0.0


def complete_each(
    llm: LLM,
    prompt: Prompt,
    output: type[T],
    items: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    task: str | None = None,
    ledger: Ledger | None = None,
    dedup_key: Callable[[Mapping[str, Any]], str | None] | None = None,
    progress: bool = False,
    **options: Any,
) -> BatchResult[T]:
    """`items` are (item id, prompt variables). `options` go to `complete` (max_tokens, ...)."""
    result: BatchResult[T] = BatchResult()
    task_name = task or prompt.task
    for item_id, variables in tqdm(list(items), desc=task_name, unit=" items", disable=not progress, leave=False):
        try:
            result.ok[item_id] = complete(llm, prompt, output, task=task_name,
                                          dedup_key=dedup_key(variables) if dedup_key else None,
                                          **options, **variables)
        except (ValidationFailed, ProviderError) as exc:
            failure = ItemFailure(
                item_id=item_id, task=task_name, prompt=prompt.id,
                kind="validation" if isinstance(exc, ValidationFailed) else "provider",
                error=exc.message[:500], raw=str(getattr(exc, "raw", "") or "")[:2000],
            )
            result.failures.append(failure)
            if ledger is not None:
                ledger.record_failure(task_name, prompt.id, item_id, failure.kind, failure.error)
    return result
