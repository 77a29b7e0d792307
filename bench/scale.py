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

`--bases A.db B.db ...` measures the cost at given sizes without building them first: each
base store is copied into `--dir` (never written itself) and the same fresh segment of
`--segment-rows` posts (a seed no base holds) is imported into each copy, e.g. a 100k and a
1M store (`bench/inflate.py` makes one): `cpu_us` per base is the ingest cost at that size.
The segment must be newer than every base (a warning says when it is not: its posts would
land in the middle of each time index, as in no growing store); `--rounds N` imports into
each base N times, in turn, and reports the medians and each round's growth.
Each import's CPU is also split into user time (the program's own work, both processes)
and kernel time (`kernel_cpu_us`: mostly copying pages into the WAL and the store file),
with the growth of the user time beside the total's: the two move differently, the
kernel's part with the machine's disk and memory from one run to the next.
`--free-classifier` answers the topics from a table worked out off the clock (the same
answers, the classifier's time taken out) and imports on one core: the store side's ceiling.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def cpu_times() -> tuple[float, float, float]:
    """CPU seconds so far: this process, its finished children (the worker), and the
    kernel's part of both (system time: copying pages into the WAL and the store file)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (
        own.ru_utime + own.ru_stime,
        kids.ru_utime + kids.ru_stime,
        own.ru_stime + kids.ru_stime,
    )


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
    (page_size,) = source.execute("PRAGMA page_size").fetchone()
    target.execute(f"PRAGMA page_size = {int(page_size)}")  # the store's: only indexes differ
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


def _use_tree(tree: Path) -> None:
    """Import the project from `tree` from now on (old and new code in one bench).

    Also run from there: the import's worker process is `python -m ...`, which finds its
    module in the current folder first, so another checkout's worker would be started
    from this one (and, when its module differs, not work at all).
    """
    os.chdir(tree)
    sys.path.insert(0, str(tree))
    for module in [m for m in sys.modules if m.split(".")[0] in ("cache", "sources", "filters")]:
        del sys.modules[module]


def _timed_import(store: Any, paths: list[Path], classifier: Any, **options: Any) -> dict[str, Any]:
    """Import `paths` into `store` with `import_paths`: new mentions, wall time and CPU time
    (this process, and the classifying worker) per mention."""
    from cache.write.importer import import_paths

    if "merge_index" in inspect.signature(import_paths).parameters:
        # The storing's cost at each size alike: the full-text merge that ends an import
        # of half the store or more is a cost of that import's share, not of the store's
        # size (into the 100,000 base it would run, into the million not). `run.py`
        # times it within the import.
        options = {**options, "merge_index": False}
    own0, kids0, kernel0 = cpu_times()
    started = time.perf_counter()
    report = import_paths(store, paths, classifier, **options)
    wall = time.perf_counter() - started
    own1, kids1, kernel1 = cpu_times()
    new = report.totals.new
    per = max(new, 1)  # a segment the store holds already: figures per post would divide by 0
    return {
        "new": new,
        "per_s": new / wall,
        "wall_us": wall / per * 1e6,
        "cpu_us": (own1 - own0 + kids1 - kids0) / per * 1e6,
        "main_cpu_us": (own1 - own0) / per * 1e6,
        "worker_cpu_us": (kids1 - kids0) / per * 1e6,
        # Apart, because they move differently: the program's own work (user time) and
        # the kernel's page copies, which swing with the machine's disk and memory.
        "user_cpu_us": (own1 - own0 + kids1 - kids0 - (kernel1 - kernel0)) / per * 1e6,
        "kernel_cpu_us": (kernel1 - kernel0) / per * 1e6,
    }


def run(tree: Path, folder: Path, name: str, rows: int, segments: int, seed: int) -> dict[str, Any]:
    paths = write_segments(folder, rows, segments, seed)
    _use_tree(tree)
    from cache.db.store import Store
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
            figures = _timed_import(store, [path], classifier)
            stored += figures["new"]
            per_segment.append({"stored_after": stored, **figures})
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
        "ingest_per_s_all": stored / sum(s["new"] * s["wall_us"] / 1e6 for s in per_segment),
        **_first_and_last(first, last, raw, collector),
        "segments": per_segment,
    }


def _first_and_last(
    first: dict[str, Any], last: dict[str, Any], raw: float, collector: float
) -> dict[str, Any]:
    """The growth from the first import to the last, and the last one against the floors."""
    return {
        "ingest_per_s_last": last["per_s"],
        "cpu_us_first": first["cpu_us"],
        "cpu_us_last": last["cpu_us"],
        "cpu_growth": last["cpu_us"] / first["cpu_us"] - 1,
        "main_cpu_us_first": first["main_cpu_us"],
        "main_cpu_us_last": last["main_cpu_us"],
        "user_cpu_growth": last["user_cpu_us"] / first["user_cpu_us"] - 1,
        "kernel_cpu_us_first": first["kernel_cpu_us"],
        "kernel_cpu_us_last": last["kernel_cpu_us"],
        # The storing process's pace: reading and classifying run in the worker.
        "ceiling_without_classifier_per_s": 1e6 / last["main_cpu_us"],
        "raw_insert_per_s": raw,
        "ingest_ratio": last["per_s"] / raw,
        "collector_per_s": collector,
        "collector_ratio": last["per_s"] / collector,
        "cores": os.cpu_count(),
    }


def _fresh_store_copy(base: Path, folder: Path) -> Path:
    copy = folder / f"at-{base.stem}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    wal = Path(f"{base}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        shutil.copyfile(base, copy)  # everything is in the file itself
    else:
        source = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
        target = sqlite3.connect(str(copy))
        source.backup(target)  # a consistent copy of what the WAL beside it holds too
        source.close()
        target.close()
    # Otherwise the kernel writes the copy's gigabytes to the disk while the import is
    # timed, beside it on the same two cores.
    os.sync()
    return copy


def _segment_span(segment: Path) -> tuple[str, str]:
    """The first post id and the earliest creation time of a segment's posts."""
    first_id, earliest = "", ""
    with segment.open("rb") as lines:
        for line in lines:
            for post in json.loads(line).get("data", []):
                first_id = first_id or f"x:{post['id']}"
                created = str(post.get("created_at", ""))[:19]
                earliest = min(earliest, created) if earliest else created
    return first_id, earliest


def _segment_warnings(base: Path, span: tuple[str, str]) -> list[str]:
    """Why importing a segment (its `_segment_span`) into `base` would not measure new posts
    as a growing store receives them: they are stored already, or older than its newest
    post (then each time index takes them in its middle instead of at its end)."""
    first_id, earliest = span
    conn = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
    try:
        held = conn.execute("SELECT 1 FROM mentions WHERE id = ?", (first_id,)).fetchone()
        (newest,) = conn.execute("SELECT coalesce(max(created_at), '') FROM mentions").fetchone()
    finally:
        conn.close()
    warnings = []
    if held is not None:
        warnings.append(f"{base} holds the segment's posts already (choose another --seed)")
    if earliest and str(newest)[:19] >= earliest:
        warnings.append(
            f"{base}: its newest post ({newest}) is not older than the segment's first "
            f"({earliest}): the segment lands in the middle of its time indexes "
            "(a higher --seed starts later)"
        )
    return warnings


def run_bases(
    tree: Path,
    folder: Path,
    bases: list[Path],
    segment_rows: int,
    seed: int,
    free_classifier: bool,
    in_place: bool = False,
    rounds: int = 1,
) -> dict[str, Any]:
    """The same fresh segment imported into a copy of each base store (see the docstring);
    `in_place`: into the bases themselves (old and new runs then take turns on the same
    stores with different seeds, and the whole-file check of a fresh copy is not repeated);
    `rounds`: each base imported that many times, in turn, on a fresh copy each time, and
    the median of each figure reported (growth: the medians' ratio, and each round's)."""
    (segment,) = write_segments(folder, segment_rows, 1, seed)
    _use_tree(tree)
    from cache.db.store import Store
    from filters.classify import Classifier, Precomputed
    from sources.model.config import Config

    classifier = Classifier(Config())
    if free_classifier:
        texts = {
            (t.get("note_tweet") or {}).get("text") or t["text"]
            for line in segment.open("rb")
            for page in [json.loads(line)]
            for t in page["data"] + page.get("includes", {}).get("tweets", [])
        }
        classifier = Precomputed(classifier, {t: classifier.classify_text(t) for t in texts})
    span = _segment_span(segment)  # read once: a segment of 100,000 posts is 120 MB
    warnings = [w for base in bases for w in _segment_warnings(base, span)]
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    runs: dict[Path, list[dict[str, Any]]] = {base: [] for base in bases}
    for _ in range(1 if in_place else rounds):
        for base in bases:  # in turn, so that a machine that slows down slows every base
            copy = base if in_place else _fresh_store_copy(base, folder)
            with Store.open(copy) as store:
                before = int(store.conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
                last_rowid = int(
                    store.conn.execute("SELECT coalesce(max(rowid), 0) FROM mentions").fetchone()[0]
                )
                timed = _timed_import(
                    store, [segment], classifier, parallel=False if free_classifier else None
                )
            figures = {"base": str(base), "stored_before": before, **timed}
            runs[base].append(figures)
            print(json.dumps(figures), file=sys.stderr, flush=True)
    raw = raw_insert_floor(copy, folder, last_rowid)
    collector = collector_floor(segment, folder, int(runs[bases[-1]][-1]["new"]))
    for base in [] if in_place else bases:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{folder / f'at-{base.stem}.db'}{suffix}").unlink(missing_ok=True)
    per_base = [_median_run(runs[base]) for base in bases]
    first, last = per_base[0], per_base[-1]
    return {
        "tree": str(tree),
        "free_classifier": free_classifier,
        "segment_rows": segment_rows,
        "rounds": len(runs[bases[0]]),
        "warnings": warnings,
        **_first_and_last(first, last, raw, collector),
        "bases": per_base,
        "growth_per_round": [
            b["cpu_us"] / a["cpu_us"] - 1
            for a, b in zip(runs[bases[0]], runs[bases[-1]], strict=True)
        ],
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the rounds of one base, and each round's CPU."""
    timed = (
        "per_s",
        "wall_us",
        "cpu_us",
        "main_cpu_us",
        "worker_cpu_us",
        "user_cpu_us",
        "kernel_cpu_us",
    )
    return {
        **runs[0],
        **{key: statistics.median(r[key] for r in runs) for key in timed},
        "cpu_us_rounds": [r["cpu_us"] for r in runs],
        "main_cpu_us_rounds": [r["main_cpu_us"] for r in runs],
        "kernel_cpu_us_rounds": [r["kernel_cpu_us"] for r in runs],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, required=True, help="folder for segments and store")
    parser.add_argument("--name", default="store", help="the store is DIR/NAME.db")
    parser.add_argument("--tree", type=Path, default=HERE, help="project checkout to measure")
    parser.add_argument("--bases", type=Path, nargs="+", help="stores to import a segment into")
    parser.add_argument("--segment-rows", type=int, default=20_000)
    parser.add_argument("--free-classifier", action="store_true", help="topics off the clock")
    parser.add_argument("--in-place", action="store_true", help="write into the bases")
    parser.add_argument("--rounds", type=int, default=1, help="--bases: imports per base, in turn")
    args = parser.parse_args(argv)
    args.dir = args.dir.resolve()  # _use_tree changes the current folder
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.bases:
        figures = run_bases(
            args.tree.resolve(),
            args.dir,
            [b.resolve() for b in args.bases],
            args.segment_rows,
            args.seed,
            args.free_classifier,
            args.in_place,
            max(args.rounds, 1),
        )
    else:
        figures = run(args.tree.resolve(), args.dir, args.name, args.rows, args.segments, args.seed)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
