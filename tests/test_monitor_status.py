"""Honest status: live, paused, offline and "replay finished" each look different; the
Sources view lists the store's real sources; browsing offline judges no alert hours."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.widgets._footer import FooterKey

from cache.alerts.rules import list_alerts
from cache.db.store import Store
from cache.live.collector import Collector
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.base import PollOutcome, PollPage
from sources.feeds.parse import parse_feed
from sources.model.records import SourceState
from tests.builders import rss
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.test_alerts_view import build_store as build_spiky_store
from tests.test_monitor_outside_writes import write_elsewhere
from tests.tui_helpers import settle, status_of, text_of
from tui.alerts_view import AlertsScreen
from tui.dialogs import HelpScreen
from tui.feed import FeedTable
from tui.keys import help_keys
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.sources_view import SourcesScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


class ShortReplay:
    """A replay with one item: the first poll delivers it and says the replay is over."""

    name = "demo"
    kind = "replay"

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        state = SourceState(
            name=self.name, kind=self.kind, last_poll_at=stamp, last_success_at=stamp, cursor="1"
        )
        yield PollPage(states=[state])

    def outcome(self) -> PollOutcome:
        return PollOutcome(ok=True, next_poll_in=3600, finished=True)


def monitor(
    path: Path, tmp_path: Path, mode: str, collector: Collector | None = None
) -> MonitorApp:
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode=mode,
            config=CONFIG,
            collector=collector,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
        )
    )


async def until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """Let the app run until `condition` holds (the sources' thread reports on its own)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError("the monitor never got there")


@contextlib.asynccontextmanager
async def finished_replay(tmp_path: Path) -> AsyncIterator[tuple[MonitorApp, Pilot[Any]]]:
    """A demo monitor whose one-item replay has played to its end."""
    scenario = build_store(tmp_path / "store.db")
    collector = Collector(CONFIG, scenario.path, sources=[ShortReplay()], clock=frozen_clock)
    app = monitor(scenario.path, tmp_path, "demo", collector)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "REPLAY FINISHED" in status_of(app))
        await settle(pilot)
        yield app, pilot


async def test_the_end_of_the_demo_replay_reads_replay_finished(tmp_path: Path) -> None:
    """When the replay has played out, the status says REPLAY FINISHED, not LIVE."""
    async with finished_replay(tmp_path) as (app, pilot):
        status = status_of(app)
        assert "LIVE" not in status and "demo ■ finished" in status
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert str(table.get_row("demo")[1]) == "finished"
        assert str(table.get_row("x:search")[1]) == "finished"  # the replay delivers it


async def test_a_finished_source_announces_no_next_poll(tmp_path: Path) -> None:
    """`s` on a replay that played out says it is finished and names no next poll."""
    async with finished_replay(tmp_path) as (app, pilot):
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        for name in ("demo", "x:search"):
            table.move_cursor(row=table.get_row_index(name))
            await pilot.pause()
            detail = text_of(app.screen, "#list-detail-text")
            assert "finished" in detail and "next poll" not in detail, detail


def footer_keys(app: MonitorApp) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


async def test_the_footer_offers_resume_while_paused(tmp_path: Path) -> None:
    """Paused, the footer says `space Resume`; running again, `space Pause`."""
    scenario = build_store(tmp_path / "store.db")
    app = monitor(scenario.path, tmp_path, "live")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Pause" in footer_keys(app) and "Resume" not in footer_keys(app)
        await pilot.press("space")
        await settle(pilot)
        assert "Resume" in footer_keys(app) and "Pause" not in footer_keys(app)
        await pilot.press("space")
        await settle(pilot)
        assert not app.paused and "Pause" in footer_keys(app)


async def test_a_finished_replay_offers_no_pause(tmp_path: Path) -> None:
    """Once the replay played out nothing arrives: no Pause in the footer, space does nothing."""
    async with finished_replay(tmp_path) as (app, pilot):
        assert "Pause" not in footer_keys(app) and "Resume" not in footer_keys(app)
        await pilot.press("space")
        assert not app.paused


