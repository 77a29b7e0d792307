"""Edited X posts: what pointed at an earlier version follows the post to its newest one.

Marks, alerts' top posts and ambassador answers name a version by its id; when that
version is moved aside (`cache.db.edit_versions`), they must name the mention instead.
Payloads follow the shape of twarc's `edited.jsonl` (`edit_history_tweet_ids`, oldest first).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cache.alerts.rules import list_alerts
from cache.db.store import Store
from cache.read.marks import marks_for
from cache.write.ingest import ingest
from cache.write.marks import set_marks
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user

CRITIC = user("lager_leipzig", "Lager Leipzig", user_id="11")
AMBASSADOR = user("kestrel_anna", "Anna | Kestrel FC Ambassador", user_id="12")
FIRST, LATER = "1860000000000100000", "1860000000000900000"


def _versions(history: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The post's first version and its edit, ten minutes later, both listing both ids
    (or the first listing `history`: its payload from before the edit)."""
    first = tweet(CRITIC, "Hallo zusammen, wie geht es euch?", tweet_id=FIRST, at=BASE_TIME)
    later = dict(first, id=LATER, text="Hallo zusammen, wie geht es euch allen?")
    later["created_at"] = (BASE_TIME + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    first["edit_history_tweet_ids"] = history or [FIRST, LATER]
    later["edit_history_tweet_ids"] = [FIRST, LATER]
    return first, later


def _ingest(store: Store, *tweets: dict[str, Any]) -> None:
    ingest(
        store, parse_response(page(list(tweets), [CRITIC, AMBASSADOR]), "x"), Classifier(Config())
    )


def _ids(out: str) -> list[str]:
    return [json.loads(line)["id"] for line in out.splitlines() if line]


def test_a_star_on_the_earlier_version_stays_on_the_edited_post(db_path: Path, cli: Any) -> None:
    """A post starred before its edit arrived is still listed by `is:starred` afterwards."""
    first, later = _versions()
    with Store.open(db_path) as store:
        _ingest(store, first)
        set_marks(store, [f"x:{FIRST}"], datetime.now(UTC), starred=True)
        _ingest(store, later)
    run = cli("export", "--db", db_path, "--format", "jsonl", "--query", "is:starred")
    assert _ids(run.out) == [f"x:{LATER}"]


def test_marks_of_both_versions_are_joined(db_path: Path) -> None:
    """Starred on one version and read on the other: the edited post is starred and read."""
    first, later = _versions(history=[FIRST])
    with Store.open(db_path) as store:
        # Both versions as X gave them before either payload named the other.
        _ingest(store, first, dict(later, edit_history_tweet_ids=[LATER]))
        set_marks(store, [f"x:{FIRST}"], datetime.now(UTC), starred=True)
        set_marks(store, [f"x:{LATER}"], datetime.now(UTC), read=True)
        _ingest(store, later)
        marks = marks_for(store, [f"x:{FIRST}", f"x:{LATER}"])
    assert {k: (m.read, m.starred) for k, m in marks.items()} == {f"x:{LATER}": (True, True)}


def test_an_alert_naming_the_earlier_version_names_the_edited_post(db_path: Path) -> None:
    """An alert whose top posts named the first version names the edited post, once."""
    first, later = _versions()
    with Store.open(db_path) as store:
        _ingest(store, first)
        top = json.dumps([f"x:{FIRST}", "x:7", f"x:{LATER}"])
        with store.writing():
            store.conn.execute(
                "INSERT INTO alerts (topic, started_at, count, baseline, stdev, threshold, k, "
                "min_count, baseline_kind, baseline_hours, peak_count, peak_at, last_hot_at, "
                "top_ids, mode, raised_at) VALUES ('pay', '2026-11-02T09:00:00Z', 9, 1, 1, 3, "
                "2, 5, 'hourly', 24, 9, '2026-11-02T09:00:00Z', '2026-11-02T09:00:00Z', ?, "
                "'live', '2026-11-02T10:00:00Z')",
                [top],
            )
        _ingest(store, later)
        (alert,) = list_alerts(store)
    assert alert.top_ids == (f"x:{LATER}", "x:7")


def _answered_archive(tmp_path: Path, history: list[str] | None = None) -> Path:
    """A post without topics, an ambassador's answer to its first version four minutes
    later, and its edit (after the answer) on a later page."""
    first, later = _versions(history)
    answer = tweet(
        AMBASSADOR,
        "Uns geht es gut, danke!",
        tweet_id="1860000000000500000",
        reply_to=first,
        at=BASE_TIME + timedelta(minutes=4),
    )
    archive = tmp_path / "answered.jsonl"
    pages = [page([first, answer], [CRITIC, AMBASSADOR]), page([later], [CRITIC])]
    archive.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    return archive


def test_an_answer_to_the_earlier_version_makes_the_edited_post_answered(
    tmp_path: Path, cli: Any
) -> None:
    """An ambassador's answer to the first version: the edited post is `has:reply`, has
    its thread in the threads report, and the answer's delay counts from the first version."""
    db = tmp_path / "answered.db"
    assert cli("import", _answered_archive(tmp_path), "--db", db).code == 0
    run = cli("export", "--db", db, "--format", "jsonl", "--query", "has:reply")
    assert _ids(run.out) == [f"x:{LATER}"]
    report = json.loads(cli("export", "--db", db, "--report", "threads", "--format", "json").out)
    threads = report["threads"]
    assert [(t["id"], [r["id"] for r in t["replies"]]) for t in threads] == [
        (f"x:{LATER}", ["x:1860000000000500000"])
    ]
    assert threads[0]["replies"][0]["latency_s"] == 240
    run = cli("export", "--db", db, "--report", "ambassadors", "--format", "json")
    (anna,) = json.loads(run.out)["ambassadors"]
    assert anna["median_reply_delay_seconds"] == 240


def test_a_version_from_before_the_edit_arriving_late_is_no_mention(
    tmp_path: Path, cli: Any
) -> None:
    """The first version's payload from before the edit (listing only its own id), read
    after the edit, is kept aside: one mention, the newest text."""
    first, later = _versions(history=[FIRST])
    db = tmp_path / "late.db"
    for number, version in enumerate([later, first]):  # two imports: two transactions
        archive = tmp_path / f"version{number}.jsonl"
        archive.write_text(json.dumps(page([version], [CRITIC])) + "\n", encoding="utf-8")
        assert cli("import", archive, "--db", db).code == 0
    assert _ids(cli("export", "--db", db, "--format", "jsonl").out) == [f"x:{LATER}"]


def test_live_polls_keep_a_late_version_from_before_the_edit_aside(db_path: Path) -> None:
    """Polled after its edit, the first version's old payload adds no mention, in either
    poll order of the two transactions."""
    first, later = _versions(history=[FIRST])
    with Store.open(db_path) as store:
        _ingest(store, later)
        _ingest(store, first)
        rows = store.conn.execute("SELECT id FROM mentions").fetchall()
        versions = store.conn.execute("SELECT id FROM mention_versions").fetchall()
    assert rows == [(f"x:{LATER}",)]
    assert versions == [(f"x:{FIRST}",)]
