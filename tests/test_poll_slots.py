"""Stalling and failing feeds never hold every poll slot: a healthy feed is polled on time.

A real HTTP server on 127.0.0.1 holds the stalling feeds' answers until the test releases
them (an Event); the scheduler's clock is a fake one the test moves on.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.live.collector import Collector
from cache.live.poll_report import PollReport
from sources.feeds.source import FeedSource
from sources.model.config import Config, FeedSection
from sources.model.records import SourceState
from sources.model.text import format_timestamp
from tests.builders import BASE_TIME, rss
from tests.feedserver import FeedServer, Route

OK_FEED = rss("OK", [{"title": "Kestrel pay talks", "link": "https://news.example/ok/1"}])


class FakeClock:
    """The collector's and scheduler's clock; only the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Stalls:
    """`/stall/N` routes that answer only when released; `arrived` counts the requests."""

    def __init__(self, server: FeedServer, expected: int) -> None:
        self.release = threading.Event()
        self.expected = expected
        self.arrived = 0
        self.all_arrived = threading.Event()
        self._lock = threading.Lock()
        server.prefix_routes["/stall/"] = self._route

    def _route(self, path: str) -> Route:
        with self._lock:
            self.arrived += 1
            if self.arrived >= self.expected:
                self.all_arrived.set()
        return Route(body=b"not a feed", hold=self.release, headers={"Content-Type": "text/xml"})


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed("/ok.xml", OK_FEED)
        yield running


def feeds(server: FeedServer, stalling: int) -> list[FeedSource]:
    rng = random.Random(7)
    stalls = [
        FeedSection(name=f"stall{i}", url=server.url(f"/stall/{i}"), poll_seconds=300)
        for i in range(stalling)
    ]
    ok = FeedSection(name="ok", url=server.url("/ok.xml"), poll_seconds=10)
    return [FeedSource(section, rng=rng) for section in [*stalls, ok]]


def run_scheduler(
    collector: Collector,
    stop: threading.Event,
    reports: list[PollReport],
    ok_polled: threading.Event,
) -> threading.Thread:
    def on_report(report: PollReport) -> None:
        reports.append(report)
        if report.name == "ok":
            ok_polled.set()

    thread = threading.Thread(
        target=collector.run_forever, args=(stop,), kwargs={"on_report": on_report}, daemon=True
    )
    thread.start()
    return thread


def test_feeds_that_failed_last_run_leave_half_the_slots_to_healthy_ones(
    server: FeedServer, db_path: Path
) -> None:
    """Four feeds that failed last run and stall again take two slots; "ok" is polled at once."""
    clock = FakeClock(BASE_TIME)
    with Store.open(db_path) as store, store.writing():
        for i in range(4):
            store.save_source_state(
                SourceState(
                    name=f"stall{i}",
                    last_error="example.org took longer than 20s to send its answer",
                    next_poll_at=format_timestamp(BASE_TIME - timedelta(minutes=1)),
                )
            )
    stalls = Stalls(server, expected=2)
    collector = Collector(Config(), db_path, sources=feeds(server, 4), clock=clock)
    stop, ok_polled = threading.Event(), threading.Event()
    reports: list[PollReport] = []
    thread = run_scheduler(collector, stop, reports, ok_polled)
    try:
        assert ok_polled.wait(10), "the healthy feed waited for the stalling ones"
        assert stalls.all_arrived.is_set() and stalls.arrived == 2
        assert [r.name for r in reports] == ["ok"] and reports[0].new == 1
    finally:
        stop.set()
        stalls.release.set()
        thread.join(15)


def test_a_first_poll_that_stalls_gives_its_slot_back(server: FeedServer, db_path: Path) -> None:
    """On a first run, four stalling feeds fill the slots only until they are slow (5 s)."""
    clock = FakeClock(BASE_TIME)
    stalls = Stalls(server, expected=4)
    collector = Collector(Config(), db_path, sources=feeds(server, 4), clock=clock)
    stop, ok_polled = threading.Event(), threading.Event()
    reports: list[PollReport] = []
    thread = run_scheduler(collector, stop, reports, ok_polled)
    try:
        assert stalls.all_arrived.wait(10)
        assert not ok_polled.is_set() and server.hits["/ok.xml"] == 0
        clock.advance(5)
        assert ok_polled.wait(10), "four stalling feeds held every poll slot"
        assert [r.name for r in reports] == ["ok"]
    finally:
        stop.set()
        stalls.release.set()
        thread.join(15)


def test_the_next_poll_is_counted_from_the_end_of_a_slow_poll(
    server: FeedServer, db_path: Path
) -> None:
    """A feed whose answer took 25 s is polled again its 10 s after the answer, not at once."""
    clock = FakeClock(BASE_TIME)

    def slow_answer(path: str) -> Route:
        clock.advance(25)  # the server took 25 s to answer
        return Route(body=OK_FEED, headers={"Content-Type": "application/rss+xml"})

    server.prefix_routes["/slow.xml"] = slow_answer
    section = FeedSection(name="slow", url=server.url("/slow.xml"), poll_seconds=10)
    collector = Collector(Config(), db_path, sources=[FeedSource(section)], clock=clock)
    report = collector.poll_source("slow")
    assert report.error is None
    assert report.next_poll_at == BASE_TIME + timedelta(seconds=35)
