"""The reading pane shows the selected post as it is now, after a poll changed it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from cache.live.collector import Collector
from sources.feeds.source import FeedSource
from sources.model.config import FeedSection
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.tui_helpers import feed_of, make_app, settle
from tui.messages import SourcePolled
from tui.monitor import MonitorApp
from tui.reading import PreviewPane

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def live_item(title: str, description: str) -> bytes:
    """The feed with its one item (the same guid, whatever it says)."""
    item = {
        "title": title,
        "link": "https://news.example/live/163",
        "guid": "live-163",
        "description": description,
        "pubDate": format_datetime(NOW - timedelta(minutes=1)),
    }
    return rss("Live test", [item])


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def pane_text(app: MonitorApp) -> str:
    return str(app.query_one(PreviewPane).body.render())


async def test_the_pane_shows_the_new_text_and_topics_of_the_selected_post(
    server: FeedServer, tmp_path: Path
) -> None:
    """The cursor on a feed item that the next poll edits: the pane shows the new title,
    text and topics, as the row does, without the cursor moving."""
    scenario = build_store(tmp_path / "store.db")
    server.feed("/live.xml", live_item("Kestrel accused of tax avoidance in report #163", "x"))
    section = FeedSection(name="live", url=server.url("/live.xml"), poll_seconds=10)
    collector = Collector(CONFIG, scenario.path, sources=[FeedSource(section)], clock=frozen_clock)
    app = make_app(scenario, tmp_path, mode="live")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # What the monitor's own schedule does on each poll: poll, then report to the app.
        report = await asyncio.to_thread(collector.poll_source, "live")
        app.post_message(SourcePolled(report))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        (item_id,) = report.new_ids
        feed = feed_of(app)
        assert feed.current_id == item_id
        assert "tax avoidance" in pane_text(app) and "taxes" in pane_text(app)
        server.feed("/live.xml", live_item("UPDATED: Kestrel Streik heute #163", "Streik"))
        report = await asyncio.to_thread(collector.poll_source, "live")
        assert list(report.updated_ids) == [item_id]
        app.post_message(SourcePolled(report))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed.current_id == item_id
        assert "UPDATED: Kestrel Streik heute" in str(feed.get_row(item_id)[4])
        shown = pane_text(app)
        assert "UPDATED: Kestrel Streik heute #163" in shown
        assert "tax avoidance" not in shown
        assert "topics: strikes" in shown
