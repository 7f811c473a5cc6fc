"""Settings, in one place. Environment variables use the prefix SHELFMIND_.

State lives under one directory, SHELFMIND_HOME (default: the per-user data dir), so two runs with
different homes never interfere. Model files are assembled once into SHELFMIND_CACHE_DIR
(default: the per-user cache dir), shared between homes because they are immutable and verified.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_TASK_TIERS: dict[str, str] = {
    # task name -> tier name; tiers map to model specs below
    "query_understanding": "fast",
    "query_expansion": "strong",
    "product_text_template": "strong",
    "attributes": "strong",
    "attribute_schema": "strong",
    "knowledge": "strong",
    "verify": "strong",
    "explanation": "strong",
    "recipe": "strong",
    "persona": "strong",
    "statement": "strong",
    "rerank": "strong",
    "default": "strong",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHELFMIND_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("shelfmind")))
    cache_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_cache_dir("shelfmind")))

    # model tiers: spec strings, see shelfmind.llm.registry
    llm_strong: str = "local:qwen2.5-coder-1.5b"
    llm_fast: str = "local:qwen2.5-coder-0.5b"
    task_tiers: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_TASK_TIERS))

    llm_timeout_s: float = 120.0
    llm_max_retries: int = 3
    llm_cache: bool = True
    llm_threads: int = 0  # 0 = number of cores
    llm_context: int = 4096
    # USD per 1M tokens (input, output) by model id, merged over llm.accounting.DEFAULT_PRICES
    llm_prices: dict[str, tuple[float, float]] = Field(default_factory=dict)

    embedder: str = "minilm-int8"  # or "hashing" (tests only)
    embed_threads: int = 0  # onnxruntime intra-op threads; 0 = onnxruntime's default
    api_token: str | None = None  # required for review and write endpoints of the service

    @cached_property
    def paths(self) -> HomePaths:
        return HomePaths(self.home)

    def tier_for(self, task: str) -> str:
        return self.task_tiers.get(task, self.task_tiers.get("default", "strong"))

    def spec_for_tier(self, tier: str) -> str:
        specs = {"strong": self.llm_strong, "fast": self.llm_fast}
        if tier not in specs:
            from shelfmind.errors import ConfigError

            raise ConfigError(f"unknown model tier {tier!r}", hint="tiers are: strong, fast")
        return specs[tier]


class HomePaths:
    """Every file shelfmind writes under SHELFMIND_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    def ensure(self) -> HomePaths:
        self.home.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def catalog_db(self) -> Path:
        return self.home / "catalog.sqlite"

    @property
    def llm_db(self) -> Path:
        """LLM response cache + call accounting."""
        return self.home / "llm.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def knowledge_db(self) -> Path:
        return self.home / "knowledge.sqlite"

    @property
    def enrich_db(self) -> Path:
        return self.home / "enrich.sqlite"

    @property
    def review_db(self) -> Path:
        return self.home / "review.sqlite"

    @property
    def users_db(self) -> Path:
        return self.home / "users.sqlite"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
