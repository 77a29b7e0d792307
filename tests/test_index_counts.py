"""The filter line's count of a search of words alone, or of topics alone, is read from
the full-text index or the topic rows without looking any mention up, and it is the
plain statement's count, capped as the filter line caps it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.read.monitor_queries import count_matching, topic_selection
from cache.read.search import query_selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response

CLASSIFIER = Classifier(Config())
NOW = datetime(2026, 1, 9, tzinfo=UTC)
ALONE = [
    "Streik",
    "Streik*",
    '"Streik bei"',
    "Verdi OR Gewerkschaft",
    "Verdi Streik",
    "topic:pay",
    "own:pay",
    "topic:pay|taxes",
    "own:strikes|unions",
    "topic:taxes|taxes",
]
NOT_ALONE = ["lang:de Streik", "topic:pay Verdi", "topic:pay lang:de", "-Streik", "-topic:pay"]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("counts") / "s.db"
    with Store.open(path) as store:
        for part in pages(1500, seed=5, page_size=100):
            ingest(store, parse_response(part, "x"), CLASSIFIER)
    return path


def _exact(store: Store, where: str, params: tuple[object, ...]) -> int:
    (exact,) = store.conn.execute(
        f"SELECT count(*) FROM mentions AS m WHERE {where}", params
    ).fetchone()
    return int(exact)


def _statements(store: Store, count: Callable[[], object]) -> list[str]:
    """The statements Echowatch itself ran (not FTS5's own) while `count` ran."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        count()
    finally:
        store.conn.set_trace_callback(None)
    return [s for s in seen if not s.startswith("--")]


def _reads_mentions(statements: list[str]) -> bool:
    return any("FROM mentions " in s or "JOIN mentions " in s for s in statements)


def test_the_store_has_inherited_topics(store_path: Path) -> None:
    """The store mixes a post's own topics with those taken from its thread (else `own:`
    and `topic:` would count alike and prove nothing)."""
    with Store.open(store_path, readonly=True) as store:
        kinds = dict(
            store.conn.execute("SELECT inherited, count(*) FROM mention_topics GROUP BY 1")
        )
    assert kinds.get(0, 0) > 0 and kinds.get(1, 0) > 0, kinds


@pytest.mark.parametrize("text", ALONE + NOT_ALONE)
@pytest.mark.parametrize("rare", [False, True])
def test_counts_equal_the_plain_count(store_path: Path, text: str, rare: bool) -> None:
    """Each count is the plain statement's count, capped, for common and rare topics."""
    with Store.open(store_path, readonly=True) as store:
        rare_topics = {"pay", "taxes", "strikes", "unions"} if rare else set()
        selection = query_selection(text, NOW, rare_topics=rare_topics)
        exact = _exact(store, selection.where, selection.params)
        assert exact > 0 or text == '"Streik bei"'
        for cap in (3, 40, 400, 5000):
            assert count_matching(store, selection, cap) == min(exact, cap + 1), (text, cap)


@pytest.mark.parametrize("text", ALONE)
def test_words_or_topics_alone_are_counted_without_reading_mentions(
    store_path: Path, text: str
) -> None:
    """Counting words alone or topics alone looks no mention up (at a million mentions
    the walk of the feed took 11-38 ms for them)."""
    with Store.open(store_path, readonly=True) as store:
        selection = query_selection(text, NOW)
        ran = _statements(store, lambda: count_matching(store, selection, 5000))
    assert ran and not _reads_mentions(ran), ran


def test_the_topic_panels_choice_is_counted_from_the_topic_rows(store_path: Path) -> None:
    """The count of a topic chosen in the panel reads the topic rows alone, and is exact."""
    with Store.open(store_path, readonly=True) as store:
        for rare in ((), ("pay",)):
            selection = topic_selection("pay", rare)
            exact = _exact(store, selection.where, selection.params)
            ran = _statements(store, partial(count_matching, store, selection, 100_000))
            assert not _reads_mentions(ran), ran
            assert count_matching(store, selection, 100_000) == exact > 0
