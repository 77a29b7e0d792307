"""Spike alerts over a real store: history walks, the live watcher, cooldown, restarts,
`notify_command` and `app.py alerts`."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cache.alerts.rules import evaluate, list_alerts, rule_from_config
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from cache.write.ingest import ingest
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet
from tests.store_helpers import (
    CLASSIFIER,
    CONFIG,
    CRITIC,
    DAY0,
    PLAIN_TEXT,
    STRIKE_TEXT,
    add_posts,
    recorder_command,
    steady_days,
)
from tests.store_helpers import alerts_config as _config


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


def topics_of(store: Store) -> list[tuple[str, str]]:
    return [(a.topic, a.started_at) for a in reversed(list_alerts(store))]


def test_a_real_spike_raises_exactly_one_strike_alert(store: Store) -> None:
    """Forty strike posts in one morning hour after a quiet week give one `strikes` alert."""
    steady_days(store, 8)
    spike = DAY0 + timedelta(days=8, hours=9)
    first_post = tweet(CRITIC, "Kestrel strike: walkout at dawn", at=spike)
    ingest(store, parse_response(page([first_post], [CRITIC]), "x:search"), CLASSIFIER)
    add_posts(store, spike, 40, STRIKE_TEXT, reply_to=first_post)
    evaluation = evaluate(store, rule_from_config(CONFIG), spike + timedelta(hours=5))
    strikes = [a for a in evaluation.opened if a.topic == "strikes"]
    assert len(strikes) == 1
    alert = strikes[0]
    assert alert.started_at == "2026-11-09T09:00:00Z"
    assert alert.count == 41 and alert.baseline < 1 and alert.k == 2
    assert alert.baseline_kind == "same_hour"
    assert alert.top_ids[0] == f"x:{first_post['id']}"
    assert alert.top_sources == (("x:search", 41),)
    assert {a.topic for a in evaluation.opened} == {"strikes", "all"}


def test_a_slow_rise_raises_no_alert(store: Store) -> None:
    """Strike talk growing by 5 % a day for twelve days never counts as a spike."""
    for hour_index in range(12 * 24):
        n = round(6 * 1.05 ** (hour_index / 24))
        add_posts(store, DAY0 + timedelta(hours=hour_index), n, STRIKE_TEXT)
    evaluation = evaluate(store, rule_from_config(CONFIG), DAY0 + timedelta(days=13))
    assert evaluation.opened == []
    assert evaluation.hours_judged == 12 * 24


def test_a_quiet_night_raises_no_alert(store: Store) -> None:
    """A few extra posts at 3 a.m. (usually silent) stay under min_count: no alert."""
    steady_days(store, 8)
    rule = rule_from_config(CONFIG)
    evaluate(store, rule, DAY0 + timedelta(days=8))
    add_posts(store, DAY0 + timedelta(days=8, hours=3), 4, STRIKE_TEXT)
    evaluation = evaluate(store, rule, DAY0 + timedelta(days=8, hours=6))
    assert evaluation.opened == []
    assert evaluation.hours_judged >= 3


def test_one_day_of_history_uses_the_previous_twelve_hours(store: Store) -> None:
    """A store with one day of history compares with the previous twelve hours."""
    for hour_index in range(20):
        add_posts(store, DAY0 + timedelta(hours=hour_index), 3)
    spike = DAY0 + timedelta(hours=20)
    add_posts(store, spike, 30, STRIKE_TEXT)
    evaluation = evaluate(store, rule_from_config(CONFIG), spike + timedelta(hours=1))
    kinds = {a.topic: a.baseline_kind for a in evaluation.opened}
    assert kinds == {"strikes": "previous_hours", "all": "previous_hours"}
    assert [a.baseline_hours for a in evaluation.opened] == [12, 12]


def test_cooldown_keeps_a_long_spike_one_alert_and_a_later_one_new(store: Store) -> None:
    """A three-hour strike spike is one alert (with its peak); a spike next day is another."""
    steady_days(store, 9)
    first = DAY0 + timedelta(days=7, hours=9)
    for offset, n in ((0, 20), (1, 45), (2, 30)):
        add_posts(store, first + timedelta(hours=offset), n, STRIKE_TEXT)
    again = DAY0 + timedelta(days=8, hours=15)
    add_posts(store, again, 25, STRIKE_TEXT)
    evaluate(store, rule_from_config(CONFIG), DAY0 + timedelta(days=9))
    strikes = [a for a in list_alerts(store) if a.topic == "strikes"]
    assert [a.started_at for a in strikes] == ["2026-11-09T15:00:00Z", "2026-11-08T09:00:00Z"]
    long_one = strikes[1]
    assert (long_one.count, long_one.peak_count) == (20, 45)
    assert long_one.peak_at == "2026-11-08T10:00:00Z"
    assert long_one.last_hot_at == "2026-11-08T11:00:00Z"


def test_a_second_evaluation_and_a_restart_repeat_nothing(store: Store, db_path: Path) -> None:
    """Judging the same history again, or from a new process, stores no second alert."""
    steady_days(store, 8)
    add_posts(store, DAY0 + timedelta(days=8, hours=9), 40, STRIKE_TEXT)
    now = DAY0 + timedelta(days=8, hours=12)
    first = evaluate(store, rule_from_config(CONFIG), now)
    assert len(first.opened) == 2
    assert evaluate(store, rule_from_config(CONFIG), now).opened == []
    with Store.open(db_path) as reopened:
        assert evaluate(reopened, rule_from_config(CONFIG), now + timedelta(hours=3)).opened == []
        assert len(list_alerts(reopened)) == 2


def test_the_live_watcher_alerts_once_while_the_hour_fills(db_path: Path, tmp_path: Path) -> None:
    """Fed batch by batch, the watcher announces the spike once, mid-hour, with its JSON."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    with Store.open(db_path) as store:
        steady_days(store, 8)
        spike = DAY0 + timedelta(days=8, hours=9)
        clock = [spike + timedelta(minutes=1)]
        watcher = AlertWatcher(config, db_path=db_path, clock=lambda: clock[0])
        assert watcher.check() == []
        announced = []
        for minute in range(0, 60, 10):
            clock[0] = spike + timedelta(minutes=minute + 9)
            result = add_posts(store, spike + timedelta(minutes=minute), 8, STRIKE_TEXT, span_s=540)
            announced.extend(watcher.on_batch(None, result))
        assert [a.topic for a in announced] == ["all", "strikes"] or [
            a.topic for a in announced
        ] == ["strikes", "all"]
        assert all(a.mode == "live" for a in announced)
        stored = {a.topic: a for a in list_alerts(store)}
    assert stored["strikes"].count == 48
    lines = [json.loads(line) for line in received.read_text().splitlines()]
    assert sorted(d["topic"] for d in lines) == ["all", "strikes"]
    strikes = next(d for d in lines if d["topic"] == "strikes")
    assert strikes["started_at"] == "2026-11-09T09:00:00Z" and strikes["k"] == 2.0
    assert strikes["top_ids"] and strikes["mode"] == "live"


