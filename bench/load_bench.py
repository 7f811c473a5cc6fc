"""Load benchmark of the service's search and recommend endpoints, over loopback only.

    python bench/load_bench.py [--quick] [--rate 200] [--duration 60] [--runtime doubles|real]
                               [--no-cache] [--url http://127.0.0.1:PORT] [--plot PATH]

Starts the service in its own process (uvicorn on a free 127.0.0.1 port) unless --url points at one
already running (loopback addresses only). First measures idle latency: the same request mix sent
one at a time (the baseline). Then drives an open-loop load at a fixed rate for a fixed duration:
request i is due at t0 + i/rate whatever the server does, so latency is measured from the due time
(no coordinated omission) and a slow server cannot slow the offered load; at most --max-in-flight
requests are outstanding, beyond that a request counts as an error (shed). It stops by itself.

Mix: half GET /api/search, half POST /api/recommend, queries drawn Zipf-like from a grocery query
list (a few head queries, a long tail), users cycling guest + the demo users. Reports p50/p95/p99,
errors, achieved rate, the share of reads answered from the response cache (from /metrics) and the
p95 load/idle ratio (goal: zero errors, ratio <= 2), also against an idle run after the load (warm). A PNG latency plot goes to $SHELFMIND_HOME/reports/ or --plot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import httpx

ERRORS = (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError)

QUERIES = [
    "pasta", "chocolate", "snacks", "cheese", "coffee", "spaghetti", "salsa", "soup", "cereal", "rice",
    "chips", "cookies", "yogurt", "tea", "bread", "juice", "peanut butter", "ice cream", "honey", "popcorn",
    "organic milk", "pasta sauce", "dark chocolate", "green tea", "tortilla chips", "greek yogurt",
    "chicken soup", "olive oil", "granola", "crackers", "hummus", "salmon", "sausage", "bbq sauce",
    "pizza", "mac and cheese", "almond milk", "protein bar", "hot sauce", "oatmeal", "jam", "bagels",
    "movie night snacks", "pasta night", "healthy breakfast", "gluten free pasta", "vegan snacks",
    "cheap dinner", "kids lunch", "party drinks", "spicy snacks", "baking chocolate", "coconut water",
    "italian seasoning", "frozen dessert", "breakfast sausage", "rice noodles", "tomato soup", "trail mix",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def requests_mix(users: list[str | None], seed: int = 0) -> list[tuple[str, str, dict]]:
    """An endless-enough list of (method, path, payload), Zipf-like over QUERIES."""
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(len(QUERIES))]
    out = []
    for i in range(200_000):
        q = rng.choices(QUERIES, weights)[0]
        if i % 2 == 0:
            out.append(("GET", "/api/search", {"q": q, "k": 20}))
        else:
            out.append(("POST", "/api/recommend", {"query": q, "user_id": users[i // 2 % len(users)]}))
    return out


class RawClient:
    """A minimal HTTP/1.1 keep-alive client (asyncio streams): far cheaper per request than httpx, so
    the load generator does not compete with the server for the CPU it measures."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def request(self, method: str, path: str, body: bytes | None = None, headers: str = "") -> int:
        while self.idle and time.monotonic() - self.idle[0][0] > 3.0:  # the server drops idle ones after 5 s
            self.idle.pop(0)[2].close()
        if self.idle:
            _, reader, writer = self.idle.pop()
        else:
            self.opened += 1
            reader, writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n{headers}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        try:
            writer.write(head.encode() + b"\r\n" + (body or b""))
            header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            status = int(header.split(b" ", 2)[1])
            m = re.search(rb"(?i)content-length: *([0-9]+)", header)
            if m is None:
                raise ConnectionError("response without Content-Length")
            await asyncio.wait_for(reader.readexactly(int(m.group(1))), 10)
        except BaseException:
            writer.close()
            raise
        if len(self.idle) < self.size:
            self.idle.append((time.monotonic(), reader, writer))
        else:
            writer.close()
        return status

    def close(self) -> None:
        for _, _, w in self.idle:
            w.close()


SESSIONS: dict[str, str] = {}  # user id -> shopper session (personalised results need one)


