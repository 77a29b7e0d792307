"""A post dated far ahead (flagged `out_of_range`) never sits above newer posts in the
monitor's newest-first feed: the feed starts at the present; `until:` a later date lists it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.read.first_page import newest_mentions
from cache.read.monitor_queries import feed_page
from cache.read.search import query_selection
from tests.builders import page, tweet, user
from tests.monitor_scenario import NOW, build_store, store_batch
from tests.test_monitor_outside_writes import offline_app, write_elsewhere
from tests.tui_helpers import feed_of, one_check, settle

FUTURE_ID = "x:7777"


def store_future_post(path: Path) -> None:
    """A post that says it was written on 2100-01-01 (a broken clock), stored now."""
    author = user("clock_broken", "Clock Broken", user_id="777")
    future = datetime(2100, 1, 1, tzinfo=UTC)
    store_batch(path, page([tweet(author, "Kestrel Gehalt", tweet_id="7777", at=future)], [author]))


def test_the_feed_starts_at_the_present_and_until_lists_the_future(tmp_path: Path) -> None:
    """The first page leaves out a post dated 2100; `until:9999-12-31` shows it on top."""
    scenario = build_store(tmp_path / "store.db")
    store_future_post(scenario.path)
    with Store.open(scenario.path, readonly=True) as store:
        (flag,) = store.conn.execute(
            "SELECT time_flag FROM mentions WHERE id = ?", [FUTURE_ID]
        ).fetchone()
        head = feed_page(store, query_selection("", NOW), now=NOW)
        asked = feed_page(store, query_selection("until:9999-12-31", NOW), now=NOW)
        later = feed_page(store, query_selection("since:2099-01-01", NOW), now=NOW)
    assert flag == "out_of_range"
    assert head and FUTURE_ID not in [r["id"] for r in head]
    assert asked[0]["id"] == FUTURE_ID
    assert [r["id"] for r in later] == [FUTURE_ID]


def test_the_early_first_screen_leaves_out_a_post_dated_ahead(tmp_path: Path) -> None:
    """The rows drawn before the monitor loads do not start with a post dated 2100."""
    scenario = build_store(tmp_path / "store.db")
    store_future_post(scenario.path)
    rows = newest_mentions(scenario.path, 3, now=NOW)
    assert rows is not None and rows[0]["id"] != FUTURE_ID
    assert FUTURE_ID not in [r["id"] for r in rows]


@pytest.mark.pilot
async def test_a_post_dated_ahead_never_sits_above_new_arrivals(tmp_path: Path) -> None:
    """A post dated 2100 is not the feed's first row, before or after newer posts arrive."""
    scenario = build_store(tmp_path / "store.db")
    store_future_post(scenario.path)
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert feed_of(app).row_ids[0] != FUTURE_ID
        written = write_elsewhere(scenario.path, 9300, 2)
        store_future_post_again = datetime(2100, 1, 2, tzinfo=UTC)
        author = user("clock_broken", "Clock Broken", user_id="777")
        late = tweet(author, "Kestrel Streik", tweet_id="7778", at=store_future_post_again)
        store_batch(scenario.path, page([late], [author]))
        await one_check(app, pilot)
        ids = feed_of(app).row_ids
        assert ids[:2] == written
        assert FUTURE_ID not in ids and "x:7778" not in ids
