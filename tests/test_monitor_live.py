"""The monitor with live parts: a collector polling a source in a worker, spike alerts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cache.alerts.rules import Alert
from cache.live.collector import Collector
from sources.base import PollOutcome, PollPage
from sources.model.records import SourceState
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.tui_helpers import feed_of, settle, toasts
from tui.launch import topic_labels
from tui.messages import AlertRaised
from tui.monitor import MonitorApp, MonitorOptions

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


class OnePageSource:
    """A live source that delivers one page of two tweets, then asks for a poll in 60 s."""

    name = "fake"
    kind = "x"

    def __init__(self) -> None:
        self.polls = 0

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        self.polls += 1
        if self.polls > 1:
            return
        author = user("fresh_voice", "Fresh Voice", user_id="777")
        tweets = [
            tweet(
                author,
                f"Kestrel Lohn Meldung {i}",
                tweet_id=str(7000 + i),
                at=NOW - timedelta(seconds=10 - i),
                lang="de",
            )
            for i in range(2)
        ]
        batch = parse_response(page(tweets, [author]), source=self.name)
        yield PollPage(batch, [SourceState(name=self.name, kind=self.kind, last_new=2)])

    def outcome(self) -> PollOutcome:
        return PollOutcome(ok=True, next_poll_in=60)


def live_app(path: Path, tmp_path: Path, **extra: object) -> MonitorApp:
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode="live",
            config=CONFIG,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
            **extra,  # type: ignore[arg-type]
        )
    )


async def test_a_polled_source_fills_the_feed(tmp_path: Path) -> None:
    """The collector polls in a worker; what it stores appears at the top of the feed."""
    scenario = build_store(tmp_path / "store.db")
    source = OnePageSource()
    collector = Collector(CONFIG, scenario.path, sources=[source], clock=frozen_clock)
    app = live_app(scenario.path, tmp_path, collector=collector)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed_of(app).row_ids[:2] == ["x:7001", "x:7000"]
        assert source.polls == 1  # the next poll waits for its timer (60 s)
        assert "fake ✓" in str(app.query_one("#status").render())


async def test_spike_alerts_become_one_notification_and_bang_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of alerts shows as one literal notification; `!` opens the alert list."""
    alerts_view = pytest.importorskip("tui.alerts_view")
    scenario = build_store(tmp_path / "store.db")
    app = live_app(scenario.path, tmp_path)

    def spike(topic: str) -> Alert:
        return Alert(
            topic=topic,
            started_at="2026-11-02T11:00:00Z",
            count=9,
            baseline=1.0,
            stdev=1.0,
            threshold=3.0,
            k=2.0,
            min_count=5,
            baseline_kind="same_hour",
            baseline_hours=7,
            peak_count=9,
            peak_at="2026-11-02T11:00:00Z",
            last_hot_at="2026-11-02T11:00:00Z",
            top_ids=(),
            top_sources=(),
            mode="live",
            raised_at="2026-11-02T11:59:00Z",
        )

    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(AlertRaised(spike("pay")))
        app.post_message(AlertRaised(spike("[b]strikes[/b]")))
        await pilot.pause()
        app.alert_toasts.announce()  # what the half-second timer does
        await pilot.pause()
        notes = [text for text in toasts(app) if "spike" in text]
        assert len(notes) == 1
        assert "2 spike alerts: [b]strikes[/b], pay" in notes[0]  # literal, not bold
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, alerts_view.AlertsScreen)