async def send(client: RawClient, req: tuple[str, str, dict]) -> int:
    method, path, payload = req
    if method == "GET":
        return await client.request("GET", f"{path}?{urlencode(payload)}")
    user = payload.get("user_id")
    headers = f"X-Session: {SESSIONS[user]}\r\n" if user in SESSIONS else ""
    return await client.request("POST", path, json.dumps(payload).encode(), headers)


async def idle(client: RawClient, mix: list[tuple[str, str, dict]], n: int) -> Sample:
    s = Sample()
    for req in mix[:n]:
        t = time.perf_counter()
        try:
            code = await send(client, req)
        except ERRORS as exc:
            s.error(type(exc).__name__)
            continue
        s.latencies.append(time.perf_counter() - t)
        if code != 200:
            s.error(f"HTTP {code}")
    return s


async def load(client: RawClient, mix: list[tuple[str, str, dict]], rate: float, duration: float,
               max_in_flight: int) -> tuple[Sample, float, list[tuple[float, float]]]:
    s = Sample()
    timeline: list[tuple[float, float]] = []  # (due offset, latency)
    in_flight = 0
    tasks: set[asyncio.Task[None]] = set()
    total = int(rate * duration)

    async def one(req: tuple[str, str, dict], due: float, t0: float) -> None:
        nonlocal in_flight
        try:
            code = await send(client, req)
            lat = time.perf_counter() - due
            s.latencies.append(lat)
            timeline.append((due - t0, lat))
            if code != 200:
                s.error(f"HTTP {code}")
        except ERRORS as exc:
            s.error(type(exc).__name__)
        finally:
            in_flight -= 1

    t0 = time.perf_counter()
    for i in range(total):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if in_flight >= max_in_flight:
            s.error("shed (too many in flight)")
            continue
        in_flight += 1
        task = asyncio.create_task(one(mix[i % len(mix)], due, t0))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    sent_for = time.perf_counter() - t0
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    return s, total / sent_for, timeline


def cache_ratio(metrics_text: str) -> float | None:
    """Share of cached reads answered without computing (cache hits, and misses that joined one in flight)."""
    counts = {kind: sum(float(v) for v in re.findall(
        rf'shelfmind_response_cache_total{{[^}}]*result="{kind}"}} ([0-9.e+]+)', metrics_text))
        for kind in ("hit", "shared", "miss")}
    total = sum(counts.values())
    return 1 - counts["miss"] / total if total else None