def test_live_and_history_judge_an_hour_alike(db_path: Path, tmp_path: Path) -> None:
    """The alerts a watcher raised live equal those a history walk finds in a copy."""
    config = _config(tmp_path)
    copy = tmp_path / "copy.db"
    with Store.open(db_path) as store:
        steady_days(store, 8)
        watcher = AlertWatcher(config, store=store)
        for hour_index in range(30):
            hour = DAY0 + timedelta(days=8, hours=hour_index)
            n = 35 if hour_index in (9, 10, 22) else (6 if 8 <= hour.hour < 20 else 1)
            result = add_posts(store, hour, n, STRIKE_TEXT if n == 35 else PLAIN_TEXT)
            watcher.check(hour + timedelta(minutes=59), new_ids=result.new_ids)
        watcher.check(DAY0 + timedelta(days=10))
        live = [(a.topic, a.started_at, a.count, a.peak_count) for a in list_alerts(store)]
        store.conn.execute("VACUUM INTO ?", [str(copy)])
    with Store.open(copy) as fresh:
        fresh.conn.execute("DELETE FROM alerts")
        fresh.conn.execute("DELETE FROM meta WHERE key LIKE 'alerts.%'")
        fresh.conn.commit()
        evaluate(fresh, rule_from_config(config), DAY0 + timedelta(days=10))
        walked = [(a.topic, a.started_at, a.count, a.peak_count) for a in list_alerts(fresh)]
    assert live == walked
    assert ("strikes", "2026-11-09T22:00:00Z", 35, 35) in live


def test_a_restarted_watcher_does_not_announce_again(db_path: Path, tmp_path: Path) -> None:
    """A second watcher on the same store (a restart) runs notify_command for nothing old."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    spike = DAY0 + timedelta(days=8, hours=9)
    with Store.open(db_path) as store:
        steady_days(store, 8)
        add_posts(store, spike, 40, STRIKE_TEXT)
    now = spike + timedelta(minutes=59)
    assert len(AlertWatcher(config, db_path=db_path).check(now)) == 2
    assert AlertWatcher(config, db_path=db_path).check(now + timedelta(minutes=1)) == []
    assert len(received.read_text().splitlines()) == 2


def test_a_watcher_started_mid_spike_announces_it_once(db_path: Path, tmp_path: Path) -> None:
    """Starting in the middle of a spike (the demo loading its past) still announces it,
    once; a spike that ended long ago stays quiet."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    old_spike = DAY0 + timedelta(days=8, hours=9)
    spike = DAY0 + timedelta(days=9, hours=9)
    with Store.open(db_path) as store:
        steady_days(store, 8)
        add_posts(store, old_spike, 40, STRIKE_TEXT)
        steady_days(store, 1, start=DAY0 + timedelta(days=8, hours=10))
        for hour in range(3):
            add_posts(store, spike + timedelta(hours=hour), 40, STRIKE_TEXT)
    now = spike + timedelta(hours=3, minutes=30)
    announced = AlertWatcher(config, db_path=db_path).check(now)
    assert {(a.topic, a.started_at) for a in announced} == {
        ("strikes", "2026-11-10T09:00:00Z"),
        ("all", "2026-11-10T09:00:00Z"),
    }
    assert all(a.mode == "history" for a in announced)
    assert AlertWatcher(config, db_path=db_path).check(now + timedelta(minutes=5)) == []
    assert len(received.read_text().splitlines()) == 2


