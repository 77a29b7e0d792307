"""The alert list screen (tui/alerts_view.py), driven through Textual's Pilot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from cache.alerts.rules import list_alerts
from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import AlertsSection, Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, rss, tweet, user
from tests.tui_helpers import toasts, workers_done
from tui.alerts_view import AlertsScreen, announce

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

DAY0 = datetime(2026, 11, 1, tzinfo=UTC)
HOSTILE = "Kestrel strike [red]x[/] [@click=app.quit]q[/] \x1b[2J \u202eevil"


def build_store(db_path: Path) -> None:
    """A week of quiet hours, then two strike spikes a day apart (the newest hostile)."""
    critic = user("critic", "[b]Critic[/b]")
    posts = []
    for hour in range(9 * 24):
        at = DAY0 + timedelta(hours=hour)
        posts.append(tweet(critic, f"Kestrel parcel {hour}", at=at))
    for day, text in ((7, "Kestrel strike today"), (8, HOSTILE)):
        start = DAY0 + timedelta(days=day, hours=10)
        posts.extend(
            tweet(critic, f"{text} #{i}", at=start + timedelta(minutes=i)) for i in range(20)
        )
    with Store.open(db_path) as store:
        ingest(store, parse_response(page(posts, [critic]), "x:search"), Classifier(Config()))


NOW = DAY0 + timedelta(days=10)
"""The clock of the screens here (times are shown as the monitor shows them, in UTC)."""


class AlertsApp(App[None]):
    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.options = SimpleNamespace(tz=UTC)
        self.clock = lambda: NOW

    def on_mount(self) -> None:
        self.push_screen(AlertsScreen(self.db_path, Config(), may_write=True))


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("key", ["down", "j"])
async def test_alert_list_shows_spikes_newest_first_with_their_drivers(
    db_path: Path, key: str
) -> None:
    """The screen judges the imported history and lists its alerts, newest first; `down`
    or `j` (as in every list) shows the next one's drivers."""
    build_store(db_path)
    app = AlertsApp(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys == [
            "all@2026-11-09T10:00:00Z",
            "strikes@2026-11-09T10:00:00Z",
            "all@2026-11-08T10:00:00Z",
            "strikes@2026-11-08T10:00:00Z",
        ]
        await pilot.press(key)
        await settle(pilot)
        detail = str(app.screen.query_one("#list-detail-text", Static).render())
        assert "strikes spiked: 20 mentions in the hour from Mon 10:00" in detail
        assert "x:search (20)" in detail


async def test_alert_list_shows_hostile_post_text_literally(db_path: Path) -> None:
    """A top post with markup, an escape sequence and a bidi override shows as plain text."""
    build_store(db_path)
    app = AlertsApp(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        detail = str(app.screen.query_one("#list-detail-text", Static).render())
        assert "@[b]Critic[/b]" not in detail  # the handle is shown, not the name
        assert "[red]x[/] [@click=app.quit]q[/]" in detail
        assert "\x1b" not in detail and "\u202e" not in detail
        assert app.is_running


async def test_top_posts_show_a_feed_author_as_a_name_and_an_x_author_as_a_handle(
    db_path: Path,
) -> None:
    """In an alert's top posts a feed item's author is its name ("Jane Doe"), an X post's
    author its @handle."""
    build_store(db_path)
    start = DAY0 + timedelta(days=9, hours=10)
    items = [
        {
            "title": f"Kestrel strike report {i}",
            "link": f"https://news.example/{i}",
            "author": "Jane Doe",
            "pubDate": (start + timedelta(minutes=i)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        for i in range(40)  # above the same hour's baseline, which holds two spikes
    ]
    with Store.open(db_path) as store:
        ingest(store, parse_feed(rss("News", items), "news"), Classifier(Config()))
    app = AlertsApp(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        detail = str(app.screen.query_one("#list-detail-text", Static).render())
        assert "all spiked: 40 mentions" in detail
        assert "Jane Doe Kestrel strike report" in detail
        assert "@Jane Doe" not in detail
        await pilot.press("down", "down")
        await settle(pilot)
        detail = str(app.screen.query_one("#list-detail-text", Static).render())
        assert "@critic Kestrel strike" in detail


async def test_announce_shows_a_literal_toast_and_rings_when_asked(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new alert becomes a toast (never markup) and rings the bell if configured."""
    build_store(db_path)
    with Store.open(db_path) as store:
        from cache.alerts.rules import evaluate, rule_from_config

        evaluate(store, rule_from_config(Config()), DAY0 + timedelta(days=10))
        alerts = list_alerts(store)
    rang: list[bool] = []
    app = AlertsApp(db_path)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(
        notifications=True,
    ) as pilot:
        app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
        announce(app, alerts[:1], Config(alerts=AlertsSection(bell=True)))
        await pilot.pause()
        notes = toasts(app)
        assert len(notes) == 1
        assert "all: 21 mentions in the hour from Mon 10:00" in notes[0]
        assert rang == [True]


async def test_top_posts_wrap_indented_under_their_first_line(db_path: Path) -> None:
    """In a narrow pane each top post wraps within it, its further lines indented."""
    build_store(db_path)
    app = AlertsApp(db_path)
    async with app.run_test(size=(34, 30)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one("#list-detail-text", Static)
        detail = str(pane.render()).splitlines()
        start = detail.index("Top posts") + 1
        entries = detail[start : detail.index("", start)]
        assert entries and all(len(line) <= pane.size.width for line in entries)
        assert any(line.startswith("    ") for line in entries)
        assert all(line.startswith(("  @critic ", "    ")) for line in entries)
