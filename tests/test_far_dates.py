"""`since:`/`until:` at the calendar's edges (year 1, year 9999, ages reaching back before
year 1) are bounds like any other: every command answers, none crashes."""

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
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user

NOW = BASE_TIME + timedelta(days=2)
LAST_SECOND = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""A post dated at the calendar's very end: kept (flagged) by the store, so selectable."""


@pytest.fixture
def store(db_path: Path) -> Any:
    author = user("calendar_edge")
    posts = [
        tweet(author, "Streik heute", tweet_id="1", at=BASE_TIME),
        tweet(author, "Streik gestern", tweet_id="2", at=BASE_TIME - timedelta(days=1)),
        tweet(author, "Streik am Ende der Zeit", tweet_id="3", at=LAST_SECOND),
    ]
    with Store.open(db_path) as s:
        ingest(s, parse_response(page(posts, [author]), "x"), Classifier(Config()))
        yield s


def ids(store: Store, query: str) -> set[str]:
    sql, params = select_sql(query_selection(query, NOW), columns="m.id")
    return {row["id"].removeprefix("x:") for row in store.rows(sql, params)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("until:9999-12-31", {"1", "2", "3"}),  # the whole last day, its last second too
        ("-until:9999-12-31", set()),
        ("since:9999-12-31T23:59-01:00", set()),  # after the calendar's end in UTC
        ("until:9999-12-31T23:59-01:00", {"1", "2", "3"}),
        ("since:0001-01-01T00:30+01:00", {"1", "2"}),  # before year 1 in UTC, up to now
        ("until:0001-01-01T00:30+01:00", set()),
        ("since:740000d", {"1", "2"}),  # reaches back before year 1 (and ends now)
        ("since:999999w Streik", {"1", "2"}),
        ("since:740000d until:9999-12-31", {"1", "2", "3"}),
        ("until:999999w", set()),
        ("since:740000d until:9999-12-31 gestern", {"2"}),
    ],
)
def test_a_bound_past_the_calendars_edge_selects_as_the_bound_says(
    store: Store, query: str, expected: set[str]
) -> None:
    """A time before year 1 or after 9999 bounds the search (everything or nothing)."""
    assert ids(store, query) == expected


def test_export_with_a_far_date_writes_every_row_and_its_range(
    cli: Any, store: Store, db_path: Path, tmp_path: Path
) -> None:
    """`export --query until:9999-12-31` exits 0; its sidecar records no upper bound."""
    out = tmp_path / "far.jsonl"
    result = cli("export", "--db", db_path, "--format", "jsonl", "--query", "until:9999-12-31",
                 "-o", out)  # fmt: skip
    assert result.code == 0, result.err
    assert len(out.read_text("utf-8").splitlines()) == 3
    meta = json.loads(out.with_name(out.name + ".meta.json").read_text("utf-8"))
    assert meta["query_range"] == {"since": None, "until": None}


@pytest.mark.parametrize("query", ["since:740000d", "since:0001-01-01T00:30+01:00"])
def test_export_with_an_age_before_year_1_exits_0(
    cli: Any, store: Store, db_path: Path, query: str
) -> None:
    """An age or time zone that reaches before year 1 is no crash: every post up to now
    (not the one dated 9999) is exported."""
    result = cli("export", "--db", db_path, "--format", "jsonl", "--query", query)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 2


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_report_with_a_far_date_is_written(
    cli: Any, store: Store, db_path: Path, tmp_path: Path, fmt: str
) -> None:
    """The HTML and Markdown reports take `since:740000d until:9999-12-31` too."""
    out = tmp_path / f"far.{fmt}"
    result = cli("export", "--db", db_path, "--format", fmt, "--query",
                 "since:740000d until:9999-12-31", "-o", out)  # fmt: skip
    assert result.code == 0, result.err
    assert "Streik" in out.read_text("utf-8")


def test_a_saved_view_with_a_far_date_is_listed(
    cli: Any, store: Store, db_path: Path, tmp_path: Path
) -> None:
    """A view `until:9999-12-31` loads, and `views` counts it like any other."""
    config = tmp_path / "far.toml"
    config.write_text('[views]\nfar = "until:9999-12-31"\n', encoding="utf-8")
    result = cli("views", "--db", db_path, "--config", config, "--json")
    assert result.code == 0, result.err
    assert [row["name"] for row in json.loads(result.out)] == ["far"]


@pytest.mark.parametrize("query", ["until:9999-12-30", "since:0001-01-02 until:9999-12-30"])
def test_a_reports_chart_spans_the_stored_posts_not_the_far_bound(
    cli: Any, store: Store, db_path: Path, tmp_path: Path, query: str
) -> None:
    """A bound far past the stored posts (inside the calendar) does not stretch the chart."""
    out = tmp_path / "far.md"
    result = cli("export", "--db", db_path, "--format", "md", "--query", query, "-o", out)
    assert result.code == 0, result.err
    (trend,) = [line for line in out.read_text("utf-8").splitlines() if line.startswith("Trend:")]
    assert "from 2026-11-01" in trend and "to 2026-11-02" in trend, trend
