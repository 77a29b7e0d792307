"""Shared helpers of the TUI tests: a monitor on a scenario, settling it, reading what it shows."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerCancelled

from sources.model.config import Config
from tests.monitor_scenario import (
    Programme,
    Scenario,
    frozen_clock,
)
from tui.detail import DetailScreen
from tui.feed import FeedTable
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions

# --- moved from test_monitor.py, shared with other test modules ---


def make_app(scenario: Scenario | Programme, tmp_path: Path, *, mode: str = "live") -> MonitorApp:
    app = MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            mode=mode,
            config=scenario.config,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=labels_of(scenario.config),
        )
    )
    # A post is marked read after resting a second in the reading pane (wall-clock time):
    # tests see the same marks however slow the machine; the marks tests set their own.
    app.reader_marks.read_after = 3600
    return app


_labels: dict[int, tuple[Config, dict[str, str]]] = {}


def labels_of(config: Config) -> dict[str, str]:
    """`topic_labels(config)`, worked out once per config in this process: it builds a
    classifier, compiling every topic's patterns, and the scenarios share one config."""
    known = _labels.get(id(config))
    if known is None or known[0] is not config:
        known = _labels[id(config)] = (config, topic_labels(config))
    return dict(known[1])


async def settle(pilot: Pilot[None]) -> None:
    """Let messages run and every worker finish, twice (a result may start another read)."""
    for _ in range(2):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


async def workers_done(app: App[Any]) -> None:
    """Wait for every worker running now; one the app cancelled counts as done.

    An exclusive worker (the reading pane's preview, a page of the feed) is cancelled
    when a newer one of its group starts, e.g. as the cursor moves on: that is the app's
    own choice, not an error. `workers.wait_for_complete()` raises WorkerCancelled for it
    and stops waiting for the rest, so a test failed or went on early whenever the
    machine was slow enough for the two to overlap. A worker that failed still raises.
    """
    for worker in list(app.workers):
        with suppress(WorkerCancelled):
            await worker.wait()


async def toggle_topic_panel(pilot: Pilot[None]) -> None:
    """`ctrl+t`, and let the feed be laid out again beside (or without) the panel."""
    await pilot.press("ctrl+t")
    await settle(pilot)


async def one_check(app: MonitorApp, pilot: Pilot[None]) -> None:
    """What the monitor's 2-second tick and its flush do, once."""
    app.check_outside_writes()
    await settle(pilot)
    app.flush_arrivals()
    await settle(pilot)


def feed_of(app: MonitorApp) -> FeedTable:
    return app.query_one(FeedTable)


def status_of(app: MonitorApp) -> str:
    return str(app.query_one("#status", Static).render())


def filter_line_of(app: MonitorApp) -> str:
    return str(app.query_one("#filter-line", Static).render())


# --- moved from test_monitor_views.py, shared with other test modules ---


def text_of(screen: object, selector: str) -> str:
    return "\n".join(str(w.render()) for w in screen.query(selector))  # type: ignore[attr-defined]


async def open_detail_of(app, pilot, mention_id: str) -> DetailScreen:
    feed = feed_of(app)
    feed.move_cursor(row=feed.get_row_index(mention_id))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, DetailScreen)
    return app.screen


def toasts(app: App[Any]) -> list[str]:
    """The text of each notification on screen now (its title, then its message), as the
    user reads it: markup in a message shows up here as literal brackets. Toasts exist
    only when the test runs the app with `run_test(notifications=True)`."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