def test_a_failing_notify_command_is_logged_not_fatal(
    db_path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A command that fails or hangs is logged; the alert is still stored and returned."""
    hang = f"{sys.executable} -c 'import time; time.sleep(30)'"
    config = _config(tmp_path, notify_command=f"exit 3 || {hang}", notify_timeout_seconds=0.3)
    spike = DAY0 + timedelta(days=8, hours=9)
    with Store.open(db_path) as store:
        steady_days(store, 8)
        add_posts(store, spike, 40, STRIKE_TEXT)
    slow = _config(tmp_path, notify_command=hang, notify_timeout_seconds=0.3)
    with caplog.at_level(logging.ERROR, logger="echowatch.alerts"):
        alerts = AlertWatcher(config, db_path=db_path).check(spike + timedelta(minutes=59))
    assert len(alerts) == 2
    assert "exited with status 3" in caplog.text
    with Store.open(db_path) as store:
        add_posts(store, spike + timedelta(days=1, hours=6), 40, STRIKE_TEXT)
    with caplog.at_level(logging.ERROR, logger="echowatch.alerts"):
        later = AlertWatcher(slow, db_path=db_path).check(spike + timedelta(days=1, hours=7))
    assert len(later) == 2
    assert "did not finish within 0.3 s" in caplog.text


def test_the_alerts_command_walks_an_imported_history_once(cli, db_path: Path) -> None:
    """`app.py alerts` judges a store no collector watched, lists newest first, and a
    second run lists the same alerts without judging them again."""
    with Store.open(db_path) as store:
        steady_days(store, 9)
        add_posts(store, DAY0 + timedelta(days=7, hours=9), 40, STRIKE_TEXT)
        add_posts(store, DAY0 + timedelta(days=8, hours=15), 30, STRIKE_TEXT)
    run = cli("alerts", "--db", db_path, "--format", "json")
    assert run.code == 0, run.err
    listed = json.loads(run.out)
    assert [(a["topic"], a["started_at"]) for a in listed] == [
        ("all", "2026-11-09T15:00:00Z"),
        ("strikes", "2026-11-09T15:00:00Z"),
        ("all", "2026-11-08T09:00:00Z"),
        ("strikes", "2026-11-08T09:00:00Z"),
    ]
    assert {"topic", "started_at", "count", "baseline", "k", "top_ids"} <= set(listed[0])
    assert "judged" in run.err
    again = cli("alerts", "--db", db_path, "--format", "json")
    assert json.loads(again.out) == listed
    text = cli("alerts", "--db", db_path)
    assert text.code == 0
    assert text.out.splitlines()[0].startswith("2026-11-09T15:00:00Z  all")
    assert "strikes" in text.out and "top posts: x:" in text.out


def test_the_alerts_command_counts_one_hour_in_the_singular(cli, db_path: Path) -> None:
    """A store of one hour says "judged 1 hour", not "1 hours"."""
    with Store.open(db_path) as store:
        add_posts(store, DAY0, 3, STRIKE_TEXT)
    run = cli("alerts", "--db", db_path)
    assert run.code == 0, run.err
    assert "judged 1 hour of stored history: 0 new alerts" in run.err


def test_a_view_given_alert_later_gets_the_alerts_a_fresh_store_gets(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """A view given `alert = true` after the history was judged gets its history judged
    once: the same alerts as a fresh store with that config, none raised twice."""
    fresh = tmp_path / "fresh.db"
    for path in (db_path, fresh):
        with Store.open(path) as opened:
            steady_days(opened, 9)
            add_posts(opened, DAY0 + timedelta(days=7, hours=9), 40, STRIKE_TEXT)
            add_posts(opened, DAY0 + timedelta(days=8, hours=15), 30, STRIKE_TEXT)
    plain = tmp_path / "plain.toml"
    plain.write_text("")
    viewed = tmp_path / "viewed.toml"
    viewed.write_text('[views.streik]\nquery = "topic:strikes leipzig"\nalert = true\n')
    assert cli("alerts", "--db", db_path, "--config", plain).code == 0
    later = cli("alerts", "--db", db_path, "--config", viewed, "--format", "json")
    at_once = cli("alerts", "--db", fresh, "--config", viewed, "--format", "json")
    assert later.code == 0 and at_once.code == 0, later.err + at_once.err

    def listed(run) -> list[tuple[str, str, int]]:
        return [(a["topic"], a["started_at"], a["count"]) for a in json.loads(run.out)]

    assert [a for a in listed(at_once) if a[0] == "view:streik"] == [
        ("view:streik", "2026-11-09T15:00:00Z", 30),
        ("view:streik", "2026-11-08T09:00:00Z", 40),
    ]
    assert listed(later) == listed(at_once)
    again = cli("alerts", "--db", db_path, "--config", viewed, "--format", "json")
    assert listed(again) == listed(at_once)
