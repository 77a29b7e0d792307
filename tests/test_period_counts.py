"""The filter line's count of free words within `since:`/`until:` is read from the
full-text index band by band (`cache.read.period_counts`) and is always the count the
plain statement gives, whatever order the posts were stored in.

The speed itself is measured by `bench/queries.py`, never here."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read import period_counts, rare_words, windowed
from cache.read.monitor_queries import count_matching
from cache.read.period_counts import count_in_period
from cache.read.search import query_selection
from cache.read.selection import Selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user

CONFIG = Config()
POSTS = 600
NEWEST = datetime(2026, 3, 1, 12, tzinfo=UTC)
"""The newest post; the others one hour apart before it (25 days)."""
AUTHOR = user("picket_line")


def _text(n: int) -> str:
    words = ["Streik"] if n % 2 else ["Lohn"]
    if n % 5 == 0:
        words.append("Verdi")
    if n % 7 == 0:
        words.append("Streikposten")
    return " ".join([*words, f"Tag {n}"])


def _posts() -> list[dict[str, Any]]:
    return [
        tweet(AUTHOR, _text(n), at=NEWEST - timedelta(hours=POSTS - 1 - n)) for n in range(POSTS)
    ]


def _store(path: Path, posts: list[dict[str, Any]]) -> Path:
    with Store.open(path) as store:
        for start in range(0, len(posts), 100):
            batch = parse_response(page(posts[start : start + 100], [AUTHOR]), "x")
            ingest(store, batch, Classifier(CONFIG))
    return path


@pytest.fixture(scope="module")
def in_order(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stored oldest first: rowids follow time, as an import stores them."""
    return _store(tmp_path_factory.mktemp("period_counts") / "in_order.db", _posts())


@pytest.fixture(scope="module")
def late_arrivals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stored oldest first, but every ninth post only at the end (found late by a poll):
    their rowids lie in the band of the newest posts."""
    posts = _posts()
    late = posts[::9]
    rest = [p for n, p in enumerate(posts) if n % 9]
    return _store(tmp_path_factory.mktemp("period_counts") / "late.db", rest + late)


@pytest.fixture(scope="module")
def shuffled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stored in no order at all: no band is narrow."""
    posts = _posts()
    random.Random(7).shuffle(posts)
    return _store(tmp_path_factory.mktemp("period_counts") / "shuffled.db", posts)


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real windows (16,000 and 2,000 mentions) are larger than these stores.
    monkeypatch.setattr(period_counts, "FIRST_WINDOW", 16)
    monkeypatch.setattr(windowed, "FIRST_WINDOW", 16)


def _plain_count(store: Store, selection: Selection, cap: int) -> int:
    """The count of the selection's own WHERE clause, capped as the filter line caps it."""
    sql = f"SELECT count(*) FROM mentions AS m WHERE {selection.where}"
    return min(int(store.conn.execute(sql, selection.params).fetchone()[0]), cap + 1)


SEARCHES = [
    "since:3d Streik",
    "until:2026-02-20 Streik",
    "Streik until:2026-02-20T05:30:00Z since:2026-02-10",
    "since:10d Streik Verdi",
    'since:10d "Streik Tag"',
    "since:10d Streik*",
    "since:20d Verdi",
    "since:2026-04-01 Streik",
    "until:2026-02-01 Streik",
    "since:10d Gewerkschaft",
]


@pytest.mark.parametrize("rare", [0, rare_words.RARE])
@pytest.mark.parametrize("cap", [5, 40, 1000])
@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("layout", ["in_order", "late_arrivals", "shuffled"])
def test_a_word_count_within_a_period_is_the_plain_count(
    request: pytest.FixtureRequest,
    layout: str,
    search: str,
    cap: int,
    rare: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Words with `since:`/`until:` count as the plain statement counts, below the cap and
    past it, in a store stored in time order, with late arrivals, or in no order; from
    the bands or (words matching at most `rare` posts) from the match list."""
    monkeypatch.setattr(rare_words, "RARE", rare)
    path = request.getfixturevalue(layout)
    with Store.open(path, readonly=True) as store:
        selection = query_selection(search, NEWEST)
        assert selection.text_and_time_only
        assert count_matching(store, selection, cap) == _plain_count(store, selection, cap)


@pytest.mark.parametrize(
    "search", ["since:3d Streik -Verdi", "since:3d Streik lang:en", "since:3d Streik OR Lohn"]
)
def test_other_conditions_beside_words_and_a_period_are_counted_as_before(
    in_order: Path, search: str
) -> None:
    """A period with a word and anything else (a negated word, a field, an OR) is not
    counted from the bands alone, and still counts right."""
    with Store.open(in_order, readonly=True) as store:
        selection = query_selection(search, NEWEST)
        assert not selection.text_and_time_only
        assert count_matching(store, selection, 40) == _plain_count(store, selection, 40)


@pytest.mark.parametrize("search", ["until:2026-02-20 Streik", "since:20d Streik", "since:5d Lohn"])
def test_bands_settle_the_count_where_rowids_follow_time(
    in_order: Path, late_arrivals: Path, shuffled: Path, search: str
) -> None:
    """Where posts were stored in time order the bands alone give the count, "more than"
    the cap or exactly; in a store of no order they leave it to the plain way (None), with
    late arrivals they may; a word with fewer matches than the cap is counted from its
    matches, in every store."""
    for cap in (5, 1000):
        answers = {}
        for name, path in (("in order", in_order), ("late", late_arrivals), ("shuffled", shuffled)):
            with Store.open(path, readonly=True) as store:
                selection = query_selection(search, NEWEST)
                (expression,) = selection.needs_text
                answers[name] = count_in_period(store, expression, selection.period, cap + 1)
                plain = _plain_count(store, selection, cap)
                assert count_matching(store, selection, cap) == plain
            assert answers[name] in (None, plain)
        assert answers["in order"] is not None
        if cap == 5:
            assert (answers["in order"], answers["shuffled"]) == (6, None)
