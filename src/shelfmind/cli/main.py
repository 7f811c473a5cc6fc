"""Entry point. Subcommands are imported lazily (see LAZY_COMMANDS), so `shelfmind --help` is fast
and a missing optional extra only breaks the command that needs it.

Expected errors (ShelfmindError) print as one line on stderr with exit code 2 (1 for provider
failures); set SHELFMIND_DEBUG=1 to get the traceback instead. stdout carries data, stderr logs.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Any

import click

from shelfmind.errors import ProviderError, ShelfmindError

# command name -> "module:attribute". Each module owns one command or group.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("shelfmind.cli.catalog", "ingest"),
    "text": ("shelfmind.cli.catalog", "text"),
    "llm": ("shelfmind.cli.llm", "llm"),
    "demo": ("shelfmind.cli.demo", "demo"),
    "index": ("shelfmind.cli.search", "index"),
    "search": ("shelfmind.cli.search", "search"),
    "eval": ("shelfmind.cli.eval", "eval_group"),
    "enrich": ("shelfmind.cli.enrich", "enrich"),
    "review": ("shelfmind.cli.review", "review"),
    "kb": ("shelfmind.cli.kb", "kb"),
    "recipe": ("shelfmind.cli.kb", "recipe"),
    "user": ("shelfmind.cli.user", "user"),
    "recommend": ("shelfmind.cli.recommend", "recommend"),
    "serve": ("shelfmind.cli.serve", "serve"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[cmd_name]
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                if os.environ.get("SHELFMIND_DEBUG"):
                    raise
                reason = str(exc)

                @click.command(cmd_name, help=f"(unavailable: {reason})")
                def _unavailable() -> None:
                    raise click.ClickException(f"command {cmd_name!r} is unavailable: {reason}")

                return _unavailable
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), envvar="SHELFMIND_HOME", help="State directory.")
@click.option("-v", "--verbose", count=True, help="More logging on stderr.")
@click.version_option(package_name="shelfmind")
@click.pass_context
def cli(ctx: click.Context, home: str | None, verbose: int) -> None:
    """shelfmind: enrich, understand and search a store's catalog with embedded LLMs."""
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if home:
        os.environ["SHELFMIND_HOME"] = home
    ctx.ensure_object(dict)


def get_runtime(ctx: click.Context | None = None) -> Any:
    """The Runtime for this invocation (created once, lazily)."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    root.ensure_object(dict)
    if "runtime" not in root.obj:
        from shelfmind.runtime import Runtime

        root.obj["runtime"] = Runtime()
    return root.obj["runtime"]


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="shelfmind", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ShelfmindError as exc:
        if os.environ.get("SHELFMIND_DEBUG"):
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(1 if isinstance(exc, ProviderError) else 2)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
