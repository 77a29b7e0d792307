"""The monitor's filter `since:1h` is the hour up to now, as `views` and exports count it:
posts dated ahead of the clock are not in it, posts arriving later (dated then) are; the
unfiltered feed still shows a post dated a little ahead, marked as such."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.read.monitor_queries import count_matching
from cache.read.search import query_selection
from tests.builders import page, tweet, user
from tests.monitor_scenario import CONFIG, NOW, build_store, store_batch
from tests.tui_helpers import feed_of, filter_line_of, one_check, settle
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions

pytestmark = pytest.mark.pilot

AHEAD_IDS = ("x:8801", "x:8802")
"""Posts dated 10 minutes and 3 hours after the monitor's clock."""


def store_posts_ahead(path: Path) -> None:
    author = user("fast_clock", "Fast Clock", user_id="880")
    posts = [
        tweet(author, "Kestrel Streik bald", tweet_id="8801", at=NOW + timedelta(minutes=10)),
        tweet(author, "Kestrel Streik später", tweet_id="8802", at=NOW + timedelta(hours=3)),
    ]
    store_batch(path, page(posts, [author]))


def app_at(path: Path, tmp_path: Path, clock: list[datetime]) -> MonitorApp:
    """An offline monitor whose clock reads `clock[0]` (a test moves it on)."""
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode="offline",
            config=CONFIG,
            clock=lambda: clock[0],
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
        )
    )


async def test_the_filter_since_ends_now_and_takes_later_arrivals(tmp_path: Path) -> None:
    """`since:1h` leaves out posts dated ahead, counts what `views` counts, and a post
    that arrives after the clock moved on is in it."""
    scenario = build_store(tmp_path / "store.db")
    store_posts_ahead(scenario.path)
    clock = [NOW]
    app = app_at(scenario.path, tmp_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        assert feed.row_ids[:2] == list(reversed(AHEAD_IDS))  # the feed: up to a day ahead
        marked = [str(feed.get_cell(i, "time")) for i in AHEAD_IDS]
        assert marked == ["+12:10", "+15:00"]  # dated ahead of the clock (12:00)
        await pilot.press("slash", *"since:1h", "enter")
        await settle(pilot)
        ids = feed_of(app).row_ids
        with Store.open(scenario.path, readonly=True) as store:
            counted = count_matching(store, query_selection("since:1h", NOW), 1000)
        assert not set(AHEAD_IDS) & set(ids)
        assert len(ids) == counted
        assert f"· {counted} matches" in filter_line_of(app)

        clock[0] = NOW + timedelta(minutes=5)
        author = user("on_time", "On Time", user_id="881")
        late = tweet(author, "Kestrel Streik jetzt", tweet_id="8803", at=NOW + timedelta(minutes=2))
        store_batch(scenario.path, page([late], [author]))
        await one_check(app, pilot)
        ids = feed_of(app).row_ids
        assert ids[0] == "x:8803" and not set(AHEAD_IDS) & set(ids)
