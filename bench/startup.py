"""First rows on screen after the interpreter starts: `uv run python bench/startup.py STORE`.

Spawns `python app.py --db STORE --offline` in a pseudo-terminal of 120x40, exactly as a
user starts the monitor, and times from just before the process is spawned (so the
interpreter's own start is on the clock) until the terminal output contains the author of
the store's newest mention, the first feed row. Nothing in the program is instrumented:
the clock stops on what the terminal receives. Each run is a fresh process (the operating
system's file cache stays warm after the first, as for a user who starts it again).

The monitor remembers a store it found intact (cache/db/intact.py) in the user's state
dir; the bench gives the monitors a state dir of its own (XDG_STATE_HOME), so the user's
record is left alone. The first, unrecorded start of each app (whole-file damage check,
cold file cache) is timed apart as `first_start_s_<app>`; the runs after it are the
figures: a user's second start on an unchanged store.

`--app OTHER/app.py` times another tree's `app.py` with the same interpreter, and
`--compare OTHER/app.py` runs both alternately (old, new, old, new, ...) on the same store
and prints the medians and their ratio: on a shared machine only interleaved runs compare.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import sqlite3
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
LIMIT_S = 120.0
COLUMNS, LINES = 120, 40


def newest_author(store: Path) -> str:
    """The handle the first row shows (read with plain sqlite3, off the clock)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT author FROM mentions ORDER BY created_at DESC, id DESC LIMIT 1"
        ).fetchone()
    if row is None or not row[0]:
        raise SystemExit(f"{store}: no mention with an author to wait for")
    return str(row[0])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(app: Path, store: Path, marker: str, state: Path) -> tuple[float, float]:
    """Seconds from spawning the monitor until `marker` is on its terminal, and the CPU
    seconds the monitor used until then (which a busy machine does not inflate)."""
    env = {
        **os.environ,
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(state),
    }
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the monitor
        os.execve(sys.executable, [sys.executable, str(app), "--db", str(store), "--offline"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    seen = b""
    wanted = marker.encode()
    try:
        while wanted not in seen:
            if time.perf_counter() - started > LIMIT_S:
                raise TimeoutError(f"{marker!r} not on screen after {LIMIT_S:.0f}s")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child ended (EIO on Linux)
                    raise RuntimeError(f"the monitor exited: {seen[-500:]!r}") from None
                seen = seen[-len(wanted) :] + chunk if len(seen) > 1 << 20 else seen + chunk
        return time.perf_counter() - started, cpu_seconds(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--app", type=Path, default=APP, help="the app.py to time")
    parser.add_argument("--compare", type=Path, metavar="OLD_APP", help="time this one too")
    args = parser.parse_args(argv)
    marker = newest_author(args.store)
    apps = {"new": args.app} if args.compare is None else {"old": args.compare, "new": args.app}
    times: dict[str, list[float]] = {name: [] for name in apps}
    cpu: dict[str, list[float]] = {name: [] for name in apps}
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="echowatch-bench-state-") as state_dir:
        state = Path(state_dir)
        for name, app in apps.items():  # warms the file cache; the check is recorded
            figures[f"first_start_s_{name}"] = round(
                first_paint(app, args.store, marker, state)[0], 3
            )
        for _ in range(args.runs):
            for name, app in apps.items():
                wall, used = first_paint(app, args.store, marker, state)
                times[name].append(round(wall, 3))
                cpu[name].append(round(used, 3))
    for name in apps:
        figures[f"first_paint_s_{name}"] = statistics.median(times[name])
        figures[f"first_paint_cpu_s_{name}"] = statistics.median(cpu[name])
    figures["runs"] = times
    figures["cpu_runs"] = cpu
    if args.compare is not None:
        for label, values in (("", times), ("cpu_", cpu)):
            figures[f"{label}ratio_new_over_old"] = round(
                statistics.median(values["new"]) / statistics.median(values["old"]), 3
            )
            figures[f"{label}ratios_per_pair"] = [
                round(n / o, 3) for o, n in zip(values["old"], values["new"], strict=True)
            ]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
