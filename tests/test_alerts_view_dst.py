"""The alert list in Berlin time: a spike over the two hours the clocks go back (00:00Z
and 01:00Z of 25 October, both 02:00 in Berlin) reads as two hours, not one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.app import App
from textual.widgets import Static

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.tui_helpers import settle
from tui.alerts_view import AlertsScreen

pytestmark = pytest.mark.pilot

SPIKE = datetime(2026, 10, 25, 0, tzinfo=UTC)
"""The first of the two spike hours: 02:00 CEST; the second is 02:00 CET."""
NOW = datetime(2026, 12, 7, 23, 33, tzinfo=UTC)
"""The clock: winter, so the header says CET."""


def build_store(db_path: Path) -> None:
    """A quiet week, one post an hour, then 30 strike posts in each of the two hours."""
    critic = user("critic")
    posts = [
        tweet(critic, f"Kestrel parcel {hour}", at=SPIKE - timedelta(hours=hour))
        for hour in range(1, 8 * 24)
    ]
    for hour in (0, 1):
        start = SPIKE + timedelta(hours=hour)
        posts += [
            tweet(critic, f"Kestrel strike {hour} #{i}", at=start + timedelta(minutes=i))
            for i in range(30)
        ]
    with Store.open(db_path) as store:
        ingest(store, parse_response(page(posts, [critic]), "x:search"), Classifier(Config()))


class BerlinAlerts(App[None]):
    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.options = SimpleNamespace(tz=ZoneInfo("Europe/Berlin"))
        self.clock = lambda: NOW

    def on_mount(self) -> None:
        self.push_screen(AlertsScreen(self.db_path, Config(), may_write=True))


async def test_a_spike_over_the_repeated_hour_shows_two_hours(db_path: Path) -> None:
    """Start and peak `25 Oct 02:00 CEST`, last hot hour `25 Oct 02:00` (CET, the header's)."""
    build_store(db_path)
    app: Any = BerlinAlerts(db_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        detail = str(app.screen.query_one("#list-detail-text", Static).render())
        assert "in the hour from 25 Oct 02:00 CEST" in detail
        assert "last hot hour 25 Oct 02:00." in detail