async def test_live_and_paused_look_different(tmp_path: Path) -> None:
    """LIVE has a dot; space turns it into PAUSED with the posts waiting."""
    scenario = build_store(tmp_path / "store.db")
    app = monitor(scenario.path, tmp_path, "live")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_of(app).startswith("● LIVE")
        await pilot.press("space")
        assert status_of(app).startswith("⏸ PAUSED 0 new waiting")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_offline_looks_offline_and_never_writes_the_store(
    db_path: Path, tmp_path: Path
) -> None:
    """Offline: no LIVE, no Pause; the alert list and Sources read without writing."""
    build_spiky_store(db_path)  # history no collector judged: the alert list used to judge it
    before = digest(db_path)
    app = monitor(db_path, tmp_path, "offline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_of(app).startswith("○ OFFLINE nothing polled")
        await pilot.press("space")
        assert "PAUSED" not in status_of(app) and "LIVE" not in status_of(app)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, AlertsScreen)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
    assert digest(db_path) == before
    with Store.open(db_path, readonly=True) as store:
        assert list_alerts(store) == []


async def test_offline_promises_only_what_it_keeps(tmp_path: Path) -> None:
    """Offline keeps the reader's marks: no screen says browsing offline writes nothing."""
    scenario = build_store(tmp_path / "store.db")
    app = monitor(scenario.path, tmp_path, "offline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        empty = text_of(app.screen, "#list-detail-text")
        assert "No spike alerts" in empty and "judges no alert hours" in empty, empty
        assert "never writes" not in empty
        for entry in help_keys(app.BINDINGS):  # what `?` lists
            if "offline" in f"{entry.key} {entry.description}".lower():
                said = entry.description
                assert "writes nothing" not in said and "never writes" not in said, entry


async def test_sources_view_lists_where_mentions_come_from(tmp_path: Path) -> None:
    """`s` names x:search and the feed `lagerforum`, delivered by the polled replay."""
    scenario = build_store(tmp_path / "store.db")
    feed = rss("Lagerforum", [{"title": "Kestrel Streik", "link": "https://l.example/1"}])
    with Store.open(scenario.path) as store:
        ingest(store, parse_feed(feed, "lagerforum", seen_at=NOW), Classifier(CONFIG))
        with store.writing():
            polled = (NOW - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            store.save_source_state(
                SourceState(name="demo", kind="replay", last_poll_at=polled, last_success_at=polled)
            )
    app = monitor(scenario.path, tmp_path, "demo")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys == ["demo", "lagerforum", "x:search"]
        forum = [str(cell) for cell in table.get_row("lagerforum")]
        assert forum[1:4] == ["ok", "1", "demo"]  # health, mentions, delivered by
        assert [str(c) for c in table.get_row("demo")][3] == "itself"


async def test_help_explains_every_status_mark(tmp_path: Path) -> None:
    """`?` explains LIVE, PAUSED, OFFLINE, REPLAY FINISHED and what "+5" means."""
    scenario = build_store(tmp_path / "store.db")
    app = monitor(scenario.path, tmp_path, "live")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for mark in ("● LIVE", "⏸ PAUSED", "○ OFFLINE", "■ REPLAY FINISHED", "brought 5 new"):
            assert mark in text, mark


class HeldReplay(ShortReplay):
    """A one-item replay whose end waits until the test lets it go (`release`)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        yield from super().poll(states, now)
        self.release.wait(timeout=30)


async def test_paused_when_the_replay_ends_still_says_paused(tmp_path: Path) -> None:
    """Paused as the replay ends, the status line keeps `⏸ PAUSED 3 new waiting` and notes
    the end beside it; the footer offers Resume, which shows the three posts."""
    scenario = build_store(tmp_path / "store.db")
    replay = HeldReplay()
    collector = Collector(CONFIG, scenario.path, sources=[replay], clock=frozen_clock)
    app = monitor(scenario.path, tmp_path, "demo", collector)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        written = write_elsewhere(scenario.path, 9500, 3)
        app.check_outside_writes()
        await settle(pilot)
        replay.release.set()
        await until(pilot, lambda: "finished" in status_of(app))
        await settle(pilot)
        status = status_of(app)
        assert status.startswith("⏸ PAUSED 3 new waiting · ■ replay finished"), status
        assert "REPLAY FINISHED" not in status
        assert "Resume" in footer_keys(app)
        await pilot.press("space")
        await settle(pilot)
        assert app.query_one(FeedTable).row_ids[:3] == written
        assert status_of(app).startswith("■ REPLAY FINISHED")
