"""A backlog's spikes are history: only the current clock hour (and the one just ended)
is live, however new the newest stored hour is to the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from cache.alerts.rules import list_alerts
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.store_helpers import (
    DAY0,
    STRIKE_TEXT,
    add_posts,
    recorder_command,
    steady_days,
)
from tests.store_helpers import alerts_config as _config

SPIKE = DAY0 + timedelta(days=8, hours=9)


@pytest.fixture
def spiked_store(db_path: Path) -> Path:
    """Eight quiet days, then forty strike posts in the newest stored hour."""
    with Store.open(db_path) as store:
        steady_days(store, 8)
        add_posts(store, SPIKE, 40, STRIKE_TEXT)
    return db_path


@pytest.mark.parametrize("later", [timedelta(hours=4), timedelta(days=3 * 365)])
def test_a_spike_in_an_hour_long_over_is_history_and_announces_nothing(
    spiked_store: Path, tmp_path: Path, later: timedelta
) -> None:
    """Checked hours (past the cooldown) or years after its hour ended, the newest stored
    hour's spike is stored as history and no notify_command runs."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    now = SPIKE + timedelta(hours=1) + later
    watcher = AlertWatcher(config, db_path=spiked_store, clock=lambda: now)
    assert watcher.check() == []
    with Store.open(spiked_store) as store:
        stored = list_alerts(store)
    assert {(a.topic, a.mode) for a in stored} == {("strikes", "history"), ("all", "history")}
    assert not received.exists()


@pytest.mark.parametrize("minutes", [10, 70])
def test_the_current_hour_and_the_one_just_ended_are_live(
    spiked_store: Path, tmp_path: Path, minutes: int
) -> None:
    """In its own hour, or in the hour after it, the spike is live and announced."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    now = SPIKE + timedelta(minutes=minutes)
    announced = AlertWatcher(config, db_path=spiked_store, clock=lambda: now).check()
    assert {(a.topic, a.mode) for a in announced} == {("strikes", "live"), ("all", "live")}
    assert len(received.read_text().splitlines()) == 2


OLD_HOUR = datetime(2023, 12, 12, 17, 0, tzinfo=UTC)


def _old_feed() -> bytes:
    """A day of one item an hour, then eight in the hour from 2023-12-12 17:00Z."""
    times = [OLD_HOUR - timedelta(hours=h) for h in range(24, 0, -1)]
    times += [OLD_HOUR + timedelta(minutes=6 * i) for i in range(8)]
    return rss(
        "Old news",
        [
            {
                "title": f"Kestrel item {n}",
                "link": f"https://news.example/{n}",
                "pubDate": format_datetime(at, usegmt=True),
            }
            for n, at in enumerate(times)
        ],
    )


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_collect_once_on_an_old_feed_notifies_nothing(
    cli, tmp_path: Path, db_path: Path, server: FeedServer
) -> None:
    """A first `collect --once` of a feed whose items are from 2023 stores the spike of
    its newest hour as history: no "spike alert" line, no notify_command, and `alerts`
    lists it as [history]."""
    server.feed("/old.xml", _old_feed())
    received = tmp_path / "alerts.jsonl"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[feeds]]\nname = "old"\nurl = "{server.url("/old.xml")}"\n\n'
        f"[alerts]\nnotify_command = {json.dumps(recorder_command(received))}\n",
        encoding="utf-8",
    )
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    assert "spike alert:" not in run.err
    assert not received.exists()
    listed = cli("alerts", "--config", config, "--db", db_path)
    assert "2023-12-12T17:00:00Z  all" in listed.out
    assert "[history]" in listed.out and "[live]" not in listed.out
