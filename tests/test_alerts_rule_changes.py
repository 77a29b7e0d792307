"""Spike alerts follow the rule the user has now: a changed `[alerts]` setting, a changed
topic or a changed alerting view has the judged history judged again, once, without
announcing old hours, keeping what an alert that still stands already had."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.alerts.rules import list_alerts
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from tests.store_helpers import (
    DAY0,
    STRIKE_TEXT,
    add_posts,
    recorder_command,
    steady_days,
)
from tests.store_helpers import alerts_config as _config

FORKLIFT_TEXT = "Kestrel forklift crashed into the rack"


def _store(path: Path) -> None:
    """Nine ordinary days with a 40-post strike hour on day 7 and a 30-post one on day 8."""
    with Store.open(path) as store:
        steady_days(store, 9)
        add_posts(store, DAY0 + timedelta(days=7, hours=9), 40, STRIKE_TEXT)
        add_posts(store, DAY0 + timedelta(days=8, hours=15), 30, STRIKE_TEXT)
        add_posts(store, DAY0 + timedelta(days=8, hours=3), 25, FORKLIFT_TEXT)


def _toml(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _listed(run: Any) -> list[tuple[str, str, int, float]]:
    assert run.code == 0, run.err
    return [(a["topic"], a["started_at"], a["count"], a["k"]) for a in json.loads(run.out)]


def _fresh(cli: Any, tmp_path: Path, config: Path) -> list[tuple[str, str, int, float]]:
    """The alerts a store never judged before lists under `config`."""
    fresh = tmp_path / f"fresh-{config.stem}.db"
    _store(fresh)
    return _listed(cli("alerts", "--db", fresh, "--config", config, "--format", "json"))


def test_a_changed_threshold_lists_what_the_new_rule_raises(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """Raising `min_count` withdraws alerts it would not raise, lowering it back brings
    them again: each time the list equals a fresh store's under that config."""
    _store(db_path)
    loose = _toml(tmp_path, "loose.toml", "")
    strict = _toml(tmp_path, "strict.toml", "[alerts]\nmin_count = 45\n")
    before = _listed(cli("alerts", "--db", db_path, "--config", loose, "--format", "json"))
    assert ("strikes", "2026-11-09T15:00:00Z", 30, 2.0) in before
    after = cli("alerts", "--db", db_path, "--config", strict, "--format", "json")
    assert _listed(after) == _fresh(cli, tmp_path, strict)
    assert ("strikes", "2026-11-09T15:00:00Z", 30, 2.0) not in _listed(after)
    assert "under the alert rule now in force" in after.err
    back = cli("alerts", "--db", db_path, "--config", loose, "--format", "json")
    assert _listed(back) == before
    same = cli("alerts", "--db", db_path, "--config", loose, "--format", "json")
    assert _listed(same) == before and "under the alert rule now in force" not in same.err


