"""One schedule for the sources: `collect` and the monitor poll through cache.live.scheduler."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.live.collector import Collector
from cache.live.poll_report import PollReport
from cache.live.scheduler import Scheduler
from sources.feeds.source import FeedSource
from sources.model.config import FeedSection
from sources.model.records import SourceState
from sources.model.text import format_timestamp
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.test_monitor_status import ShortReplay, monitor, until
from tests.tui_helpers import feed_of, settle, status_of


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def forum(server: FeedServer) -> FeedSection:
    item = {"title": "Kestrel Streik im Lager", "link": "https://l.example/streik"}
    server.feed("/forum.xml", rss("Lagerforum", [item], lang="de"))
    return FeedSection(name="lagerforum", url=server.url("/forum.xml"), poll_seconds=300)


@pytest.mark.pilot
async def test_the_monitor_polls_a_real_feed_on_the_shared_schedule(
    server: FeedServer, tmp_path: Path
) -> None:
    """A feed's new article reaches the monitor's feed; quitting ends the polling thread."""
    scenario = build_store(tmp_path / "store.db")
    config = replace(CONFIG, feeds=[forum(server)])
    collector = Collector(config, scenario.path, clock=frozen_clock)
    app = monitor(scenario.path, tmp_path, "live", collector)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "lagerforum ✓" in status_of(app))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        urls = [feed_of(app).known[i].url for i in feed_of(app).row_ids]
        assert "https://l.example/streik" in urls
        assert server.hits["/forum.xml"] == 1  # re-armed for 300 s, not polled again
        await pilot.press("q")
    assert app.poller is not None and app.poller.thread is not None
    app.poller.thread.join(timeout=5)
    assert not app.poller.thread.is_alive()


def test_a_source_backing_off_from_last_run_waits_in_collect_and_the_monitor(
    server: FeedServer, db_path: Path
) -> None:
    """A feed that failed last run is not hammered at start: both wait for its backoff."""
    section = forum(server)
    retry_at = NOW + timedelta(minutes=10)
    with Store.open(db_path) as store, store.writing():
        store.save_source_state(
            SourceState(
                name="lagerforum",
                last_error="HTTP 503",
                next_poll_at=format_timestamp(retry_at),
            )
        )
    collector = Collector(CONFIG, db_path, sources=[FeedSource(section)], clock=frozen_clock)
    assert Scheduler(collector).initial_schedule() == {"lagerforum": retry_at}


def test_a_finished_replay_is_reported_and_stays_on_the_schedule(db_path: Path) -> None:
    """The schedule hands on `finished` (the monitor's REPLAY FINISHED) and keeps going."""
    stop = threading.Event()
    collector = Collector(CONFIG, db_path, sources=[ShortReplay()], clock=frozen_clock)
    reports: list[PollReport] = []

    def on_report(report: PollReport) -> None:
        reports.append(report)
        stop.set()

    ended = Scheduler(collector).run(stop, on_report=on_report)
    assert ended is False
    assert [(r.name, r.finished, r.next_poll_at) for r in reports] == [
        ("demo", True, NOW + timedelta(hours=1))
    ]
