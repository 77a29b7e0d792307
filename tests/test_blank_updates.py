"""A later copy of a stored mention that comes without words never blanks the stored one."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import rss
from tests.feedserver import FeedServer

STRIKE = {
    "title": "Kestrel Streik in Halle",
    "link": "https://news.example/halle",
    "guid": "g1",
    "description": "Verdi ruft zum Streik auf",
    "pubDate": "Mon, 02 Nov 2026 07:00:00 GMT",
}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def _stored(db_path: Path) -> list[tuple[str, str, str, list[str]]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT title, url, text, topics FROM mentions ORDER BY id")
        return [(t, u, x, json.loads(topics)) for t, u, x, topics in rows]


def test_a_feed_item_polled_again_without_words_keeps_its_text_and_topics(
    server: FeedServer, tmp_path: Path, db_path: Path, cli
) -> None:
    """Polled twice, an item served the second time with empty title and description
    keeps its stored title, text and topics, and stays findable."""
    server.feed("/news.xml", rss("News", [STRIKE]))
    config = tmp_path / "feed.toml"
    config.write_text(f'[[feeds]]\nname = "news"\nurl = "{server.url("/news.xml")}"\n')
    first = cli("collect", "--once", "--config", config, "--db", db_path)
    assert first.code == 0, first.err
    before = _stored(db_path)
    assert before[0][2] == "Kestrel Streik in Halle — Verdi ruft zum Streik auf"
    assert "strikes" in before[0][3]
    server.feed("/news.xml", rss("News", [{**STRIKE, "title": "", "description": ""}]))
    second = cli("collect", "--once", "--config", config, "--db", db_path)
    assert second.code == 0, second.err
    assert "0 updated" in second.err or " updated" not in second.err, second.err
    assert _stored(db_path) == before
    found = cli("export", "--query", "Halle topic:strikes", "--format", "jsonl", "--db", db_path)
    assert found.code == 0 and "Verdi ruft zum Streik auf" in found.out, found.err


def test_a_blank_copy_of_an_x_post_changes_nothing_on_either_ingest_path(
    tmp_path: Path, cli
) -> None:
    """An X post re-delivered with an empty text keeps its text on the live and bulk paths."""
    post = {"id": "1900000000000000001", "text": "Streik bei Kestrel in Halle", "author_id": "7"}
    page = {"data": [post], "includes": {"users": [{"id": "7", "username": "a", "name": "A"}]}}
    blank = {**page, "data": [{**post, "text": ""}]}
    classifier = Classifier(Config())
    live, bulk = tmp_path / "live.db", tmp_path / "bulk.db"
    with Store.open(live) as store:
        ingest(store, parse_response(page, "x"), classifier)
        result = ingest(store, parse_response(blank, "x"), classifier)
    assert (result.updated, result.unchanged) == (0, 1)
    for number, one in enumerate((page, blank)):
        archive = tmp_path / f"page{number}.jsonl"
        archive.write_text(json.dumps(one) + "\n", encoding="utf-8")
        assert cli("import", archive, "--db", bulk).code == 0
    assert [r[2] for r in _stored(live)] == ["Streik bei Kestrel in Halle"]
    assert _stored(bulk) == _stored(live)


def test_a_feed_item_that_loses_its_link_keeps_the_stored_one(db_path: Path) -> None:
    """An item delivered again with new words but no link takes the words, keeps its link."""
    first = parse_feed(rss("News", [STRIKE]), "news")
    edited = parse_feed(rss("News", [{**STRIKE, "description": "Nachtrag"}]), "news")
    edited.mentions[:] = [replace(m, url="") for m in edited.mentions]
    with Store.open(db_path) as store:
        ingest(store, first, Classifier(Config()))
        assert ingest(store, edited, Classifier(Config())).updated == 1
    [(_, url, text, _)] = _stored(db_path)
    assert (url, text) == (STRIKE["link"], "Kestrel Streik in Halle — Nachtrag")
