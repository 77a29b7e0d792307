"""Where an import's time goes in SQL, statement by statement:
`bench/statements.py STORE SEGMENT [--worker]`.

Copies STORE into a temporary folder (the store itself is never written), imports the
JSON Lines file SEGMENT into the copy with `cache.write.importer.import_paths`, the engine
of `app.py import`, and times every statement the importing process runs on its
connection. Prints the wall microseconds per new mention of each statement (the slowest
first), of all SQL together and of the whole import. Statements that differ only in
their number of `?` are counted as one.

On one core by default (reading and classifying in the same process, so the figures do
not include waiting for the worker); `--worker` imports as `app.py import` does. Run it
on a small and a large store with the same fresh segment to see what grows, e.g. the
stores `bench/scale.py` builds and a segment of a seed they do not hold.

`--cpu` times each statement, and the whole import, by the storing thread's CPU
(`time.thread_time`) instead of the wall clock. With `--worker` the two processes
compete for the cores, and a wall-clock figure then also counts the time a statement
waited for one, or for the disk: the `COMMIT` of the same import measured 2.1 to 8.5 µs
a mention by the wall clock, 2.4 to 2.7 by CPU.

`--pages` imports without any checkpoint instead (the WAL then keeps every page each
commit wrote) and prints the pages written per new mention, by table or index: what a
mention costs in writing, and which b-tree writes more of them as the store grows.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from cache.db.store import Store  # noqa: E402
from cache.write.importer import import_paths  # noqa: E402
from filters.classify import Classifier  # noqa: E402
from sources.model.config import Config  # noqa: E402

SHOWN = 15


class TimedConnection:
    """A sqlite3 connection whose `execute` and `executemany` add their time to `spent`,
    read from `clock` (the wall clock unless told)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        spent: dict[str, float],
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_spent", spent)
        object.__setattr__(self, "_clock", clock)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._conn, name, value)

    def __enter__(self) -> Any:  # `with conn:` (a transaction), as the store's code uses it
        return self._conn.__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._conn.__exit__(*exc)

    def execute(self, sql: str, *args: Any) -> Any:
        return self._timed(self._conn.execute, sql, args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return self._timed(self._conn.executemany, sql, args)

    def _timed(self, run: Callable[..., Any], sql: str, args: tuple[Any, ...]) -> Any:
        started = self._clock()
        cursor = run(sql, *args)
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            cursor = _Rows(cursor.fetchall())  # reading the rows is part of the statement
        self._spent[_label(sql)] += self._clock() - started
        return cursor


class _Rows(list[Any]):
    """Fetched rows that answer the cursor methods the importer uses."""

    def fetchone(self) -> Any:
        return self[0] if self else None

    def fetchall(self) -> list[Any]:
        return list(self)


def _label(sql: str) -> str:
    text = re.sub(r"\s+", " ", sql).strip()
    return re.sub(r"\?(, ?\?)+", "?, …", text)


def _synced_copy(store_path: Path, folder: Path) -> Path:
    """A copy of the store in `folder`, on the disk: otherwise the kernel writes the copy's
    gigabytes back during the import, and the commits of a large store wait for it (as in
    bench/scale.py)."""
    copy = folder / "store.db"
    shutil.copyfile(store_path, copy)
    os.sync()
    return copy


def measure(store_path: Path, segment: Path, worker: bool, cpu: bool = False) -> dict[str, Any]:
    """`cpu`: the storing thread's CPU instead of the wall clock, for each statement and
    for the whole import."""
    spent: dict[str, float] = defaultdict(float)
    clock = time.thread_time if cpu else time.perf_counter
    with tempfile.TemporaryDirectory(prefix="ew-statements-") as tmp:
        copy = _synced_copy(store_path, Path(tmp))
        with Store.open(copy) as store:
            (before,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
            store.conn = TimedConnection(store.conn, spent, clock)  # type: ignore[assignment]
            started = clock()
            report = import_paths(store, [segment], Classifier(Config()), parallel=worker)
            whole = clock() - started
    new = max(report.totals.new, 1)
    return {
        "stored_before": before,
        "new": report.totals.new,
        "clock": "storing thread's CPU" if cpu else "wall",
        "whole_us": whole / new * 1e6,
        "sql_us": sum(spent.values()) / new * 1e6,
        "statements": {k: v / new * 1e6 for k, v in sorted(spent.items(), key=lambda kv: -kv[1])},
    }


WAL_HEADER, FRAME_HEADER = 32, 24


def pages_written(store_path: Path, segment: Path, worker: bool) -> dict[str, Any]:
    """Import `segment` into a copy of the store with checkpoints off; count the WAL's
    frames (one per page a commit wrote) by the b-tree that owns each page afterwards."""
    from cache.write import pipeline

    with tempfile.TemporaryDirectory(prefix="ew-pages-") as tmp:
        copy = _synced_copy(store_path, Path(tmp))
        with Store.open(copy) as store:
            (before,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
            store.conn.execute("PRAGMA wal_autocheckpoint = 0")
            start_for = pipeline.checkpoints.start_for
            pipeline.checkpoints.start_for = lambda store: None
            try:
                report = import_paths(store, [segment], Classifier(Config()), parallel=worker)
            finally:
                pipeline.checkpoints.start_for = start_for
            (page_size,) = store.conn.execute("PRAGMA page_size").fetchone()
            owner = dict(store.conn.execute("SELECT pageno, name FROM dbstat"))
            written: dict[str, int] = defaultdict(int)
            with open(f"{copy}-wal", "rb") as wal:
                wal.seek(WAL_HEADER)
                while header := wal.read(FRAME_HEADER):
                    written[owner.get(int.from_bytes(header[:4], "big"), "(free)")] += 1
                    wal.seek(page_size, 1)
    new = max(report.totals.new, 1)
    return {
        "stored_before": before,
        "new": report.totals.new,
        "page_size": page_size,
        "pages_per_mention": sum(written.values()) / new,
        "by_btree": {k: v / new for k, v in sorted(written.items(), key=lambda kv: -kv[1])},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("segment", type=Path)
    parser.add_argument("--worker", action="store_true", help="read and classify in a worker")
    parser.add_argument("--pages", action="store_true", help="pages written, by b-tree")
    parser.add_argument("--cpu", action="store_true", help="the storing thread's CPU, not wall")
    args = parser.parse_args(argv)
    if args.pages:
        pages = pages_written(args.store, args.segment, args.worker)
        print(
            f"{pages['new']:,} new mentions into a copy of {pages['stored_before']:,}: "
            f"{pages['pages_per_mention']:.3f} pages of {pages['page_size']:,} bytes written "
            "per mention"
        )
        for name, count in list(pages["by_btree"].items())[:SHOWN]:
            print(f"{count:8.3f}  {name}")
        return 0
    found = measure(args.store, args.segment, args.worker, args.cpu)
    print(
        f"{found['new']:,} new mentions into a copy of {found['stored_before']:,}: "
        f"{found['whole_us']:.1f} µs each, {found['sql_us']:.1f} µs of them in SQL "
        f"({found['clock']})"
    )
    for label, us in list(found["statements"].items())[:SHOWN]:
        print(f"{us:8.1f}  {label[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
