"""Named extraction configurations, shared by `shelfmind enrich --preset`, `bench/enrich_sweep.py`
(F1 and token cost of one configuration) and `bench/enrich_bench.py` (throughput against the naive
baseline). Measured on the same 30 WDC-PAVE offers (two largest categories, seed 1): see the README.

    cfg = preset("stated")            # an ExtractConfig
    PRESETS["stated"].whole_list      # the schema lists every annotated attribute (WDC-PAVE runs)
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shelfmind.enrich.extract import ExtractConfig
from shelfmind.errors import UserError


class Preset(NamedTuple):
    config: dict[str, Any]
    whole_list: bool = True  # WDC-PAVE: every annotated attribute (not only the paper's core set)
    per_call: int = 1  # products per LLM call
    in_a_row: bool = True  # similar products of one category one after another (prompt-prefix reuse)
    note: str = ""


RICH: dict[str, Any] = {"descriptions": True, "few_shot": 3, "demo_budget": 400, "text_budget": 1200,
                        "skip_impossible": False}
LEAN: dict[str, Any] = {"descriptions": False, "few_shot": 2, "demo_budget": 200, "text_budget": 1200,
                        "compact_demos": True, "prompt_name": "enrich_extract_prefix"}
# answers name only the attributes the text states; demonstrations show only theirs (compact); the
# prompt lists every attribute (one cached prefix per category); attributes whose learned value form
# occurs nowhere in the text are not asked
STATED: dict[str, Any] = {**RICH, "demo_reuse": 2, "skip_unformed": True, "list_all": True,
                          "optional_keys": True, "compact_demos": True, "prompt_name": "enrich_extract_stated"}
# stated, with fixed demonstrations that together show every attribute (a cached prefix), then the
# nearest retrieved ones (evaluated per product)
FIXED_NEAR: dict[str, Any] = {**STATED, "fixed_demos": True, "fixed_coverage": True}

PRESETS: dict[str, Preset] = {
    "naive": Preset({"descriptions": True, "few_shot": 3, "demo_budget": 800, "text_budget": 4000,
                     "skip_impossible": False}, in_a_row=False,
                    note="the throughput baseline: long demonstrations and texts, every key answered, catalog order"),
    "rich": Preset({**RICH, "demo_reuse": 2}, note="naive's content, shorter texts and demonstrations"),
    "rich-fixed": Preset({**RICH, "fixed_demos": True}, note="one fixed set of demonstrations per category"),
    "rich-fixed5": Preset({**RICH, "fixed_demos": True, "few_shot": 5}),
    "rich-reuse6": Preset({**RICH, "demo_reuse": 6}, note="keep the previous demonstrations while among the 9 nearest"),
    "rich-form": Preset({**RICH, "demo_reuse": 2, "skip_unformed": True, "list_all": True},
                        note="rich without attributes whose value form is nowhere in the text"),
    "stated": Preset(STATED, note="answers name only stated attributes"),
    "stated-near2": Preset({**STATED, "few_shot": 2}, note="stated, 2 retrieved demonstrations"),
    "stated-fixed5": Preset({**STATED, "fixed_demos": True, "few_shot": 5},
                            note="stated, 5 fixed demonstrations: all but the product is a cached prefix"),
    "stated-fixed4-near1": Preset({**FIXED_NEAR, "few_shot": 4, "retrieved_after_fixed": 1},
                                  note="stated, 4 fixed demonstrations (cached) + the nearest one"),
    "stated-fixed8-near1": Preset({**FIXED_NEAR, "few_shot": 8, "retrieved_after_fixed": 1},
                                  note="stated, 8 fixed demonstrations (cached) + the nearest one"),
    "stated-fixed4-near2": Preset({**FIXED_NEAR, "few_shot": 4, "retrieved_after_fixed": 2},
                                  note="stated, 4 fixed demonstrations (cached) + the 2 nearest"),
    "lean": Preset({**LEAN, "demo_reuse": 2}, whole_list=False, note="core attributes, no descriptions"),
    "lean-full": Preset({**LEAN, "demo_reuse": 2}),
    "lean-b4": Preset(LEAN, whole_list=False, per_call=4),
    "lean-b4-optional": Preset({**LEAN, "optional_keys": True}, whole_list=False, per_call=4),
    "rich-b4": Preset(RICH, per_call=4),
    "rich-b4-optional": Preset({**RICH, "text_budget": 1500, "optional_keys": True, "compact_demos": True,
                                "prompt_name": "enrich_extract_prefix"}, per_call=4),
}


def preset(name: str, **overrides: Any) -> ExtractConfig:
    """The named configuration as an ExtractConfig (products per call included)."""
    if name not in PRESETS:
        raise UserError(f"unknown extraction preset {name!r}", hint="one of: " + ", ".join(sorted(PRESETS)))
    p = PRESETS[name]
    return ExtractConfig(**{**p.config, "batch_size": p.per_call, **overrides})
