"""`has:parody` and `has:reply` pick exactly the same mentions as the row-reading statement
of before m010, and the conditions that keep their list (m012) probe the partial indexes
of parody and ambassador replies (m010) instead of reading every reply's row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db import mention_lists
from cache.db.store import Store
from cache.read.monitor_queries import feed_page_sql
from cache.read.query_sql import HAS_PARODY_SQL, HAS_REPLY_SQL
from cache.read.search import query_selection
from cache.read.selection import Selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response

NOW = datetime(2026, 1, 9, tzinfo=UTC)
ROW_READING = {
    "has:parody": HAS_PARODY_SQL.replace("p.role", "+p.role").replace("r.role", "+r.role"),
    "has:reply": HAS_REPLY_SQL.replace("r.role", "+r.role"),
}
"""The statements before m010: `+role` keeps SQLite off every index on role."""


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reactions") / "s.db"
    classifier = Classifier(Config())
    with Store.open(path) as store:
        for part in pages(3000, seed=5, page_size=100):
            ingest(store, parse_response(part, "x"), classifier)
    return path


@pytest.mark.parametrize("text", sorted(ROW_READING))
def test_has_filters_pick_the_same_mentions_as_before(store_path: Path, text: str) -> None:
    """`has:parody` and `has:reply` list the same posts in the same order as before."""
    with Store.open(store_path, readonly=True) as store:
        new = query_selection(text, NOW)
        order = "ORDER BY m.created_at DESC, m.id DESC"
        got = [
            r[0]
            for r in store.conn.execute(
                f"SELECT m.id FROM mentions AS m WHERE {new.where} {order}", new.params
            )
        ]
        old = [
            r[0]
            for r in store.conn.execute(
                f"SELECT m.id FROM mentions AS m WHERE {ROW_READING[text]} {order}"
            )
        ]
    assert len(got) > 10  # the stream has parody and ambassador replies to find
    assert got == old


@pytest.mark.parametrize(
    ("condition", "indexes"),
    [
        (HAS_PARODY_SQL, {"mentions_parody_reply", "mentions_parody_quote"}),
        (HAS_REPLY_SQL, {"mentions_ambassador_reply"}),
    ],
)
def test_has_conditions_probe_the_reply_indexes(
    store_path: Path, condition: str, indexes: set[str]
) -> None:
    """Keeping `mention_reactions` (m012) costs index probes only: no reply row is read."""
    with Store.open(store_path, readonly=True) as store:
        sql, params = feed_page_sql(Selection(condition))
        plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, (*params, 200))]
    used = {i for i in indexes if any(f"COVERING INDEX {i} " in step for step in plan)}
    assert used == indexes, plan


def test_listing_a_transactions_reactions_reads_only_its_new_rows(store_path: Path) -> None:
    """After a bulk transaction, listing its reactions walks its new rows by rowid and probes
    indexes: never every parody or ambassador post of the store, a cost that grew with it."""
    statements: list[str] = []
    with Store.open(store_path) as store:
        (newest,) = store.conn.execute("SELECT max(rowid) FROM mentions").fetchone()
        store.conn.set_trace_callback(statements.append)
        with store.writing():  # the rows are listed already: this adds nothing
            mention_lists.fill_inserted(store.conn, newest - 200)
            store.conn.set_trace_callback(None)
            listing = [s for s in statements if "INTO mention_reactions" in s]
            plans = [
                [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql)]
                for sql in listing
            ]
    assert listing
    for plan in plans:
        assert not [step for step in plan if "mentions_role_created" in step], plan
        assert not [step for step in plan if step.startswith("SCAN m")], plan
