"""Query latency on a kept store: `bench/queries.py STORE [--tree PATH] [--repeats N]`.

For each query form of the README's query table: the newest 200 matching mentions as the
monitor asks for them (`cache.read.monitor_queries.feed_page` on the `Selection` of
`cache.read.search.query_selection`, with the store's rare topics), p50/p95 over the runs after
one warm-up, and the capped count of the filter line (`count_matching`). Then scrolling:
one page of 200 below the row at 0 %, 50 % and 90 % of the feed's depth, unfiltered and
for `lang:de` and the free-text `Streik`. Then an author's posts as `author:` and the
account page read them (`accounts`), for the busiest author and one of the rarest: in a
store whose posts span many days (`bench/synth.py --pace`) these read the most days for
the fewest rows. The store is opened read-only, as the monitor
opens it; times relative to its newest mention (`since:24h` means the last day of the
stored stream).

Build a store with `bench/scale.py` first; `--tree` measures another checkout's code on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]


def forms(author: str, source: str, day: str) -> list[tuple[str, str]]:
    """(README term, query text) for each form of the query table."""
    return [
        ("newest (no filter)", ""),
        ("topic:", "topic:pay"),
        ("own:", "own:pay"),
        ("role:", "role:ambassador"),
        ("lang:", "lang:de"),
        ("platform:", "platform:x"),
        ("source:", f"source:{source}"),
        ("author:", f"author:@{author}"),
        ("since:", "since:24h"),
        ("until:", f"until:{day}"),
        ("has:reply", "has:reply"),
        ("has:parody", "has:parody"),
        ("word", "Streik"),
        ("prefix*", "Streik*"),
        ('"phrase"', '"Betriebsrat bei"'),
        ("-term", "-Streik"),
        ("-topic:", "-topic:taxes"),
        ("a OR b", "Verdi OR Gewerkschaft"),
        ("topic:a|b", "topic:pay|taxes"),
        ("( ) combined", "topic:strikes lang:de (Verdi OR Streik)"),
        ("since: word", "since:7d Streik"),
        ("source: since:", f"source:{source} since:7d"),
        ("has: until:", f"has:reply until:{day}"),
        ("until: word", f"until:{date.fromisoformat(day) - timedelta(days=7)} Streik"),
        ("since: rare words", "since:7d Verdi Gewerkschaft"),
        ("rare words, none fit", "Verdi Gewerkschaft lang:en"),
        ("topic: word", "topic:pay Verdi"),
        ("word in another lang:", "Verdi lang:en"),
        ("word -lang:", "Verdi -lang:de"),
    ]


def _timed(run: Callable[[], object], repeats: int) -> tuple[list[float], object]:
    """Wall milliseconds of each run after a warm-up (CPU ms of this thread in `_cpu_ms`)."""
    result = run()  # warm-up
    times = []
    cpu = []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.thread_time()
        run()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    _cpu_ms[:] = cpu
    return times, result


_cpu_ms: list[float] = []
"""CPU time of the runs `_timed` measured last: on a shared machine wall time includes
waiting for a core; CPU time is what the query itself costs."""


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _accounts(store: Any, now: Any, repeats: int) -> dict[str, Any]:
    """An author's posts, as `author:` and the account page read them, for the author with
    the most posts and for one with the fewest (the one read through the most days for
    the fewest rows, in a store that spans many days)."""
    from cache.read.monitor_queries import feed_page
    from cache.read.search import query_selection
    from cache.read.thread_walk import account_page

    found: dict[str, Any] = {}
    for who, order in (("busiest", "DESC"), ("rarest", "ASC")):
        (name, key, posts) = store.conn.execute(
            "SELECT author, author_key, count(*) FROM mentions WHERE author_key != '' "
            f"GROUP BY author_key ORDER BY count(*) {order}, author_key LIMIT 1"
        ).fetchone()
        selection = query_selection(f"author:@{name}", now)
        for label, read in (
            (f"author: ({who})", partial(feed_page, store, selection)),
            (f"account page ({who})", partial(account_page, store, key)),
        ):
            times, _ = _timed(read, repeats)
            found[label] = {
                "posts": posts,
                "ms_p50": round(statistics.median(times), 2),
                "ms_p95": round(_p95(times), 2),
                "cpu_ms_p50": round(statistics.median(_cpu_ms), 2),
                "cpu_ms_p95": round(_p95(_cpu_ms), 2),
            }
            print(label, json.dumps(found[label]), file=sys.stderr, flush=True)
    (days,) = store.conn.execute(
        "SELECT count(DISTINCT substr(created_at, 1, 10)) FROM mentions"
    ).fetchone()
    found["days"] = days
    return found


def run(
    db: Path, tree: Path, repeats: int, count_repeats: int | None = None, only: str = ""
) -> dict[str, Any]:
    sys.path.insert(0, str(tree))
    from cache.db.store import Store
    from cache.read.monitor_queries import count_matching, feed_page
    from cache.read.search import query_selection, rare_topics
    from filters.topics import DEFAULT_TOPICS
    from sources.model.text import parse_timestamp

    results: dict[str, Any] = {"store": str(db), "tree": str(tree), "queries": {}, "scroll": {}}
    with Store.open(db, readonly=True) as store:
        conn = store.conn
        (total,) = conn.execute("SELECT count(*) FROM mentions").fetchone()
        (newest,) = conn.execute("SELECT max(created_at) FROM mentions").fetchone()
        (author,) = conn.execute(
            "SELECT author FROM mentions WHERE rowid > (SELECT max(rowid) - 20000 FROM mentions)"
            " GROUP BY author ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        (source,) = conn.execute("SELECT source FROM mentions LIMIT 1").fetchone()
        now = parse_timestamp(newest)
        assert now is not None
        rare = rare_topics(store, DEFAULT_TOPICS)
        results["rows"] = total
        wanted = [w.strip() for w in only.split(",") if w.strip()]
        for label, text in forms(author, source, newest[:10]):
            if wanted and label not in wanted:
                continue
            selection = query_selection(text, now, rare_topics=rare)
            page_ms, rows = _timed(partial(feed_page, store, selection), repeats)
            page_cpu = list(_cpu_ms)
            count_ms, count = _timed(
                partial(count_matching, store, selection), count_repeats or repeats
            )
            count_cpu = list(_cpu_ms)
            results["queries"][label] = {
                "query": text,
                "rows": len(rows),  # type: ignore[arg-type]
                "page_ms_p50": round(statistics.median(page_ms), 2),
                "page_ms_p95": round(_p95(page_ms), 2),
                "page_cpu_ms_p50": round(statistics.median(page_cpu), 2),
                "page_cpu_ms_p95": round(_p95(page_cpu), 2),
                "count": count,
                "count_ms_p50": round(statistics.median(count_ms), 2),
                "count_ms_p95": round(_p95(count_ms), 2),
                "count_cpu_ms_p50": round(statistics.median(count_cpu), 2),
                "count_cpu_ms_p95": round(_p95(count_cpu), 2),
            }
            print(label, json.dumps(results["queries"][label]), file=sys.stderr, flush=True)
        results["accounts"] = _accounts(store, now, repeats)
        scrolled = (
            ("no filter", ""),
            ("lang:de", "lang:de"),
            ("Streik", "Streik"),
            ("until: Streik", f"until:{newest[:10]} Streik"),
        )
        for label, text in scrolled:
            selection = query_selection(text, now, rare_topics=rare)
            (matching,) = conn.execute(  # off the clock: where 50 % and 90 % are
                f"SELECT count(*) FROM mentions AS m WHERE {selection.where}", selection.params
            ).fetchone()
            for depth in (0, 50, 90):
                key = conn.execute(
                    "SELECT created_at, id FROM mentions AS m WHERE "
                    f"{selection.where} ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
                    (*selection.params, matching * depth // 100),
                ).fetchone()
                before = (str(key[0]), str(key[1]))
                page_ms, rows = _timed(partial(feed_page, store, selection, before=before), repeats)
                results["scroll"][f"{label} at {depth} %"] = {
                    "rows": len(rows),  # type: ignore[arg-type]
                    "ms_p50": round(statistics.median(page_ms), 2),
                    "ms_p95": round(_p95(page_ms), 2),
                    "cpu_ms_p50": round(statistics.median(_cpu_ms), 2),
                    "cpu_ms_p95": round(_p95(_cpu_ms), 2),
                }
    every = [q["page_ms_p95"] for q in results["queries"].values()]
    results["worst_page_ms_p95"] = max(every)
    results["worst_scroll_ms_p95"] = max(s["ms_p95"] for s in results["scroll"].values())
    results["worst_page_cpu_ms_p95"] = max(
        q["page_cpu_ms_p95"] for q in results["queries"].values()
    )
    results["worst_scroll_cpu_ms_p95"] = max(s["cpu_ms_p95"] for s in results["scroll"].values())
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--tree", type=Path, default=HERE, help="project checkout to measure")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--count-repeats", type=int, help="runs of each count (default: --repeats)")
    parser.add_argument("--only", default="", help="comma-separated form labels to run")
    args = parser.parse_args(argv)
    result = run(args.store, args.tree.resolve(), args.repeats, args.count_repeats, args.only)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
