"""The monitor shows mentions that another process writes into its store."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.monitor_scenario import CONFIG, NOW, build_store, frozen_clock
from tests.tui_helpers import feed_of, filter_line_of, settle, status_of
from tui.launch import topic_labels
from tui.messages import MentionsStored
from tui.monitor import MonitorApp, MonitorOptions

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def offline_app(path: Path, tmp_path: Path) -> MonitorApp:
    return MonitorApp(
        MonitorOptions(
            db_path=path,
            mode="offline",
            config=CONFIG,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(CONFIG),
        )
    )


def write_elsewhere(path: Path, first_id: int, count: int) -> list[str]:
    """Store `count` new tweets through a separate connection, as a collector process would."""
    author = user("outside_voice", "Outside Voice", user_id="888")
    tweets = [
        tweet(
            author,
            f"Kestrel Streik Meldung {i}",
            tweet_id=str(first_id + i),
            at=NOW - timedelta(seconds=30 - i),
            lang="de",
        )
        for i in range(count)
    ]
    with Store.open(path) as store:
        ingest(store, parse_response(page(tweets, [author]), "other"), Classifier(CONFIG))
    return [f"x:{t['id']}" for t in reversed(tweets)]


async def test_rows_another_process_writes_appear_without_a_filter(tmp_path: Path) -> None:
    """A collector in another process stores three posts: the open monitor shows them on top."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown_before = feed_of(app).row_count
        written = write_elsewhere(scenario.path, 9100, 3)
        app.check_outside_writes()
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed_of(app).row_ids[:3] == written
        assert feed_of(app).row_count == shown_before + 3
        # Nothing new: the next tick adds nothing and shows nothing twice.
        app.check_outside_writes()
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed_of(app).row_count == shown_before + 3


async def test_outside_rows_are_counted_while_paused(tmp_path: Path) -> None:
    """Paused, the monitor counts what another process stored and shows it on resume."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_toggle_pause()
        written = write_elsewhere(scenario.path, 9200, 2)
        app.check_outside_writes()
        await settle(pilot)
        assert app.paused_count == 2
        assert written[0] not in feed_of(app).known
        app.action_toggle_pause()
        await settle(pilot)
        assert feed_of(app).row_ids[:2] == written


async def test_the_count_stays_true_when_a_mention_is_reported_twice(tmp_path: Path) -> None:
    """Arrivals the bounded feed let go and that are reported again are not counted twice."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with Store.open(scenario.path, readonly=True) as store:
            before = store.count_mentions()
        feed_of(app).window = 3  # a small feed, so the old arrivals below are let go
        author = user("late_voice", "Late Voice", user_id="889")
        old = [
            tweet(
                author,
                f"Kestrel Streik alt {i}",
                tweet_id=str(9300 + i),
                at=NOW - timedelta(days=40),
            )
            for i in range(3)
        ]
        with Store.open(scenario.path) as store:
            ingest(store, parse_response(page(old, [author]), "other"), Classifier(CONFIG))
        ids = [f"x:{t['id']}" for t in old]
        for _ in range(2):  # the collector's report, then the outside-writes check's
            app.post_message(MentionsStored(ids, []))
            await settle(pilot)
            app.flush_arrivals()
            await settle(pilot)
        app.refresh_topics()
        await settle(pilot)
        assert f"{before + 3:,} mentions" in filter_line_of(app)


def number_before(text: str, words: str) -> int:
    """The count the screen gives just before `words` (`1,946 mentions` -> 1946)."""
    match = re.search(rf"([\d,]+) {words}", text)
    assert match is not None, text
    return int(match.group(1).replace(",", ""))


async def test_while_paused_the_total_and_the_unread_count_agree(tmp_path: Path) -> None:
    """Paused, the filter line's total keeps counting the store with the unread count: it
    never says fewer mentions than are unread, and the waiting ones are counted apart."""
    scenario = build_store(tmp_path / "store.db")
    app = offline_app(scenario.path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with Store.open(scenario.path, readonly=True) as store:
            before = store.count_mentions()
        app.action_toggle_pause()
        write_elsewhere(scenario.path, 9400, 3)
        app.check_outside_writes()
        await settle(pilot)
        app.refresh_topics()  # the 5-second ticks
        app.refresh_sources()
        await settle(pilot)
        assert app.paused_count == 3
        total = number_before(filter_line_of(app), "mentions")
        unread = number_before(status_of(app), "unread")
        assert total == before + 3
        assert unread <= total
