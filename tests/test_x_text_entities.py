"""X post texts stored with X's HTML escapes (`&amp;`, `&lt;`, `&gt;`) by earlier versions
read as the characters once the store is opened by this one (m021), and search follows."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from cache.db.store import Store
from cache.write.ingest import ingest, matches_json
from cache.write.reclassify import FINGERPRINT_KEY, reclassify_if_changed
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import Config, load_config
from sources.x.twitter_v2 import parse_response, unescape_x_text
from tests.builders import page, rss, tweet, user
from tests.store_helpers import store_before

MIGRATION = "m021_x_texts_unescaped"
ESCAPED = {
    "amp": "Kestrel tariffs: Canada &amp; Mexico",
    "all": "Kestrel &lt;3 pay &gt; rent, R&amp;D",
    "twice": "Kestrel writes &amp;lt; for a less-than sign",
    "plain": "Kestrel & co: no escapes here",
}
UNESCAPED = {
    "amp": "Kestrel tariffs: Canada & Mexico",
    "all": "Kestrel <3 pay > rent, R&D",
    "twice": "Kestrel writes &lt; for a less-than sign",
    "plain": "Kestrel & co: no escapes here",
}
FEED_TEXT = "A feed's own text keeps &amp; as written"


def _old_store(tmp_path: Path, config: Config) -> tuple[Path, dict[str, str]]:
    """A store made before m021 whose X texts are as earlier versions stored them, with
    the topics `config` gave those texts; the ids by key of `ESCAPED`."""
    new = tmp_path / "new.db"
    anna = user("anna_k")
    tweets = {key: tweet(anna, f"placeholder {key}") for key in ESCAPED}
    with Store.open(new) as store:
        classifier = Classifier(config)
        ingest(store, parse_response(page(list(tweets.values()), [anna]), "x:search"), classifier)
        feed = rss("News", [{"title": "Kestrel", "link": "https://n/1", "description": "x"}])
        ingest(store, parse_feed(feed, "news"), classifier)
    old = store_before(MIGRATION, tmp_path / "old.db", new)
    ids = {key: f"x:{t['id']}" for key, t in tweets.items()}
    classifier = Classifier(config)
    # Written here, not parsed: what earlier versions stored, whatever today's parser makes.
    with closing(sqlite3.connect(old)) as conn, conn:
        for key, text in [*((ids[k], t) for k, t in ESCAPED.items()), ("feed", FEED_TEXT)]:
            mention_id = key if key != "feed" else _feed_id(conn)
            found = classifier.classify_text(text)
            conn.execute(
                "UPDATE mentions SET text = ?, topics = ?, topic_matches = ? WHERE id = ?",
                (text, json.dumps(list(found.topics)), matches_json(found.matches), mention_id),
            )
            conn.execute("DELETE FROM mention_topics WHERE mention_id = ?", (mention_id,))
            conn.executemany(
                "INSERT INTO mention_topics (topic, created_at, mention_id) "
                "SELECT ?, created_at, id FROM mentions WHERE id = ?",
                [(topic, mention_id) for topic in found.topics],
            )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (FINGERPRINT_KEY, classifier.fingerprint()),
        )
    return old, ids


def _feed_id(conn: sqlite3.Connection) -> str:
    return str(conn.execute("SELECT id FROM mentions WHERE platform = 'rss'").fetchone()[0])


def _matching(store: Store, expression: str) -> set[str]:
    rows = store.conn.execute(
        "SELECT m.id FROM mentions_fts JOIN mentions AS m ON m.rowid = mentions_fts.rowid "
        "WHERE mentions_fts MATCH ?",
        (expression,),
    )
    return {str(r[0]) for r in rows}


def test_stored_x_texts_read_as_the_characters(tmp_path: Path) -> None:
    """`&amp;`, `&lt;` and `&gt;` in stored X texts become `&`, `<` and `>` (one step:
    `&amp;lt;` reads `&lt;`); a feed's text and a bare `&` stay as they were."""
    old, ids = _old_store(tmp_path, Config())
    with Store.open(old) as store:
        texts = {key: store.mention(i)["text"] for key, i in ids.items()}  # type: ignore[index]
        (feed_text,) = store.conn.execute(
            "SELECT text FROM mentions WHERE platform = 'rss'"
        ).fetchone()
    assert texts == UNESCAPED
    assert feed_text == FEED_TEXT


def test_upgraded_texts_read_as_todays_parser_stores_them(tmp_path: Path) -> None:
    """An upgraded store's X texts are what an import with today's parser stores for the
    same posts: the migration and the parser undo X's escapes by one rule."""
    old, ids = _old_store(tmp_path, Config())
    with Store.open(old) as store:
        texts = {key: store.mention(i)["text"] for key, i in ids.items()}  # type: ignore[index]
    assert texts == {key: unescape_x_text(text) for key, text in ESCAPED.items()}


def test_search_finds_the_unescaped_words_and_no_longer_amp(tmp_path: Path, cli) -> None:
    """After the upgrade a search for "Canada Mexico" finds the post and `amp` finds no
    X post; the full-text index checks out whole."""
    old, ids = _old_store(tmp_path, Config())
    with Store.open(old) as store:
        before_search = store.count_mentions()
        assert _matching(store, '"canada mexico"') == {ids["amp"]}
        # `lt` stays in the one post that wrote `&lt;` itself (stored as `&amp;lt;`).
        assert _matching(store, "amp OR gt") == {_feed_id(store.conn)}
        assert _matching(store, "lt") == {ids["twice"]}
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    run = cli("export", "--db", old, "--format", "jsonl", "--query", "platform:x amp")
    assert run.code == 0 and run.out == ""
    run = cli("export", "--db", old, "--format", "jsonl", "--query", "canada mexico")
    assert [json.loads(line)["id"] for line in run.out.splitlines()] == [ids["amp"]]
    assert before_search == len(ESCAPED) + 1


def test_topics_that_only_the_escapes_matched_are_decided_again(tmp_path: Path) -> None:
    """A configured term that matched the word inside an escape (`amp`, `gt`) no longer
    gives its topic once the config is applied at the next write."""
    config_file = tmp_path / "config.toml"
    config_file.write_text('[topics.gear]\nlabel = "Gear"\nen = ["amp", "gt"]\nde = []\n')
    config = load_config(config_file)
    old, ids = _old_store(tmp_path, config)
    with closing(sqlite3.connect(old)) as conn:
        (topics,) = conn.execute(
            "SELECT topics FROM mentions WHERE id = ?", (ids["amp"],)
        ).fetchone()
    assert "gear" in json.loads(topics)  # what the escaped text was given
    with Store.open(old) as store:
        reclassify_if_changed(store, Classifier(config))
        gear = {
            str(r[0])
            for r in store.conn.execute(
                "SELECT mention_id FROM mention_topics WHERE topic = 'gear'"
            )
        }
        row = store.mention(ids["amp"])
        feed = _feed_id(store.conn)
    assert gear == {feed}  # the feed's text holds `&amp;` as written: its match stands
    assert row is not None and "gear" not in json.loads(row["topics"])


def test_topics_no_escape_matched_are_not_decided_again(tmp_path: Path) -> None:
    """With topics that no escape matched (the built-in vocabulary), the upgrade keeps the
    classifier's record: the next write does not classify the whole store again."""
    old, _ = _old_store(tmp_path, Config())
    with Store.open(old) as store:
        assert store.get_meta(FINGERPRINT_KEY) == Classifier(Config()).fingerprint()
        assert reclassify_if_changed(store, Classifier(Config())) is None
