"""`shelfmind eval ...`: evaluation harnesses. Each subcommand lives in its own module."""

from __future__ import annotations

import importlib

import click

_SUBCOMMANDS = {
    "search": ("shelfmind.cli.eval_search", "eval_search"),
    "attributes": ("shelfmind.cli.eval_attributes", "eval_attributes"),
    "personalization": ("shelfmind.cli.eval_personalization", "eval_personalization"),
    "knowledge": ("shelfmind.cli.eval_knowledge", "eval_knowledge"),
}


class _LazyEval(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _SUBCOMMANDS:
            return None
        module, attr = _SUBCOMMANDS[cmd_name]
        return getattr(importlib.import_module(module), attr)


@click.group("eval", cls=_LazyEval)
def eval_group() -> None:
    """Evaluation harnesses (search, attributes, personalization, knowledge)."""
