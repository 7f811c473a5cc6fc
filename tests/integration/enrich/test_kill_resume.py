"""kill -9 in the middle of a job, then rerun: nothing lost, nothing done twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "fixtures" / "enrich" / "slow_job.py"
N = 12


def _done(home: Path) -> int:
    db = home / "enrich.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM results WHERE status='done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_kill_minus_nine_then_resume(tmp_path: Path) -> None:
    home = tmp_path / "job"
    home.mkdir()
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(home), str(N), "0.25"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while _done(home) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _done(home)
    assert 3 <= killed_at < N

    out = subprocess.run([sys.executable, str(SCRIPT), str(home), str(N), "0"], capture_output=True, text=True,
                         timeout=60, env=os.environ.copy())
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["skipped"] == killed_at  # nothing done twice...
    assert report["skipped"] + report["done"] == N and _done(home) == N  # ...nothing lost
    calls = Counter((home / "calls.log").read_text().splitlines())
    assert len(calls) == N and max(calls.values()) == 1  # every product sent to the model exactly once
