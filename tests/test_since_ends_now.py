"""A query's `since:` without `until:` ends at the moment of asking, wherever it runs: a
post dated ahead of that moment (a source's clock running fast, a year typed wrong) is
not in `since:1h`, not in its export, its sidecar, its report, nor a view's counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read.search import query_selection, select_sql
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.model.text import format_timestamp
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user

AHEAD = {"ahead_10m": timedelta(minutes=10), "ahead_3h": timedelta(hours=3)}
PAST = {"past_30m": -timedelta(minutes=30), "past_90m": -timedelta(minutes=90)}
FAR_AHEAD = timedelta(days=400)
"""Flagged `out_of_range` when stored, listed like any other."""


def store_posts(path: Path, now: datetime) -> None:
    """Posts 30 and 90 minutes before `now`, 10 minutes, 3 hours and 400 days after it."""
    author = user("clockwork")
    dated = {**PAST, **AHEAD, "far_ahead": FAR_AHEAD}
    posts = [
        tweet(author, f"Kestrel Streik {name}", tweet_id=str(9000 + i), at=now + offset)
        for i, (name, offset) in enumerate(dated.items())
    ]
    with Store.open(path) as store:
        ingest(store, parse_response(page(posts, [author]), "x"), Classifier(Config()))


def texts(store: Store, query: str, now: datetime) -> set[str]:
    sql, params = select_sql(query_selection(query, now), columns="m.text")
    return {row["text"].removeprefix("Kestrel Streik ") for row in store.rows(sql, params)}


NOW = datetime(2026, 11, 2, 12, 0, 30, 400000, tzinfo=UTC)


@pytest.fixture
def store(db_path: Path) -> Any:
    store_posts(db_path, NOW)
    with Store.open(db_path, readonly=True) as opened:
        yield opened


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since:1h", {"past_30m"}),
        ("since:2h Streik", {"past_30m", "past_90m"}),
        ("-since:1h", {"past_90m"}),  # older than an hour, not dated ahead either
        ("since:1h OR since:2h", {"past_30m", "past_90m"}),
        ("since:1h until:9999-12-31", {"past_30m", "ahead_10m", "ahead_3h", "far_ahead"}),
        ("since:2026-11-02T12:05", {"ahead_10m", "ahead_3h", "far_ahead"}),  # after now
        ("Streik", {"past_30m", "past_90m", "ahead_10m", "ahead_3h", "far_ahead"}),
    ],
)
def test_since_without_until_ends_at_the_moment_of_asking(
    store: Store, query: str, expected: set[str]
) -> None:
    """`since:1h` is the hour up to now; `until:` or a `since:` after now reach ahead."""
    assert texts(store, query, NOW) == expected


def test_the_end_includes_the_second_of_asking(db_path: Path) -> None:
    """A post stored in the very second the query is asked is in `since:1h`."""
    store_posts(db_path, NOW)
    asked = datetime(2026, 11, 2, 12, 10, 30, 900000, tzinfo=UTC)  # = the 10 min ahead post
    with Store.open(db_path, readonly=True) as store:
        assert texts(store, "since:1h", asked) == {"past_30m", "ahead_10m"}


def views_config(tmp_path: Path) -> Path:
    path = tmp_path / "views.toml"
    path.write_text('[views]\nlast_hour = "since:1h"\n', encoding="utf-8")
    return path


def test_export_sidecar_report_and_views_agree_on_since(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`export --query since:1h`, its sidecar, its report and a view `since:1h` count the
    same posts, none dated after the capture, and the range says where it ends."""
    store_posts(db_path, datetime.now(UTC))
    out = tmp_path / "hour.csv"
    run = cli("export", "--db", db_path, "--query", "since:1h", "-o", out)
    assert run.code == 0, run.err
    rows = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(rows) == 1 and "past_30m" in rows[0]
    meta = json.loads((tmp_path / "hour.csv.meta.json").read_text(encoding="utf-8"))
    captured = datetime.fromisoformat(meta["captured_at"])
    # `until` as every recorded `until:`: the first moment left out (the capture's second is in)
    assert meta["query_range"]["until"] == format_timestamp(captured + timedelta(seconds=1))
    assert meta["time_range"]["last"] <= meta["captured_at"]

    report = tmp_path / "hour.md"
    assert (
        cli("export", "--db", db_path, "--format", "md", "--query", "since:1h", "-o", report).code
        == 0
    )
    header = report.read_text(encoding="utf-8")
    assert "to capture (" in header and "- **Mentions:** 1 " in header

    views = cli("views", "--db", db_path, "--config", views_config(tmp_path), "--json")
    assert views.code == 0, views.err
    (view,) = json.loads(views.out)
    assert (view["1h"], view["24h"], view["7d"]) == (1, 1, 1)
