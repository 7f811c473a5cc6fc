"""Optional LLM rerank of the top-k (an offline experiment; no LLM is in the serving path).

For each of the top-k products the LLM answers a yes/no question ("is this product a good result
for the query?") constrained to {"answer": "yes"|"no"}; P(yes) is read from the answer token's
log-probabilities (as `llm.scoring`). The new order is P(yes) + `prior` x the fused order's
reciprocal-rank share, so ties and near-ties keep the retrieval order. Query and title go only
into delimited data blocks; calls are cached by the LLM cache, so reruns are free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shelfmind.llm.base import LLM, ChatRequest, RequestMeta
from shelfmind.llm.prompts import load_prompt
from shelfmind.llm.scoring import yes_probability

PROMPT = "search_rerank"
_YES_NO = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
           "required": ["answer"]}


class LLMReranker:
    def __init__(self, llm: LLM, *, top_k: int = 10, prior: float = 0.3) -> None:
        self.llm = llm
        self.top_k = top_k
        self.prior = prior
        self.prompt = load_prompt(PROMPT)

    def p_yes(self, query: str, title: str) -> float:
        p = self.prompt
        request = ChatRequest(
            messages=p.render(query=query[:200], product=title[:200]), json_schema=_YES_NO, schema_name="yes_no",
            max_tokens=8, temperature=0.0, logprobs=True, top_logprobs=5,
            meta=RequestMeta(task=p.task, prompt_name=p.name, prompt_version=p.version),
        )
        response = self.llm.chat(request)
        return yes_probability(response.logprobs, response.text)

    def rerank(self, query: str, ranked: Sequence[str], titles: Mapping[str, str]) -> list[str]:
        """`ranked` ids best first; the top_k are reordered, the rest keep their places."""
        head = list(ranked[: self.top_k])
        scored = []
        for rank, pid in enumerate(head):
            title = titles.get(pid)
            p = self.p_yes(query, title) if title else 0.0
            scored.append((p + self.prior * (1.0 / (rank + 1)), -rank, pid))
        scored.sort(reverse=True)
        return [pid for _, _, pid in scored] + list(ranked[self.top_k:])
