"""An open post follows what arrives: a reply stored while its thread is open shows in it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.containers import VerticalScroll

from tests.builders import page, tweet
from tests.monitor_scenario import ANNA, LENA, NOW, build_store, store_batch
from tests.tui_helpers import feed_of, make_app, settle, text_of
from tui.detail import DetailScreen
from tui.thread_rows import POST, WalkRow

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

COMPLAINT = tweet(
    ANNA,
    "Streik ist kein Verbrechen, @Kestrel. Wer Streikende unter Druck setzt, hat verloren.",
    tweet_id="3000",
    at=NOW - timedelta(minutes=20),
    lang="de",
)


def store_reply(path: Path) -> str:
    """Lena, an ambassador, answers the complaint (stored as a collector would)."""
    reply = tweet(
        LENA,
        "Hallo Anna, wir nehmen das ernst. Schreib uns gern direkt! #Markenbotschafter",
        tweet_id="3001",
        at=NOW - timedelta(minutes=2),
        lang="de",
        reply_to=COMPLAINT,
    )
    store_batch(path, page([reply], [LENA, ANNA], referenced=[COMPLAINT]))
    return "x:3001"


async def test_an_open_thread_shows_the_reply_that_arrives(tmp_path: Path) -> None:
    """The thread open on a complaint shows the ambassador reply stored meanwhile, without
    being reopened, and the reader stays on the row they were on."""
    scenario = build_store(tmp_path / "store.db")
    store_batch(scenario.path, page([COMPLAINT], [ANNA]))
    app = make_app(scenario, tmp_path, mode="live")
    async with app.run_test(size=(80, 16)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index("x:3000"))
        await pilot.press("enter")
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, DetailScreen)
        assert "no ambassador replied (yet)" in text_of(thread, ".reply")
        await pilot.press("G")  # the last row: the complaint's text in the thread, below
        await settle(pilot)
        reading = thread.focused
        assert isinstance(reading, WalkRow) and reading.kind == POST
        scrolled = thread.query_one("#detail-body", VerticalScroll).scroll_y
        assert scrolled > 0  # the thread is longer than the screen
        reply_id = store_reply(scenario.path)
        app.check_outside_writes()
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert app.screen is thread
        assert "Thread: 1 ambassador reply" in text_of(thread, "#thread-title")
        assert "wir nehmen das ernst" in text_of(thread, ".thread-reply")
        assert "(yet)" not in text_of(thread, ".reply")
        now_on = thread.focused
        assert isinstance(now_on, WalkRow) and isinstance(reading, WalkRow)
        assert (now_on.kind, now_on.mention_id) == (reading.kind, reading.mention_id)
        assert thread.query_one("#detail-body", VerticalScroll).scroll_y == scrolled
        assert reply_id in feed.known


async def test_r_reads_the_thread_again(tmp_path: Path) -> None:
    """`r` in a thread shows a reply stored since it opened (also while the feed is paused)."""
    scenario = build_store(tmp_path / "store.db")
    store_batch(scenario.path, page([COMPLAINT], [ANNA]))
    app = make_app(scenario, tmp_path, mode="live")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")  # paused: arrivals wait, the thread is not told of them
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index("x:3000"))
        await pilot.press("enter")
        await settle(pilot)
        thread = app.screen
        assert isinstance(thread, DetailScreen)
        store_reply(scenario.path)
        await pilot.press("r")
        await settle(pilot)
        assert "Thread: 1 ambassador reply" in text_of(thread, "#thread-title")
