"""Free words and phrases find every German spelling of an umlaut or ß: `Loehne`,
`Löhne` (and `Lohne`, folded by the index) find the posts written `Löhne` and those
written `Loehne`; `Strasse` and `Straße` find each other. Words that only look like a
transliteration (`due`, `neuen`, `Quelle`) do not pick up unrelated short words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read.monitor_queries import feed_page_sql
from cache.read.search import query_selection, select_sql
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.test_query_plans import _plan, full_scans

TEXTS = {
    "1": "Die Löhne im Ausland steigen",
    "2": "Loehne im Ausland sinken",
    "3": "Straße gesperrt",
    "4": "Strasse gesperrt",
    "5": "Herr Mueller streikt",
    "6": "Frau Müller streikt",
    "7": "the rent is due today",
    "8": "du bist dran",
    "9": "die neuen Regeln",
    "10": "neun Tage",
    "11": "Grüße aus Leipzig",
    "12": "Gruesse aus Halle",
    "13": "Quelle: Verdi",
    "14": "Qülle ist kein Wort",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    author = user("spellings")
    posts = [
        tweet(author, text, tweet_id=key, at=BASE_TIME + timedelta(minutes=int(key)))
        for key, text in TEXTS.items()
    ]
    path = tmp_path_factory.mktemp("umlauts") / "s.db"
    with Store.open(path) as s:
        ingest(s, parse_response(page(posts, [author]), "x"), Classifier(Config()))
        yield s


def ids(store: Store, query: str) -> set[str]:
    sql, params = select_sql(query_selection(query, BASE_TIME), columns="m.id")
    return {row["id"].removeprefix("x:") for row in store.rows(sql, params)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Löhne", {"1", "2"}),
        ("Loehne", {"1", "2"}),
        ("LOEHNE", {"1", "2"}),
        ("Lohne", {"1"}),  # the index folds ö to o: as before
        ("Loehn*", {"1", "2"}),
        ("Löhn*", {"1", "2"}),
        ('"Loehne im Ausland"', {"1", "2"}),
        ('"Löhne im Ausland"', {"1", "2"}),
        ("Strasse", {"3", "4"}),
        ("Straße", {"3", "4"}),
        ("Mueller", {"5", "6"}),
        ("Müller", {"5", "6"}),
        ("Gruesse", {"11", "12"}),
        ("Grüße", {"11", "12"}),
        ("Loehne -Ausland", set()),
        ("Loehne OR Strasse", {"1", "2", "3", "4"}),
        ("Loehne sinken", {"2"}),
        ("-Loehne Ausland", set()),
    ],
)
def test_each_spelling_of_an_umlaut_finds_the_others(
    store: Store, query: str, expected: set[str]
) -> None:
    """ä/ö/ü/ß and ae/oe/ue/ss spellings of a word or phrase find each other."""
    assert ids(store, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"), [("due", {"7"}), ("neuen", {"9"}), ("Quelle", {"13"})]
)
def test_a_short_or_vowel_led_digraph_is_not_an_umlaut(
    store: Store, query: str, expected: set[str]
) -> None:
    """`due` does not find `du`, `neuen` not `neun`: ue there is no written-out ü."""
    assert ids(store, query) == expected


@pytest.mark.parametrize("query", ["Loehne", "Loehn*", '"Straße gesperrt"', "Loehne lang:de"])
def test_spelling_alternatives_page_without_a_full_scan(tmp_path: Path, query: str) -> None:
    """The alternatives stay one full-text condition: no scan of every mention."""
    with Store.open(tmp_path / "s.db") as s:
        sql, params = feed_page_sql(query_selection(query, BASE_TIME), None)
        assert full_scans(_plan(s, sql, params)) == []


def test_export_finds_the_transliterated_spelling(cli: Any, store: Store) -> None:
    """`export --query Loehne` writes the posts of both spellings."""
    result = cli("export", "--db", store.path, "--ids", "--query", "Loehne")
    assert result.code == 0, result.err
    assert sorted(result.out.split()) == ["1", "2"]