def start_server(runtime: str, cache: bool, home: str, read_workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    factory = {"doubles": "shelfmind.service.testing:create_test_app",
               "real": "shelfmind.service.app:create_runtime_app"}[runtime]
    env = {**os.environ, "SHELFMIND_HOME": home, "SHELFMIND_SERVICE_CACHE": "2048" if cache else "0",
           "SHELFMIND_SERVICE_READ_WORKERS": str(read_workers)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not start within 120 s")


def plot(timeline: list[tuple[float, float]], idle_p95: float, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(9, 4))
    xs, ys = zip(*sorted(timeline), strict=True) if timeline else ((), ())
    ax.scatter(xs, [y * 1000 for y in ys], s=2, alpha=0.4, label="request latency under load")
    ax.axhline(idle_p95 * 1000, color="green", label="idle p95")
    ax.axhline(2 * idle_p95 * 1000, color="red", linestyle="--", label="goal: 2 x idle p95")
    ax.set_yscale("log")
    ax.set_xlabel("seconds into the run")
    ax.set_ylabel("latency (ms)")
    ax.set_title(title)
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


async def main_async(args: argparse.Namespace, url: str) -> int:
    users: list[str | None] = [None]
    with contextlib.suppress(httpx.HTTPError, ValueError, TypeError, KeyError):
        for u in httpx.get(f"{url}/api/users", timeout=30).json():
            session = httpx.post(f"{url}/api/session", json={"user_id": u["id"]}, timeout=30)
            if session.status_code == 200:
                SESSIONS[u["id"]] = session.json()["token"]
                users.append(u["id"])
    mix = requests_mix(users)
    parsed = urlparse(url)
    client = RawClient(parsed.hostname or "127.0.0.1", parsed.port or 80, args.max_in_flight)
    try:
        await idle(client, mix, 40)  # warm-up (connections, caches, lazy components)
        base = await idle(client, mix[40:], args.idle_n)
        under, achieved, timeline = await load(client, mix[40 + args.idle_n:], args.rate, args.duration,
                                               args.max_in_flight)
        after = await idle(client, mix[-args.idle_n:], args.idle_n)  # idle again, caches warm
    finally:
        client.close()
    ratio = cache_ratio(httpx.get(f"{url}/metrics", timeout=30).text)
    p95_ratio = pct(under.latencies, 95) / pct(base.latencies, 95)
    what = (f"service at {url}" if args.url else f"{args.runtime} runtime, response cache {'on' if args.cache else 'off'}"
            f", {args.read_workers} read worker(s)")
    print(f"\nload_bench: {what}, "
          f"{args.rate:.0f} req/s offered for {args.duration:.0f} s")
    print(f"{'phase':<22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, s in (("idle (sequential)", base), (f"load ({achieved:.0f} req/s)", under), ("idle after, warm", after)):
        n = len(s.latencies) + sum(s.errors.values())
        print(f"{name:<22}{n:>9}{sum(s.errors.values()):>8}{pct(s.latencies, 50) * 1e3:>9.2f}"
              f"{pct(s.latencies, 95) * 1e3:>9.2f}{pct(s.latencies, 99) * 1e3:>9.2f}"
              f"{max(s.latencies, default=float('nan')) * 1e3:>9.2f}")
    warm_ratio = pct(under.latencies, 95) / pct(after.latencies, 95)
    print(f"p95 load / idle = {p95_ratio:.2f}x (goal <= 2.00x); against the warm idle: {warm_ratio:.2f}x   "
          f"errors: {under.errors or 'none'}"
          + (f"   answered from cache {ratio:.0%}" if ratio is not None else ""))
    out = Path(args.plot) if args.plot else Path(os.environ.get("SHELFMIND_HOME", tempfile.gettempdir())) / "reports" / "load_bench.png"
    plot(timeline, pct(base.latencies, 95), out, f"{args.rate:.0f} req/s, {args.runtime}, cache {'on' if args.cache else 'off'}")
    print(f"plot: {out}")
    ok = not under.errors and not base.errors and p95_ratio <= 2.0
    return 0 if ok else 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rate", type=float, default=200.0, help="offered requests per second")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--quick", action="store_true", help="10 s of load")
    ap.add_argument("--runtime", choices=["doubles", "real"], default="doubles",
                    help="doubles: in-memory test doubles over the bundled catalog; real: the built SHELFMIND_HOME")
    ap.add_argument("--no-cache", dest="cache", action="store_false", help="turn the response cache off")
    ap.add_argument("--url", help="an already running service (loopback only)")
    ap.add_argument("--idle-n", type=int, default=200, help="sequential requests for the idle baseline")
    ap.add_argument("--max-in-flight", type=int, default=256)
    ap.add_argument("--read-workers", type=int, default=1, help="threads of the service's read lane")
    ap.add_argument("--plot", help="PNG path (default $SHELFMIND_HOME/reports/load_bench.png)")
    args = ap.parse_args()
    if args.quick:
        args.duration = min(args.duration, 10.0)
        args.idle_n = min(args.idle_n, 100)
    if not (0 < args.rate <= 2000 and 0 < args.duration <= 600):
        raise SystemExit("--rate must be in (0, 2000] and --duration in (0, 600]")
    proc = None
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK:
            raise SystemExit(f"refusing to load {host!r}: this benchmark only drives loopback addresses")
        url = args.url.rstrip("/")
    else:
        home = os.environ.get("SHELFMIND_HOME") if args.runtime == "real" else tempfile.mkdtemp(prefix="sm-load-")
        if not home:
            raise SystemExit("--runtime real needs SHELFMIND_HOME pointing at a built home (shelfmind demo)")
        proc, url = start_server(args.runtime, args.cache, home, args.read_workers)
    try:
        code = asyncio.run(main_async(args, url))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    sys.exit(code)


if __name__ == "__main__":
    main()
