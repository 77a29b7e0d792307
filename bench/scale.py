"""Ingest cost as a store grows, and the floors beside it: `bench/scale.py --rows N --dir D`.

Writes the synthetic stream (bench/synth.py) once as `--segments` JSON Lines files in `D`
(reused by later runs), then imports them one after the other into `D/<name>.db` with
`cache.write.importer.import_paths`, the engine of `app.py import`. Each segment is timed alone:
wall time, CPU of this process (parse, rows, SQLite) and CPU of the classifying worker (a
child process, counted when it exits at the end of each import). The first segment is the
cost at the store's first 100k (for 1M rows in 10 segments), the last one the cost at 1M.

In the same run, on the same rows: the raw-insert floor (plain `executemany` of the stored
rows of the last segment into a table without index, same transaction size) and the
collector floor (read the segment, parse every line, write it as JSON Lines again).

`--tree PATH` imports the project from another checkout (for old/new runs side by side):
`uv run python bench/scale.py --tree /tmp/ew_old --dir /tmp/ew --name old`. The store is
kept, so `bench/queries.py` can measure queries on it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def write_segments(folder: Path, rows: int, segments: int, seed: int) -> list[Path]:
    """The stream of `rows` posts cut into `segments` files (written once, then reused)."""
    sys.path.insert(0, str(HERE))
    from bench.synth import pages

    paths = [folder / f"synth-{rows}-{seed}-{i:02d}.jsonl" for i in range(segments)]
    if all(p.exists() for p in paths):
        return paths
    per = rows // segments
    outs = [p.open("w", encoding="utf-8") for p in paths]
    written = 0
    for page in pages(rows, seed=seed):
        index = min(written // per, segments - 1)
        outs[index].write(json.dumps(page, ensure_ascii=False) + "\n")
        written += len(page["data"])
    for out in outs:
        out.close()
    return paths


def raw_insert_floor(db: Path, workdir: Path, since_rowid: int) -> float:
    """Rows/s of a plain executemany of the stored rows after `since_rowid`, no index."""
    source = sqlite3.connect(str(db))
    columns = [c[1] for c in source.execute("PRAGMA table_info(mentions)")]
    target_path = workdir / "raw-floor.db"
    target_path.unlink(missing_ok=True)
    target = sqlite3.connect(str(target_path))
    target.execute("PRAGMA journal_mode = WAL")
    target.execute("PRAGMA synchronous = NORMAL")
    target.execute(f"CREATE TABLE raw_mentions ({', '.join(columns)})")
    insert = f"INSERT INTO raw_mentions VALUES ({', '.join('?' for _ in columns)})"
    rows = source.execute(
        f"SELECT {', '.join(columns)} FROM mentions WHERE rowid > ? ORDER BY rowid",
        (since_rowid,),
    )
    spent, count = 0.0, 0
    while chunk := rows.fetchmany(20_000):
        started = time.perf_counter()
        with target:
            target.executemany(insert, chunk)
        spent += time.perf_counter() - started
        count += len(chunk)
    source.close()
    target.close()
    target_path.unlink(missing_ok=True)
    return count / spent if spent else 0.0


def collector_floor(segment: Path, workdir: Path, mentions: int) -> float:
    """Mentions/s of reading a segment, parsing each line and writing it as JSON Lines."""
    out_path = workdir / "collector-floor.jsonl"
    started = time.perf_counter()
    with segment.open("rb") as lines, out_path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
    spent = time.perf_counter() - started
    out_path.unlink(missing_ok=True)
    return mentions / spent


def run(tree: Path, folder: Path, name: str, rows: int, segments: int, seed: int) -> dict[str, Any]:
    paths = write_segments(folder, rows, segments, seed)
    sys.path.insert(0, str(tree))
    for module in [m for m in sys.modules if m.split(".")[0] in ("cache", "sources", "filters")]:
        del sys.modules[module]
    from cache.db.store import Store
    from cache.write.importer import import_paths
    from filters.classify import Classifier
    from sources.model.config import Config

    db = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    classifier = Classifier(Config())
    per_segment = []
    last_rowid = 0
    stored = 0
    with Store.open(db) as store:
        for path in paths:
            last_rowid = int(
                store.conn.execute("SELECT coalesce(max(rowid), 0) FROM mentions").fetchone()[0]
            )
            own0, kids0 = _cpu()
            started = time.perf_counter()
            report = import_paths(store, [path], classifier)
            wall = time.perf_counter() - started
            own1, kids1 = _cpu()
            new = report.totals.new
            stored += new
            per_segment.append(
                {
                    "stored_after": stored,
                    "new": new,
                    "per_s": new / wall,
                    "wall_us": wall / new * 1e6,
                    "cpu_us": (own1 - own0 + kids1 - kids0) / new * 1e6,
                    "main_cpu_us": (own1 - own0) / new * 1e6,
                    "worker_cpu_us": (kids1 - kids0) / new * 1e6,
                }
            )
            print(json.dumps(per_segment[-1]), file=sys.stderr, flush=True)
        fts = store.conn.execute("SELECT count(*) FROM mentions_fts").fetchone()[0]
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = raw_insert_floor(db, folder, last_rowid)
    collector = collector_floor(paths[-1], folder, int(per_segment[-1]["new"]))
    first, last = per_segment[0], per_segment[-1]
    return {
        "tree": str(tree),
        "rows": stored,
        "fts_rows": fts,
        "ingest_per_s_first": first["per_s"],
        "ingest_per_s_last": last["per_s"],
        "ingest_per_s_all": stored / sum(s["new"] * s["wall_us"] / 1e6 for s in per_segment),
        "cpu_us_first": first["cpu_us"],
        "cpu_us_last": last["cpu_us"],
        "cpu_growth": last["cpu_us"] / first["cpu_us"] - 1,
        "main_cpu_us_first": first["main_cpu_us"],
        "main_cpu_us_last": last["main_cpu_us"],
        "ceiling_without_classifier_per_s": 1e6 / last["main_cpu_us"],
        "raw_insert_per_s": raw,
        "ingest_ratio": last["per_s"] / raw,
        "collector_per_s": collector,
        "collector_ratio": last["per_s"] / collector,
        "segments": per_segment,
        "cores": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, required=True, help="folder for segments and store")
    parser.add_argument("--name", default="store", help="the store is DIR/NAME.db")
    parser.add_argument("--tree", type=Path, default=HERE, help="project checkout to measure")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    figures = run(args.tree.resolve(), args.dir, args.name, args.rows, args.segments, args.seed)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
