"""Echowatch benchmark: `uv run python bench/run.py [--rows N] [--json]`.

Generates N synthetic mentions (bench/synth.py) as Twitter API v2 pages in a fresh temporary
store and measures each figure the README lists. Every figure goes through the code users run:
`sources.x.twitter_v2.parse_response`, `filters.classify.Classifier`, `cache.write.ingest.ingest`,
`cache.read.search.query_selection` and a real `app.py export` process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.queries import run as query_forms  # noqa: E402
from bench.scale import collector_floor, cpu_times  # noqa: E402
from bench.synth import pages, write_jsonl, write_jsonl_files  # noqa: E402
from cache.db.store import Store  # noqa: E402
from cache.read.search import QueryError, query_selection, select_sql  # noqa: E402
from cache.write.importer import import_paths  # noqa: E402
from cache.write.pipeline import FLUSH_MENTIONS  # noqa: E402
from filters.classify import Classifier  # noqa: E402
from sources.model.config import Config  # noqa: E402
from sources.model.records import Account, Mention  # noqa: E402
from sources.x.twitter_v2 import parse_response  # noqa: E402

CLASSIFY_SAMPLE = 100_000
QUERY_REPEATS = 20
QUERIES = (
    ("topic filter", "topic:pay"),
    ("full-text word", "Streik"),
    ("combined filter", "topic:strikes lang:de Verdi"),
    ("newest 200", ""),
)
"""(what, query text): each is run for the newest 200 matching rows, like the monitor."""


def machine_info() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
    }


# --- ingest ---------------------------------------------------------------------------


def measure_ingest(
    store: Store, classifier: Classifier, rows: int, seed: int, workdir: Path, files: int = 1
) -> dict[str, Any]:
    """`app.py import`'s engine on a JSON Lines archive of v2 pages; only the import is timed.

    The archive is written first, off the clock, so the figure is what an import does with
    the bytes of a file: read, `json.loads`, `parse_response`, classify (in a worker
    process when there is a second core, as `app.py import` does) and store.
    """
    if files > 1:  # one import of several files, read one after the other
        archives = write_jsonl_files(workdir, rows, files, seed=seed)
    else:
        archives = [workdir / "mentions.jsonl"]
        write_jsonl(archives[0], rows, seed=seed)
    started, before = time.perf_counter(), cpu_times()
    report = import_paths(store, archives, classifier)
    spent = time.perf_counter() - started
    # The worker has ended (and been waited for) when the import returns: its CPU is the
    # children's. Against wall time, the two say which process held the other up.
    own, children, kernel = (now - then for now, then in zip(cpu_times(), before, strict=True))
    collector = rows / sum(
        rows / len(archives) / collector_floor(archive, workdir, rows // len(archives))
        for archive in archives
    )
    for archive in archives:
        archive.unlink()
    return {
        "ingest_per_s": rows / spent,
        "collector_per_s": collector,
        "collector_ratio": rows / spent / collector,
        "ingest_s": spent,
        "ingest_wall_us": spent / rows * 1e6,
        "ingest_importer_cpu_us": own / rows * 1e6,
        "ingest_worker_cpu_us": children / rows * 1e6,
        "ingest_kernel_cpu_us": kernel / rows * 1e6,
        "stored": report.totals.new,
        "ingest_index_merge_s": report.index_merge_seconds,
        "ingest_index_segments_merged": report.index_segments_merged,
        "ingest_parallel": (os.cpu_count() or 1) >= 2,
        "ingest_batch": FLUSH_MENTIONS,
        "ingest_files": len(archives),
    }


def classify_sample(rows: int, seed: int) -> list[tuple[Mention, Account | None]]:
    """The first mentions of the same stream, parsed, with their authors."""
    sample: list[tuple[Mention, Account | None]] = []
    for number, page in enumerate(pages(min(rows, CLASSIFY_SAMPLE), seed=seed)):
        batch = parse_response(page, "bench", f"page {number}")
        accounts = {a.key: a for a in batch.accounts}
        sample.extend((m, accounts.get(m.author_key)) for m in batch.mentions)
    return sample


def measure_raw_insert(store: Store, raw_path: Path) -> dict[str, Any]:
    """`executemany` of the very same rows into a table with no index, same batch size,
    same page size."""
    columns = [c[1] for c in store.conn.execute("PRAGMA table_info(mentions)")]
    conn = sqlite3.connect(str(raw_path))
    (page_size,) = store.conn.execute("PRAGMA page_size").fetchone()
    conn.execute(f"PRAGMA page_size = {int(page_size)}")  # the store's: only indexes differ
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # the store's own setting
    conn.execute(f"CREATE TABLE raw_mentions ({', '.join(columns)})")
    insert = f"INSERT INTO raw_mentions VALUES ({', '.join('?' for _ in columns)})"
    source = store.conn.execute(f"SELECT {', '.join(columns)} FROM mentions ORDER BY rowid")
    spent, count = 0.0, 0
    while chunk := source.fetchmany(FLUSH_MENTIONS):
        started = time.perf_counter()
        with conn:
            conn.executemany(insert, chunk)
        spent += time.perf_counter() - started
        count += len(chunk)
    conn.close()
    return {"raw_insert_per_s": count / spent if spent else None, "raw_insert_s": spent}


def measure_classify(
    classifier: Classifier, sample: list[tuple[Mention, Account | None]]
) -> dict[str, Any]:
    """Topics of each mention plus the role of its author (wall time), then topics alone
    on one core (CPU time), nothing else."""
    started = time.perf_counter()
    for mention, account in sample:
        classifier.classify_mention(mention)
        if account is not None:
            classifier.classify_account(account)
        else:
            classifier.role_rules.decide(mention.author, mention.author_name)
    spent = time.perf_counter() - started
    # The classifier target is topic texts per second on one core: a fresh
    # classifier (its tables cold, as at the start of an import), topics only, CPU time of
    # this process so that other programs on the machine do not move the figure. The
    # import classifies whole batches (`classify_many`, in its worker process): measured
    # so; one text at a time (`classify_text`, the live path) is reported beside it.
    texts = [mention.text for mention, _ in sample]
    fresh = Classifier(classifier.config)
    cpu_started = time.process_time()
    fresh.classify_many(texts)
    cpu = time.process_time() - cpu_started
    fresh = Classifier(classifier.config)
    cpu_started = time.process_time()
    for mention, _ in sample:
        fresh.classify_text(mention.text, mention.lang)
    one_cpu = time.process_time() - cpu_started
    return {
        "classify_per_s": len(sample) / spent if spent else None,
        "classify_topics_cpu_per_s": len(sample) / cpu if cpu else None,
        "classify_topics_one_cpu_per_s": len(sample) / one_cpu if one_cpu else None,
        "classify_n": len(sample),
    }


# --- queries --------------------------------------------------------------------------


def measure_queries(db_path: Path) -> dict[str, Any]:
    """Newest 200 rows of each query on a read-only store, as the monitor opens it."""
    timings: list[float] = []
    per_query: dict[str, Any] = {}
    now = datetime.now(UTC)
    with Store.open(db_path, readonly=True) as store:
        for label, text in QUERIES:
            try:
                selection = query_selection(text, now)
            except QueryError as exc:
                per_query[label] = {"query": text, "error": str(exc)}
                continue
            sql, params = select_sql(selection, limit=200)
            found = len(store.conn.execute(sql, params).fetchall())  # warm the cache
            runs = []
            for _ in range(QUERY_REPEATS):
                started = time.perf_counter()
                store.conn.execute(sql, params).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings.extend(runs)
            per_query[label] = {
                "query": text,
                "rows": found,
                "ms_p50": round(statistics.median(runs), 2),
                "ms_max": round(max(runs), 2),
            }
    return {
        "query_ms_p50": statistics.median(timings) if timings else None,
        "query_ms_p95": _percentile(timings, 95) if timings else None,
        "queries": per_query,
    }


def measure_query_forms(db_path: Path) -> dict[str, Any]:
    """`bench/queries.py` on the bench's store: each form of the README's query table as the
    monitor reads it (`feed_page`, the filter line's count), and pages at 0 %, 50 % and
    90 % of the feed's depth."""
    found = query_forms(db_path, ROOT, QUERY_REPEATS, count_repeats=3)
    return {
        "query_forms": found["queries"],
        "scroll": found["scroll"],
        "query_form_worst_page_ms_p95": found["worst_page_ms_p95"],
        "scroll_worst_ms_p95": found["worst_scroll_ms_p95"],
    }


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


# --- export ---------------------------------------------------------------------------


def measure_export(db_path: Path, workdir: Path, rows: int) -> dict[str, Any]:
    """A real `app.py export` child; peak memory is its ru_maxrss from wait4 (whole process)."""
    out = workdir / "export.csv"
    app = ROOT / "app.py"
    seconds, peak_mb, code, _ = _run_child(
        app, ["export", "--db", str(db_path), "-o", str(out)], workdir
    )
    _, baseline_mb, _, _ = _run_child(
        app,
        ["export", "--db", str(db_path), "--query", "zzqxnomatchzz", "-o", str(workdir / "e.csv")],
        workdir,
    )
    size_mb = out.stat().st_size / 2**20 if out.exists() else 0.0
    return {
        "export_rows_per_s": rows / seconds if code == 0 else None,
        "export_s": seconds,
        "export_peak_mb": peak_mb,
        "export_baseline_mb": baseline_mb,
        "export_file_mb": round(size_mb, 1),
        "export_exit": code,
    }


# Peak memory of a child is its VmHWM (the high-water mark of its own address space), read
# by the child itself as it exits. Not ru_maxrss: Linux carries the parent's peak over into
# a child's ru_maxrss at exec, so every child of this (large) process would report that.
_PEAK_WRAPPER = """
import runpy, sys
target, report = sys.argv[1], sys.argv[2]
sys.argv = [target, *sys.argv[3:]]
sys.path.insert(0, target.rsplit("/", 2)[0])
code = 0
try:
    runpy.run_path(target, run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(report, "w") as out:
        out.write(peak)
sys.exit(code)
"""


def _run_child(
    script: Path, args: list[str], workdir: Path, *, stdout: int | None = subprocess.DEVNULL
) -> tuple[float, float | None, int, str]:
    """Run `python SCRIPT ARGS`; returns (seconds, peak MB, exit code, stdout)."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(workdir / "cfg"), XDG_DATA_HOME=str(workdir))
    env.pop("ECHOWATCH_CONFIG", None)
    report = workdir / "peak.kb"
    report.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, str(script), str(report), *args],
        env=env,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        text=True,
        check=False,
        timeout=3600,
    )
    seconds = time.perf_counter() - started
    peak = int(report.read_text()) / 1024 if report.exists() else None
    return seconds, peak, child.returncode, child.stdout or ""


# --- optional parts that other modules provide ----------------------------------------


def measure_tui(db_path: Path) -> tuple[dict[str, Any], str | None]:
    """First paint of the monitor on the store, in a child so its memory is its own."""
    probe = ROOT / "bench" / "tui_paint.py"
    if not (ROOT / "tui" / "monitor.py").exists() or not probe.exists():
        return {"tui_first_paint_s": None, "tui_rss_mb": None}, "tui/ has no monitor: skipped"
    _, peak_mb, code, out = _run_child(
        probe, [str(db_path)], db_path.parent, stdout=subprocess.PIPE
    )
    try:
        figures = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"tui_first_paint_s": None, "tui_rss_mb": None}, f"tui probe failed ({code})"
    figures = {f"tui_{k}" if not k.startswith("tui_") else k: v for k, v in figures.items()}
    figures["tui_rss_mb"] = round(peak_mb, 1) if peak_mb else figures.get("tui_rss_mb")
    note = "tui_rss_mb: VmHWM of the bench/tui_paint.py child (Pilot, 120x40, offline)"
    return figures, note


def optional_module(name: str) -> Any | None:
    """bench/<name>.py when another part of the project has provided it."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return None
    import importlib

    return importlib.import_module(f"bench.{name}")


NEAR_DUP_MAX = 200_000
"""Near-duplicate detection runs on replies; more than this adds time, not information."""


def measure_near_dup(rows: int) -> tuple[dict[str, Any], str | None]:
    module = optional_module("near_dup")
    if module is None:
        return {"near_dup_per_s": None}, "bench/near_dup.py not there yet: skipped"
    count = min(rows, NEAR_DUP_MAX)
    result = dict(module.measure_near_dup(count))
    return {
        "near_dup_per_s": result.get("near_dup_per_s"),
        "near_dup": {k: v for k, v in result.items() if k != "near_dup_per_s"},
    }, f"near_dup_per_s: bench/near_dup.py on {count:,} synthetic replies"


def run_topic_eval() -> tuple[dict[str, Any] | None, str | None]:
    """Per-topic precision/recall/F1 on the held-out third of the labelled sample."""
    module = optional_module("eval_topics")
    if module is None:
        return None, "bench/eval_topics.py not there yet: skipped"
    report = module.evaluate(module.load("heldout"), Classifier(Config()))
    return {
        "split": "heldout",
        "texts": report["texts"],
        "f1": {topic: row["f1"] for topic, row in report["topics"].items()},
        "topics": report["topics"],
    }, None


# --- the run --------------------------------------------------------------------------


def measure_startup(db_path: Path) -> tuple[dict[str, Any], str | None]:
    """First rows on a pty after spawning `app.py --db STORE --offline` (bench/startup.py):
    interpreter start, imports and the launch checks are on the clock, unlike tui_paint."""
    _, _, code, out = _run_child(
        ROOT / "bench" / "startup.py",
        [str(db_path), "--runs", "3"],
        db_path.parent,
        stdout=subprocess.PIPE,
    )
    try:
        answer = json.loads(out.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"start_first_paint_s": None}, f"bench/startup.py failed ({code})"
    return {
        "start_first_paint_s": answer["first_paint_s_new"],
        "start_first_paint_cpu_s": answer["first_paint_cpu_s_new"],
        "start_unchecked_first_paint_s": answer["first_start_s_new"],
        "start_monitor_ready_s": answer["monitor_ready_s_new"],
        "start_monitor_ready_cpu_s": answer["monitor_ready_cpu_s_new"],
    }, None


def run(
    rows: int, seed: int = 1, *, files: int = 1, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    figures: dict[str, Any] = {"rows": rows, "machine": machine_info()}
    notes: list[str] = []
    classifier = Classifier(Config())
    with tempfile.TemporaryDirectory(prefix="echowatch-bench-") as tmp:
        workdir = Path(tmp)
        db_path = workdir / "bench.db"
        progress(f"ingesting {rows:,} synthetic mentions ...")
        with Store.open(db_path) as store:
            figures.update(measure_ingest(store, classifier, rows, seed, workdir, files))
            progress("raw executemany of the same rows ...")
            figures.update(measure_raw_insert(store, workdir / "raw.db"))
            fts_rows = store.conn.execute("SELECT count(*) FROM mentions_fts").fetchone()[0]
            figures["store_rows"] = store.count_mentions()
            figures["fts_rows"] = fts_rows
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        figures["store_mb"] = round(db_path.stat().st_size / 2**20, 1)
        raw = figures.get("raw_insert_per_s")
        figures["ingest_ratio"] = figures["ingest_per_s"] / raw if raw else None
        progress("classifier alone ...")
        figures.update(measure_classify(classifier, classify_sample(rows, seed)))
        progress("queries ...")
        figures.update(measure_queries(db_path))
        progress("each query form as the monitor reads it, and scroll depth ...")
        figures.update(measure_query_forms(db_path))
        progress("CSV export of the whole store ...")
        figures.update(measure_export(db_path, workdir, figures["store_rows"]))
        progress("monitor first paint ...")
        tui, note = measure_tui(db_path)
        figures.update(tui)
        if note:
            notes.append(note)
        progress("monitor first rows after the interpreter starts ...")
        start, note = measure_startup(db_path)
        figures.update(start)
        if note:
            notes.append(note)
    progress("near-duplicate detection ...")
    near, note = measure_near_dup(rows)
    figures.update(near)
    if note:
        notes.append(note)
    progress("held-out topic evaluation ...")
    evaluation, note = run_topic_eval()
    figures["topic_eval"] = evaluation
    if note:
        notes.append(note)
    notes.append("export_peak_mb: VmHWM of the `app.py export` child (whole interpreter)")
    figures["notes"] = notes
    return figures


HEADLINE = (
    ("ingest_per_s", "mentions/s of import: read, parse, classify, store, FTS", ">=25k, aim 50k"),
    ("ingest_wall_us", "µs per mention of import, wall time", ""),
    ("ingest_importer_cpu_us", "µs CPU per mention, the importing process (all threads)", ""),
    ("ingest_worker_cpu_us", "µs CPU per mention, the reading and classifying worker", ""),
    ("ingest_kernel_cpu_us", "µs of both processes' CPU per mention spent in the kernel", ""),
    ("ingest_index_merge_s", "s of the import merging its full-text index, on the clock", ""),
    ("raw_insert_per_s", "rows/s plain executemany, no index", ""),
    ("ingest_ratio", "ingest / raw insert", ">= 0.3"),
    ("collector_per_s", "mentions/s read, json.loads, json.dumps of the same archive", ""),
    ("collector_ratio", "ingest / collector floor", ""),
    ("classify_per_s", "mentions/s topics + author role", ""),
    ("classify_topics_cpu_per_s", "texts per CPU second, topics alone, one core", ">= 100,000"),
    ("query_ms_p50", "ms, median over the query set", ""),
    ("query_ms_p95", "ms, 95th percentile over the query set", "< 100"),
    ("query_form_worst_page_ms_p95", "ms, worst form's p95 as the monitor reads it", "< 20"),
    ("scroll_worst_ms_p95", "ms, worst page at 0/50/90 % of the feed, p95", "< 5"),
    ("export_rows_per_s", "rows/s CSV of the whole store (process)", ""),
    ("export_peak_mb", "MB peak RSS of the export process", "constant"),
    ("export_baseline_mb", "MB peak RSS of an export of 0 rows", ""),
    ("tui_first_paint_s", "s until the first rows are on screen", "< 1"),
    ("tui_rss_mb", "MB RSS of the monitor at first paint", "< 300"),
    ("start_first_paint_s", "s from spawning app.py until its first rows (pty)", "< 1"),
    ("start_first_paint_cpu_s", "CPU s the monitor used until then", ""),
    (
        "start_unchecked_first_paint_s",
        "s until first rows at the first start (whole-file damage check, cold cache)",
        "",
    ),
    ("near_dup_per_s", "mentions/s near-duplicate detection", ""),
)


def format_table(figures: dict[str, Any]) -> str:
    machine = figures["machine"]
    lines = [
        f"Echowatch bench, {figures['rows']:,} rows, {machine['cpu']} ({machine['cores']} cores), "
        f"Python {machine['python']}, SQLite {machine['sqlite']}",
        "",
        f"{'figure':<26} {'value':>14}  {'target':<14} meaning",
    ]
    for key, meaning, target in HEADLINE:
        value = figures.get(key)
        shown = "n/a" if value is None else f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
        lines.append(f"{key:<26} {shown:>14}  {target:<14} {meaning}")
    lines.append("")
    for label, info in figures.get("queries", {}).items():
        lines.append(f"  query {label!r:<18} {json.dumps(info, ensure_ascii=False)}")
    forms = figures.get("query_forms", {})
    if forms:
        lines.append("")
        lines.append("each query form, newest 200 as the monitor reads them (ms p50 / p95):")
    for info in forms.values():
        page = f"{info['page_ms_p50']:>7.2f} / {info['page_ms_p95']:>7.2f}"
        count = f"{info['count_ms_p50']:>8.2f} / {info['count_ms_p95']:>8.2f}"
        lines.append(f"  {info['query']!r:<44} page {page}   count {count}")
    for label, info in figures.get("scroll", {}).items():
        lines.append(f"  scroll {label:<37} page {info['ms_p50']:>7.2f} / {info['ms_p95']:>7.2f}")
    evaluation = figures.get("topic_eval")
    if evaluation:
        lines.append("")
        lines.append(f"held-out topic evaluation, {evaluation['texts']} texts (F1 per topic):")
        for topic, row in evaluation["topics"].items():
            lines.append(
                f"  {topic:<22} F1 {row['f1']:.3f}  precision {row['precision']:.3f}  "
                f"recall {row['recall']:.3f}  support {row['support']}"
            )
    for note in figures.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure Echowatch on synthetic mentions.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="mentions (default 1e6)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic stream")
    parser.add_argument(
        "--files", type=int, default=1, help="import the stream cut into this many files"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error(f"--files: expected at least 1, got {args.files}")
    quiet = args.json

    def progress(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    figures = run(args.rows, args.seed, files=args.files, progress=progress)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, default=str))
    else:
        print(format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
