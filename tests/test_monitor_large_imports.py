"""A large import by another process reaches the top of the open monitor in one check."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.test_monitor_outside_writes import number_before, offline_app
from tests.tui_helpers import feed_of, filter_line_of, one_check, settle, status_of
from tui import monitor
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.reading import NewAboveMarker

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

IMPORTED = 2_600
"""More rows than the monitor used to read per check (2,000): the newest came last."""


def import_elsewhere(path: Path, count: int = IMPORTED) -> list[str]:
    """Store `count` tweets through a connection of its own, as `app.py import` in another
    shell does: oldest first, one a second up to a minute ago; even ones say Streik, odd
    ones Lohn. Returns their ids, newest first."""
    author = user("bulk_archive", "Bulk Archive", user_id="880")
    words = ("Streik", "Lohn")
    tweets = [
        tweet(
            author,
            f"Kestrel {words[i % 2]} row{i}",
            tweet_id=str(1_950_000 + i),
            at=NOW - timedelta(minutes=1, seconds=count - i),
            lang="de",
        )
        for i in range(count)
    ]
    with Store.open(path) as store:
        ingest(store, parse_response(page(tweets, [author]), "import"), Classifier(CONFIG))
    return [f"x:{t['id']}" for t in reversed(tweets)]


@pytest.fixture(autouse=True)
def checks_driven_by_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 2-second tick never fires by itself: each test says when the store is checked,
    so "one check" is one (a slow machine would otherwise tick in between)."""
    monkeypatch.setattr(monitor, "OUTSIDE_SECONDS", 3600.0)


def live_app(path: Path, tmp_path: Path) -> MonitorApp:
    """A monitor that may be paused (nothing polled here: the other process writes)."""
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode="live",
            config=CONFIG,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
        )
    )


def stored_count(path: Path) -> int:
    with Store.open(path, readonly=True) as store:
        return store.count_mentions()


def marker_of(app: MonitorApp) -> NewAboveMarker:
    return app.query_one(NewAboveMarker)


async def test_the_newest_imported_post_is_on_top_after_one_check(tmp_path: Path) -> None:
    """Following the top, the newest of 2,600 imported posts is the first row after one
    check, the next check changes nothing, and the counts agree with the store."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        written = import_elsewhere(scenario.path)
        await one_check(app, pilot)
        feed = feed_of(app)
        assert feed.row_ids[:5] == written[:5]
        assert feed.cursor_row == 0
        shown = feed.row_ids
        await one_check(app, pilot)  # the backlog was not left to walk
        assert feed_of(app).row_ids == shown
        app.refresh_topics()  # the 5-second ticks
        app.refresh_sources()
        await settle(pilot)
        total = stored_count(scenario.path)
        assert number_before(filter_line_of(app), "mentions") == total
        assert number_before(status_of(app), "unread") == total


async def test_down_the_feed_the_cursor_keeps_its_post_and_counts_the_import(
    tmp_path: Path,
) -> None:
    """A reader down the feed keeps their post; `▲ N new above` counts the imported posts
    newer than it, the older ones sit in place below it, and `g` shows the newest on top."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=3)
        await settle(pilot)
        reading = feed.current_id
        assert reading is not None
        written = import_elsewhere(scenario.path)
        await one_check(app, pilot)
        assert feed.current_id == reading
        newer, below = around(scenario.path, reading)
        assert 0 < newer < IMPORTED  # the import spans the reader's post
        marker = marker_of(app)
        assert marker.display
        assert f"▲ {newer:,} new above" in str(marker.render())
        ids = feed.row_ids
        assert ids[ids.index(reading) + 1 :][: len(below)] == below
        await pilot.press("g")
        await settle(pilot)
        assert feed.row_ids[:3] == written[:3]
        assert feed.cursor_row == 0
        assert not marker.display


def around(path: Path, mention_id: str) -> tuple[int, list[str]]:
    """(how many stored mentions are newer than `mention_id`, the 20 next older ones)."""
    with Store.open(path, readonly=True) as store:
        at = store.conn.execute(
            "SELECT created_at, id FROM mentions WHERE id = ?", [mention_id]
        ).fetchone()
        newer = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE (created_at, id) > (?, ?)", tuple(at)
        ).fetchone()[0]
        older = store.conn.execute(
            "SELECT id FROM mentions WHERE (created_at, id) < (?, ?) "
            "ORDER BY created_at DESC, id DESC LIMIT 20",
            tuple(at),
        ).fetchall()
    return int(newer) - 3, [row[0] for row in older]  # less the 3 rows shown above it


async def test_paused_the_import_is_counted_and_shown_on_resume(tmp_path: Path) -> None:
    """Paused, the status line counts the 2,600 imported posts as waiting; on resume the
    newest is on top."""
    scenario = build_store(tmp_path / "store.db")
    app = live_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = feed_of(app).row_ids
        await pilot.press("space")
        written = import_elsewhere(scenario.path)
        await one_check(app, pilot)
        assert "2,600 new waiting" in status_of(app)
        assert feed_of(app).row_ids == before
        await pilot.press("space")
        await settle(pilot)
        assert feed_of(app).row_ids[:3] == written[:3]


async def test_a_filter_applies_to_a_large_import(tmp_path: Path) -> None:
    """With the filter `Streik OR Steuern`, only the imported posts that say it join the feed, the
    newest on top; down the feed, only those are counted above."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.apply_filter("Streik OR Steuern")
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=1)
        await settle(pilot)
        reading = feed.current_id
        written = import_elsewhere(scenario.path)
        striking = written[1::2]  # the even rows, newest first
        await one_check(app, pilot)
        assert feed.current_id == reading
        assert f"▲ {len(striking):,} new above" in str(marker_of(app).render())
        await pilot.press("g")
        await settle(pilot)
        assert feed.row_ids[:3] == striking[:3]
        assert not set(feed.row_ids) & set(written[0::2])
