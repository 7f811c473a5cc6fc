"""`shelfmind serve`: the storefront, the review console and the JSON API (uvicorn)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from shelfmind.cli.main import get_runtime


def run_server(runtime: Any, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning",
               demo_logins: bool = True) -> None:
    """Serve `runtime` until interrupted. Prints the address and the API token on stderr.

    The token is `Settings.api_token` (env SHELFMIND_API_TOKEN); when unset a random one is generated
    for this process, so the review console is never open without one."""
    import uvicorn

    from shelfmind.service.app import create_app
    from shelfmind.service.security import new_token

    settings = getattr(runtime, "settings", None)
    token = getattr(settings, "api_token", None)
    generated = not token
    token = token or new_token()
    app = create_app(runtime, api_token=token, demo_logins=demo_logins)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"shelfmind is serving the storefront at http://{shown}:{port}/", err=True)
    click.echo(f"  review console: http://{shown}:{port}/review   API docs: http://{shown}:{port}/docs", err=True)
    if generated:
        click.echo(f"  API token for this run (set SHELFMIND_API_TOKEN to choose one): {token}", err=True)
    else:
        click.echo("  API token: from SHELFMIND_API_TOKEN", err=True)
    logging.getLogger("shelfmind").setLevel(logging.INFO)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            timeout_graceful_shutdown=5)
    uvicorn.Server(config).run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--doubles", is_flag=True,
              help="Serve in-memory test doubles over the bundled catalog (no build needed; for UI work).")
@click.option("--no-demo-logins", is_flag=True, help="Close POST /api/session (shoppers need real sessions).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, doubles: bool, no_demo_logins: bool, log_level: str) -> None:
    """Serve the storefront (/), the review console (/review) and the JSON API (/api, /docs)."""
    rt = get_runtime()
    if doubles:
        from shelfmind.service.testing import test_runtime

        doubles_rt = test_runtime(rt.paths.home / "service-doubles", api_token=rt.settings.api_token)
        run_server(doubles_rt, host=host, port=port, log_level=log_level, demo_logins=not no_demo_logins)
        return
    try:
        run_server(rt, host=host, port=port, log_level=log_level, demo_logins=not no_demo_logins)
    except OSError as exc:
        click.echo(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(2)
