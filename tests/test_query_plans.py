"""Every query form of the README's query table pages the feed without reading the whole
store: SQLite's plan for each never scans `mentions` row by row and never sorts all the
matches before the first page (at a million mentions either costs seconds)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.queries import forms
from cache.db.store import Store
from cache.read.monitor_queries import feed_page_sql
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user

_TABLE_SCAN = re.compile(r"SCAN (m|mentions|l|r|p)( |$)")
"""A walk of the mentions table itself (under its query aliases), not of an index."""
NOW = datetime(2026, 1, 7, 12, tzinfo=UTC)
CLASSIFIER = Classifier(Config())
FORMS = forms("anne_k", "x:search", "2026-01-01")


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> list[str]:
    return [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, (*params, 200))]


def full_scans(plan: list[str]) -> list[str]:
    """Steps that read every row of mentions or sort every match before the first row."""
    return [
        step
        for step in plan
        if (_TABLE_SCAN.match(step) and "USING" not in step)
        or step == "USE TEMP B-TREE FOR ORDER BY"
    ]


@pytest.mark.parametrize(("term", "text"), FORMS, ids=[label for label, _ in FORMS])
def test_each_query_form_pages_without_a_full_scan(tmp_path: Path, term: str, text: str) -> None:
    """A filter on a million mentions shows its first page without reading them all."""
    with Store.open(tmp_path / "s.db") as store:
        for before in (None, ("2026-01-05T00:00:00Z", "x:1")):
            sql, params = feed_page_sql(query_selection(text, NOW), before)
            plan = _plan(store, sql, params)
            assert plan, sql
            assert full_scans(plan) == [], f"{term}: {plan}"


def test_full_scan_detector_sees_a_scan_and_a_whole_sort(tmp_path: Path) -> None:
    """The check above would notice a plan that reads the whole table or sorts every match."""
    with Store.open(tmp_path / "s.db") as store:
        scan = _plan(store, "SELECT id FROM mentions AS m WHERE +m.lang = ? LIMIT ?", ("de",))
        sort = _plan(
            store,
            "SELECT id FROM mentions AS m WHERE m.lang = ? ORDER BY m.text LIMIT ?",
            ("de",),
        )
    assert full_scans(scan) and full_scans(sort)


def test_whether_a_store_has_mentions_is_answered_without_counting(tmp_path: Path) -> None:
    """Reclassifying asks whether a store holds mentions: yes or no, right both times."""
    anne = user("anne_k")
    with Store.open(tmp_path / "s.db") as store:
        assert store.has_mentions() is False
        ingest(store, parse_response(page([tweet(anne, "Streik")], [anne]), "x"), CLASSIFIER)
        assert store.has_mentions() is True