def test_a_changed_k_is_stored_with_the_alerts_it_judged(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """After `k` changes, every listed alert carries the new `k` (it was judged by it)."""
    _store(db_path)
    cli("alerts", "--db", db_path, "--config", _toml(tmp_path, "a.toml", ""))
    k3 = _toml(tmp_path, "k3.toml", "[alerts]\nk = 3.0\n")
    listed = _listed(cli("alerts", "--db", db_path, "--config", k3, "--format", "json"))
    assert listed and {a[3] for a in listed} == {3.0}
    assert listed == _fresh(cli, tmp_path, k3)


def test_a_topic_added_to_the_config_gets_the_alerts_of_its_history(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """A new topic in `[topics]` lists the spikes its history had; removed again, they go."""
    _store(db_path)
    plain = _toml(tmp_path, "plain.toml", "")
    forklifts = _toml(
        tmp_path, "forklifts.toml", '[topics.forklifts]\nlabel = "Forklifts"\nen = ["forklift"]\n'
    )
    before = _listed(cli("alerts", "--db", db_path, "--config", plain, "--format", "json"))
    assert not [a for a in before if a[0] == "forklifts"]
    after = _listed(cli("alerts", "--db", db_path, "--config", forklifts, "--format", "json"))
    assert ("forklifts", "2026-11-09T03:00:00Z", 25, 2.0) in after
    assert after == _fresh(cli, tmp_path, forklifts)
    again = _listed(cli("alerts", "--db", db_path, "--config", plain, "--format", "json"))
    assert again == before


def test_a_changed_view_query_withdraws_the_alerts_of_its_old_query(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """An alerting view whose query now selects other posts lists only the new query's spikes."""
    _store(db_path)
    leipzig = _toml(
        tmp_path, "leipzig.toml", '[views.streik]\nquery = "topic:strikes leipzig"\nalert = true\n'
    )
    hamburg = _toml(
        tmp_path, "hamburg.toml", '[views.streik]\nquery = "topic:strikes hamburg"\nalert = true\n'
    )
    first = _listed(cli("alerts", "--db", db_path, "--config", leipzig, "--format", "json"))
    assert [a[:2] for a in first if a[0] == "view:streik"] == [
        ("view:streik", "2026-11-09T15:00:00Z"),
        ("view:streik", "2026-11-08T09:00:00Z"),
    ]
    changed = _listed(cli("alerts", "--db", db_path, "--config", hamburg, "--format", "json"))
    assert [a for a in changed if a[0] == "view:streik"] == []
    assert changed == _fresh(cli, tmp_path, hamburg)


def test_a_rejudged_history_runs_notify_command_for_no_old_hour(
    db_path: Path, tmp_path: Path
) -> None:
    """Lowering `min_count` under a running watcher stores the old hours' spikes as
    history and runs notify_command for none of them."""
    received = tmp_path / "alerts.jsonl"
    _store(db_path)
    now = DAY0 + timedelta(days=10, hours=2)
    strict = _config(tmp_path, min_count=1000, notify_command=recorder_command(received))
    assert AlertWatcher(strict, db_path=db_path).check(now) == []
    loose = _config(tmp_path, notify_command=recorder_command(received))
    assert AlertWatcher(loose, db_path=db_path).check(now + timedelta(minutes=5)) == []
    assert not received.exists() or received.read_text() == ""
    with Store.open(db_path) as store:
        found = list_alerts(store)
    assert ("strikes", "2026-11-08T09:00:00Z") in [(a.topic, a.started_at) for a in found]
    assert {a.mode for a in found} == {"history"}


def test_an_alert_that_still_stands_keeps_its_id_and_is_not_announced_again(
    db_path: Path, tmp_path: Path
) -> None:
    """A live spike announced under k = 2 still stands under k = 3: same id, still
    announced, notify_command not run a second time."""
    received = tmp_path / "alerts.jsonl"
    spike = DAY0 + timedelta(days=8, hours=9)
    with Store.open(db_path) as store:
        steady_days(store, 8)
        add_posts(store, spike, 40, STRIKE_TEXT)
    now = spike + timedelta(minutes=59)
    first = AlertWatcher(
        _config(tmp_path, notify_command=recorder_command(received)), db_path=db_path
    )
    assert len(first.check(now)) == 2
    with Store.open(db_path) as store:
        before = {
            (a.topic, a.started_at): (a.id, a.notified_at, a.mode) for a in list_alerts(store)
        }
    stricter = _config(tmp_path, k=3.0, notify_command=recorder_command(received))
    assert AlertWatcher(stricter, db_path=db_path).check(now + timedelta(minutes=30)) == []
    with Store.open(db_path) as store:
        after = list_alerts(store)
    assert {(a.topic, a.started_at): (a.id, a.notified_at, a.mode) for a in after} == before
    assert {a.k for a in after} == {3.0}
    assert len(received.read_text().splitlines()) == 2


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_store_lists_its_alerts_and_says_once_they_follow_an_older_rule(
    cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a store it cannot write, a changed rule lists the stored alerts (exit 0),
    writes nothing, and stderr says once that they were judged by an earlier rule."""
    _store(db_path)
    stored = cli(
        "alerts", "--db", db_path, "--config", _toml(tmp_path, "a.toml", ""), "--format", "json"
    )
    assert stored.code == 0, stored.err
    strict = _toml(tmp_path, "strict.toml", "[alerts]\nmin_count = 45\n")
    real_statvfs = os.statvfs

    def read_only_mount(path: Any) -> os.statvfs_result:
        found = real_statvfs(path)
        if Path(path).resolve() != db_path.parent.resolve():
            return found
        values = list(found)
        values[8] |= os.ST_RDONLY
        return os.statvfs_result(values)

    monkeypatch.setattr(os, "statvfs", read_only_mount)
    before = _digest(db_path)
    run = cli("alerts", "--db", db_path, "--config", strict, "--format", "json")
    assert run.code == 0, run.err
    assert json.loads(run.out) == json.loads(stored.out)
    assert run.err.count("earlier alert rule") == 1, run.err
    assert _digest(db_path) == before
    unchanged = cli("alerts", "--db", db_path, "--config", tmp_path / "a.toml")
    assert "earlier alert rule" not in unchanged.err
