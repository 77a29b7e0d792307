"""A name with no length limit (a feed's author, a display name of 20,000 characters) is
shortened in every heading line that shows it, so the post under it stays in view."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from cache.db.store import Store
from cache.write.ingest import ingest
from sources.feeds.parse import parse_feed
from tests.builders import page, rss, tweet, user
from tests.monitor_scenario import NOW, Scenario, build_store, classifier, store_batch
from tests.tui_helpers import feed_of, make_app, open_detail_of, settle, text_of
from tui.account_view import AccountScreen
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.reading import PreviewPane
from tui.views import AmbassadorsScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

LONG = 20_000
AMBASSADOR_TEXT = "Bei Kestrel zahlen wir fair, versprochen"
PUBLIC_TEXT = "Kestrel the actual post"
FEED_TEXT = "Kestrel feed item under a long author"


def longest_run(text: str) -> int:
    """The longest run of one letter of the long names (x, y, z) in `text`."""
    return max((len(run) for run in re.findall(r"x+|y+|z+", text)), default=0)


def with_long_names(path: Path) -> tuple[Scenario, dict[str, str]]:
    """The scenario, an ambassador named `Kestrel xxx…` answering its critical post, a
    public account named `yyy…` and a feed item whose author is `zzz…`."""
    scenario = build_store(path)
    ambassador = user("longamb", "Kestrel " + "x" * LONG, user_id="901", bio="FC Ambassador")
    public = user("longpub", "y" * LONG, user_id="902")
    critical = {"id": "1000", "author_id": "101", "conversation_id": "1000"}
    posts = [
        tweet(
            ambassador,
            AMBASSADOR_TEXT,
            tweet_id="7100",
            at=NOW - timedelta(minutes=3),
            reply_to=critical,
        ),
        tweet(public, PUBLIC_TEXT, tweet_id="7101", at=NOW - timedelta(minutes=2)),
    ]
    store_batch(path, page(posts, [ambassador, public]))
    feed = rss(
        "Lagerforum",
        [
            {
                "title": FEED_TEXT,
                "link": "https://l.example/z",
                "author": "z" * LONG,
                "pubDate": "Mon, 02 Nov 2026 11:59:00 GMT",
            }
        ],
    )
    with Store.open(path) as store:
        (feed_id,) = ingest(
            store, parse_feed(feed, "lagerforum", seen_at=NOW), classifier()
        ).new_ids
        keys = dict(store.conn.execute("SELECT id, author_key FROM mentions").fetchall())
    ids = {"ambassador": "x:7100", "public": "x:7101", "feed": feed_id}
    return scenario, {**ids, **{f"{k}_key": keys[v] for k, v in ids.items()}}


def shown(screen: Screen[Any]) -> str:
    return text_of(screen, "Static")


async def test_the_reading_pane_shortens_a_long_name_and_shows_the_post(tmp_path: Path) -> None:
    """The pane under a post by a long-named author shows the name cut and the post in view."""
    scenario, ids = with_long_names(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        for key, text in (
            ("ambassador", AMBASSADOR_TEXT),
            ("public", PUBLIC_TEXT),
            ("feed", FEED_TEXT),
        ):
            feed = feed_of(app)
            feed.move_cursor(row=feed.get_row_index(ids[key]))
            await settle(pilot)
            pane = str(app.query_one(PreviewPane).body.render())
            assert longest_run(pane) < 100, key
            assert pane.index(text) < 300, key  # within the first lines of the pane


async def test_the_post_view_and_its_thread_shorten_a_long_name(tmp_path: Path) -> None:
    """The post view's author heading and the thread's author lines show the name cut."""
    scenario, ids = with_long_names(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("ambassador", "public", "feed"):
            screen = await open_detail_of(app, pilot, ids[key])
            text = shown(screen)
            assert "Kestrel xxx" in text or key != "ambassador"
            assert longest_run(text) < 100, key
            await pilot.press("escape")
            await settle(pilot)


async def test_account_and_ambassador_pages_shorten_a_long_name(tmp_path: Path) -> None:
    """The account page, the Ambassadors list's panel and an ambassador's page cut the name."""
    scenario, ids = with_long_names(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(AccountScreen(scenario.path, ids["public_key"], NOW, scenario.config))
        await settle(pilot)
        assert "yyy" in shown(app.screen) and longest_run(shown(app.screen)) < 100
        app.pop_screen()
        app.push_screen(
            AmbassadorDetailScreen(
                scenario.path, ids["ambassador_key"], config=scenario.config, clock=lambda: NOW
            )
        )
        await settle(pilot)
        assert "Kestrel xxx" in shown(app.screen) and longest_run(shown(app.screen)) < 100
        app.pop_screen()
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorsScreen)
        table = app.screen.query_one("DataTable")
        for row in range(table.row_count):  # type: ignore[attr-defined]
            table.move_cursor(row=row)  # type: ignore[attr-defined]
            await settle(pilot)
            assert longest_run(shown(app.screen)) < 100
