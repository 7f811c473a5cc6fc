"""The demo's `serve` stage: serve the storefront over the demo's runtime until Ctrl-C."""

from __future__ import annotations

from typing import Any


def run(rt: Any, options: Any) -> dict[str, Any]:
    from shelfmind.cli.serve import run_server

    host = getattr(options, "host", "127.0.0.1")
    port = int(getattr(options, "port", 8000))
    run_server(rt, host=host, port=port)  # prints the address and the API token; blocks until Ctrl-C
    return {"served": f"http://{host}:{port}/"}
