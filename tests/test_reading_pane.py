"""The reading pane with a long post: blank runs collapsed, and a sign when there is more."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from cache.db.store import Store
from cache.write.ingest import ingest
from sources.feeds.parse import parse_feed
from tests.builders import page, rss, tweet, user
from tests.monitor_scenario import NOW, build_store, classifier, store_batch
from tests.tui_helpers import feed_of, make_app, settle
from tui.reading import PreviewPane

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

LONG_TEXT = (
    "Kestrel strike update\n\n\n\n\nline two\n\n \n\nline three\n"
    + "\n".join(f"point {i}" for i in range(30))
    + "\n\n\nend of post"
)


async def show_in_pane(pilot: Pilot[Any], mention_id: str) -> None:
    """Put the feed's cursor on `mention_id` and let the pane read it."""
    feed = feed_of(pilot.app)  # type: ignore[arg-type]
    feed.move_cursor(row=feed.get_row_index(mention_id))
    await settle(pilot)


def store_long_post(path: Path) -> str:
    """A post with many line breaks, the newest in the store."""
    author = user("longposter", "Long Poster", user_id="777")
    post = tweet(author, LONG_TEXT, tweet_id="7000", at=NOW - timedelta(seconds=5))
    (mention_id,) = store_batch(path, page([post], [author]))
    return mention_id


async def test_a_long_post_collapses_blank_runs_and_says_there_is_more(tmp_path: Path) -> None:
    """At 80x24 runs of blank lines show as one, and `… more` says how to read the rest."""
    scenario = build_store(tmp_path / "store.db")
    mention_id = store_long_post(scenario.path)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await show_in_pane(pilot, mention_id)
        pane = app.query_one(PreviewPane)
        shown = str(pane.body.render())
        assert "Kestrel strike update\n\nline two\n\nline three\npoint 0" in shown
        assert "\n\n\n" not in shown
        more = app.query_one("#preview-more", Static)
        for _ in range(10):  # the pane measures its overflow after a refresh (busy CI)
            if more.display:
                break
            await pilot.pause()
        assert more.display and "enter" in str(more.render())
        pane.scroll_end(animate=False)  # scrolled down (the mouse wheel) to the end
        await settle(pilot)
        assert not more.display


async def test_a_post_that_fits_shows_no_sign(tmp_path: Path) -> None:
    """Where the whole post and its lines fit, no `more` sign is shown."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert app.query_one(PreviewPane).mention_id is not None
        assert not app.query_one("#preview-more", Static).display


async def test_an_undated_item_reads_undated_in_the_pane_too(tmp_path: Path) -> None:
    """A feed item without a date shows `undated` in the feed and in the reading pane."""
    scenario = build_store(tmp_path / "store.db")
    feed = rss(
        "Lagerforum", [{"title": "Kestrel Streik ohne Datum", "link": "https://l.example/u"}]
    )
    with Store.open(scenario.path) as store:
        (mention_id,) = ingest(
            store, parse_feed(feed, "lagerforum", seen_at=NOW), classifier()
        ).new_ids
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await show_in_pane(pilot, mention_id)
        assert str(feed_of(app).get_row(mention_id)[0]) == "undated"
        head = str(app.query_one(PreviewPane).body.render()).splitlines()[2]
        assert head.startswith("undated · lagerforum"), head


async def test_a_post_without_text_says_so(tmp_path: Path) -> None:
    """A post that is only media shows `(no text)` in the feed and the pane, not a blank."""
    scenario = build_store(tmp_path / "store.db")
    author = user("gif_poster", user_id="778")
    post = tweet(author, "", tweet_id="7001", at=NOW - timedelta(seconds=4))
    (mention_id,) = store_batch(scenario.path, page([post], [author]))
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await show_in_pane(pilot, mention_id)
        assert str(feed_of(app).get_row(mention_id)[4]) == "(no text)"
        assert "\n(no text)\n" in str(app.query_one(PreviewPane).body.render())
