"""First rows on screen after the interpreter starts: `uv run python bench/startup.py STORE`.

Spawns `python app.py --db STORE --offline` in a pseudo-terminal of 120x40, exactly as a
user starts the monitor, and times from just before the process is spawned (so the
interpreter's own start is on the clock) until the terminal output contains the author of
the store's newest mention, the first feed row. Two moments are timed in each run:

- `first_rows`: the author's first appearance, what the reader sees first (the early
  screen drawn before Textual loads, tui/first_paint.py; for a version without it, the
  monitor's own paint);
- `monitor_ready`: the author's first appearance after Textual took the terminal over
  (after it turned mouse reporting on, which the early screen never does): the monitor's
  own first paint of the feed, keys working.

Nothing in the program is instrumented: the clock stops on what the terminal receives.
Each run is a fresh process (the operating system's file cache stays warm after the
first, as for a user who starts it again).

The monitor remembers a store it found intact (cache/db/intact.py) in the user's state
dir; the bench gives the monitors a state dir of its own (XDG_STATE_HOME), so the user's
record is left alone. The first, unrecorded start of each app (whole-file damage check,
cold file cache) is timed apart as `first_start_s_<app>` (first rows) and
`first_start_ready_s_<app>` (monitor ready); the runs after it are the
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
TEXTUAL_STARTED = b"\x1b[?1000h"
"""Textual's driver turns mouse reporting on as it starts (textual/drivers/linux_driver.py)."""


MARKER_CHARS = 11
"""The first row shows at least this much of a handle (15 columns, less a role badge)."""


def newest_author(store: Path) -> str:
    """The start of the handle the first row shows (read with plain sqlite3, off the
    clock): a long handle is cut in the row, and only the row says the feed is there."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
        row = conn.execute(
            "SELECT author FROM mentions ORDER BY created_at DESC, id DESC LIMIT 1"
        ).fetchone()
    if row is None or not row[0]:
        raise SystemExit(f"{store}: no mention with an author to wait for")
    return str(row[0])[:MARKER_CHARS]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_paint(
    app: Path, store: Path, marker: str, state: Path
) -> tuple[float, float, float, float]:
    """Seconds from spawning the monitor until `marker` is first on its terminal, and
    until it is there after Textual started; the CPU seconds the monitor used until each
    (which a busy machine does not inflate)."""
    env = {
        **os.environ,
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(state),
    }
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal gets its size first, then it becomes the monitor
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        os.execve(sys.executable, [sys.executable, str(app), "--db", str(store), "--offline"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    seen = b""
    wanted = marker.encode()
    first_rows: tuple[float, float] | None = None
    try:
        while True:
            if first_rows is None and wanted in seen:
                first_rows = (time.perf_counter() - started, cpu_seconds(pid))
            textual_at = seen.find(TEXTUAL_STARTED)
            if textual_at >= 0 and wanted in seen[textual_at:]:
                break
            if time.perf_counter() - started > LIMIT_S:
                raise TimeoutError(f"{marker!r} not on screen after {LIMIT_S:.0f}s")
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child ended (EIO on Linux)
                    raise RuntimeError(f"the monitor exited: {seen[-500:]!r}") from None
                seen += chunk
        monitor_ready = (time.perf_counter() - started, cpu_seconds(pid))
        first = first_rows or monitor_ready
        return first[0], monitor_ready[0], first[1], monitor_ready[1]
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
    ready: dict[str, list[float]] = {name: [] for name in apps}
    ready_cpu: dict[str, list[float]] = {name: [] for name in apps}
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="echowatch-bench-state-") as state_dir:
        state = Path(state_dir)
        for name, app in apps.items():  # warms the file cache; the check is recorded
            first = first_paint(app, args.store, marker, state)
            figures[f"first_start_s_{name}"] = round(first[0], 3)
            figures[f"first_start_ready_s_{name}"] = round(first[1], 3)
        for _ in range(args.runs):
            for name, app in apps.items():
                wall, wall_ready, used, used_ready = first_paint(app, args.store, marker, state)
                times[name].append(round(wall, 3))
                cpu[name].append(round(used, 3))
                ready[name].append(round(wall_ready, 3))
                ready_cpu[name].append(round(used_ready, 3))
    for name in apps:
        figures[f"first_paint_s_{name}"] = statistics.median(times[name])
        figures[f"first_paint_cpu_s_{name}"] = statistics.median(cpu[name])
        figures[f"monitor_ready_s_{name}"] = statistics.median(ready[name])
        figures[f"monitor_ready_cpu_s_{name}"] = statistics.median(ready_cpu[name])
    figures["runs"] = times
    figures["cpu_runs"] = cpu
    figures["ready_runs"] = ready
    if args.compare is not None:
        for label, values in (("", times), ("cpu_", cpu), ("ready_", ready)):
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
