"""Provider-portable LLM layer.

Domain code receives an `LLM` (protocol in `base`) and calls `structured.complete(...)` with a
versioned `Prompt` and a pydantic output model. Wrappers (cache, retry, router, accounting) satisfy
the same protocol and stack: Metered(Cached(Retrying(provider))) per tier, under a Router.
"""

from shelfmind.llm.base import LLM, ChatRequest, ChatResponse, Message, RequestMeta, TokenLogprob, Usage
from shelfmind.llm.prompts import Prompt, load_prompt
from shelfmind.llm.structured import Structured, complete

__all__ = [
    "LLM",
    "ChatRequest",
    "ChatResponse",
    "Message",
    "Prompt",
    "RequestMeta",
    "Structured",
    "TokenLogprob",
    "Usage",
    "complete",
    "load_prompt",
]
