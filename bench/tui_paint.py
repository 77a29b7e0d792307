"""The monitor on a big store: `uv run python bench/tui_paint.py STORE [--query TEXT]`.

Runs the real monitor headless (Textual's test driver, 120x40) on STORE offline and prints
one JSON line: seconds until the first page of rows is in the table, seconds for a filter
to be answered, seconds until a new mention stored after start-up is on screen, and the
process's peak memory. Run it in its own process (bench/run.py does) so the memory figure
is the monitor's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cache.db.store import Store  # noqa: E402
from cache.read.monitor_queries import newest_time  # noqa: E402
from tui.feed import FeedTable  # noqa: E402
from tui.launch import topic_labels  # noqa: E402
from tui.messages import MentionsStored  # noqa: E402
from tui.monitor import MonitorApp, MonitorOptions  # noqa: E402

POLL = 0.005


async def until(condition: Callable[[], bool], limit: float = 60.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit:
            raise TimeoutError("the monitor did not get there in time")
        await asyncio.sleep(POLL)
    return time.perf_counter() - started


@contextlib.contextmanager
def _small_cache(store: Store) -> Iterator[None]:
    """The probe's own writes (the arrival and its removal) stand for another program's:
    their page cache is not the monitor's memory. A writer's is 64 MB, and a write that
    sets off a merge of full-text segments (the removal did, in some stores) filled 13-18
    MB of it, which the peak below then counted."""
    store.conn.execute("PRAGMA cache_size = -2000")
    yield


async def measure(path: Path, query: str) -> dict[str, object]:
    from sources.model.config import Config

    config = Config()
    with Store.open(path, readonly=True) as store:
        newest = newest_time(store)
    started = time.perf_counter()
    app = MonitorApp(
        MonitorOptions(db_path=path, mode="offline", config=config, topics=topic_labels(config))
    )
    figures: dict[str, object] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        feed = app.query_one(FeedTable)
        await until(lambda: feed.row_count > 0)
        figures["tui_first_paint_s"] = round(time.perf_counter() - started, 3)
        first_ids = feed.row_ids
        await pilot.pause()  # let the first screen finish drawing: time the filter alone
        await app.workers.wait_for_complete()
        app.apply_filter(query)
        figures["filter_s"] = round(await until(lambda: feed.row_ids != first_ids), 3)
        figures["filter_rows"] = feed.row_count
        app.action_clear_filter()
        await until(lambda: feed.row_ids == first_ids)
        # A new mention, stored by another connection, then announced as a poll would.
        new_id = "bench:arrival"
        created = ((newest or app.clock()) + timedelta(seconds=1)).astimezone(UTC)
        with Store.open(path) as store, _small_cache(store), store.db.atomic():
            store.conn.execute(
                "INSERT INTO mentions (id, platform, source, text, created_at, first_seen_at, "
                "updated_at) VALUES (?, 'x', 'bench', 'arrival', ?, ?, ?)",
                [new_id, *[created.strftime("%Y-%m-%dT%H:%M:%SZ")] * 3],
            )
        stored = time.perf_counter()
        app.post_message(MentionsStored([new_id]))
        await until(lambda: new_id in feed.known)
        figures["arrival_visible_s"] = round(time.perf_counter() - stored, 3)
        await pilot.pause()
    with Store.open(path) as store, _small_cache(store), store.db.atomic():
        store.conn.execute("DELETE FROM mentions WHERE id = ?", [new_id])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["tui_rss_mb"] = round(peak_kb / 1024, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--query", default="topic:pay lang:de")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.store, args.query))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
