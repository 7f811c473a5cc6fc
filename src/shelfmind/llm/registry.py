"""Model spec strings -> providers. Providers are plugins: `register_provider(prefix, factory)`.

    local:qwen2.5-coder-1.5b        embedded GGUF (strong tier)
    local:qwen2.5-coder-0.5b        embedded GGUF (fast tier)
    openai:gpt-4o-mini              OpenAI (OPENAI_API_KEY)
    openai-compat:MODEL@BASE_URL    any OpenAI-compatible server (key: SHELFMIND_OPENAI_COMPAT_KEY)
    anthropic:MODEL / gemini:MODEL  optional extras
    replay:PATH                     answers from a recorded cassette
    fake:                           scripted FakeLLM (tests)
"""

from __future__ import annotations

from collections.abc import Callable

from shelfmind.config import Settings
from shelfmind.errors import ConfigError
from shelfmind.llm.base import LLM

ProviderFactory = Callable[[str, Settings], LLM]
_PROVIDERS: dict[str, ProviderFactory] = {}


def register_provider(prefix: str, factory: ProviderFactory) -> None:
    _PROVIDERS[prefix] = factory


def providers() -> list[str]:
    return sorted(_PROVIDERS)


def parse_spec(spec: str) -> tuple[str, str]:
    if ":" not in spec:
        raise ConfigError(f"model spec {spec!r} has no provider prefix", hint="e.g. local:qwen2.5-coder-1.5b")
    prefix, _, rest = spec.partition(":")
    return prefix, rest


def build_provider(spec: str, settings: Settings) -> LLM:
    prefix, rest = parse_spec(spec)
    if prefix not in _PROVIDERS:
        raise ConfigError(f"unknown model provider {prefix!r} in {spec!r}", hint=f"known: {', '.join(providers())}")
    return _PROVIDERS[prefix](rest, settings)


def _local(name: str, settings: Settings) -> LLM:
    from shelfmind.llm.models import get_local_model
    from shelfmind.llm.providers.local_llamacpp import LocalLLM

    return LocalLLM(get_local_model(name), settings.cache_dir, threads=settings.llm_threads, n_ctx=settings.llm_context)


def _openai(name: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.openai_compat import OpenAICompatLLM

    return OpenAICompatLLM(name, timeout_s=settings.llm_timeout_s)


def _openai_compat(rest: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.openai_compat import OpenAICompatLLM

    model, sep, base_url = rest.partition("@")
    if not sep:
        raise ConfigError(f"openai-compat spec needs MODEL@BASE_URL, got {rest!r}")
    return OpenAICompatLLM(
        model, base_url=base_url, api_key_env="SHELFMIND_OPENAI_COMPAT_KEY", prefix="openai-compat",
        timeout_s=settings.llm_timeout_s,
    )


def _anthropic(name: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.anthropic import AnthropicLLM

    return AnthropicLLM(name)


def _gemini(name: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.gemini import GeminiLLM

    return GeminiLLM(name)


def _replay(path: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.replay import ReplayLLM

    return ReplayLLM(path)


def _fake(rest: str, settings: Settings) -> LLM:
    from shelfmind.llm.providers.fake import FakeLLM

    return FakeLLM(model_id=f"fake:{rest}" if rest else "fake:scripted")


for _prefix, _factory in {
    "local": _local,
    "openai": _openai,
    "openai-compat": _openai_compat,
    "anthropic": _anthropic,
    "gemini": _gemini,
    "replay": _replay,
    "fake": _fake,
}.items():
    register_provider(_prefix, _factory)
