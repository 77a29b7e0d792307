"""Importing Twitter API v2 archives and feed files with `app.py import`."""

from __future__ import annotations

import json
from typing import Any

from cache.db.store import Store
from tests.builders import BASE_TIME, page, rss, tweet, user
from tests.store_helpers import counts, write_jsonl


def stored(store: Store, mention_id: str) -> dict[str, Any]:
    row = store.mention(mention_id)
    assert row is not None, f"{mention_id} is not stored"
    return row


def test_response_page_is_stored_with_authors(tmp_path, db_path, cli):
    """A v2 search page lands with each tweet's author handle, name and profile."""
    anna = user("anna_k", "Anna K", bio="Lagerarbeiterin", followers=12)
    page_file = tmp_path / "page.json"
    page_file.write_text(
        json.dumps(page([tweet(anna, "Hitze im Lager, keine Pausen")], [anna])), encoding="utf-8"
    )
    run = cli("import", page_file, "--db", db_path)
    assert run.code == 0
    assert counts(run.out) == (1, 0, 0)
    with Store.open(db_path) as store:
        row = next(store.rows("SELECT * FROM mentions"))
        account = store.account(row["author_key"])
    assert (row["author"], row["author_name"]) == ("anna_k", "Anna K")
    assert account is not None and account["followers"] == 12


def test_reimport_changes_nothing(tmp_path, db_path, cli):
    """Importing the same archive twice stores each mention once and reports 0 new."""
    author = user("critic")
    tweets = [tweet(author, f"post {i}") for i in range(5)]
    archive = write_jsonl(tmp_path / "a.jsonl", [page(tweets, [author])])
    assert counts(cli("import", archive, "--db", db_path).out) == (5, 0, 0)
    assert counts(cli("import", archive, "--db", db_path).out) == (0, 0, 0)
    with Store.open(db_path) as store:
        assert store.count_mentions() == 5


def test_newer_payload_updates_the_row(tmp_path, db_path, cli):
    """A later capture of the same tweet (new metrics or text) updates, not duplicates."""
    author = user("critic")
    first = tweet(author, "Streik morgen", tweet_id="1860000000000001000")
    later = dict(first, public_metrics={**first["public_metrics"], "like_count": 40})
    cli("import", write_jsonl(tmp_path / "1.jsonl", [page([first], [author])]), "--db", db_path)
    run = cli(
        "import", write_jsonl(tmp_path / "2.jsonl", [page([later], [author])]), "--db", db_path
    )
    assert counts(run.out) == (0, 1, 0)
    with Store.open(db_path) as store:
        assert store.count_mentions() == 1
        raw = json.loads(stored(store, "x:1860000000000001000")["raw"])
        assert raw["public_metrics"]["like_count"] == 40


def test_truncated_line_skips_only_that_line(tmp_path, db_path, cli):
    """A cut-off JSON line is reported with its line number; the rest of the file loads."""
    author = user("critic")
    good = json.dumps(page([tweet(author, "one")], [author]))
    also_good = json.dumps(page([tweet(author, "two")], [author]))
    archive = tmp_path / "cut.jsonl"
    archive.write_text(f"{good}\n{also_good[:40]}\n{also_good}\n", encoding="utf-8")
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0
    assert counts(run.out) == (2, 0, 1)
    assert "cut.jsonl:2" in run.out and "truncated" in run.out


def test_line_separators_inside_a_post_do_not_split_its_json_line(tmp_path, db_path, cli):
    """A post holding U+2028, U+0085 or a lone CR imports whole, character for character."""
    author = user("critic")
    text = "Streik\u2028morgen\u0085am Tor\r7 Uhr"
    archive = tmp_path / "raw.jsonl"
    lines = [page([tweet(author, text)], [author]), page([tweet(author, "zwei")], [author])]
    archive.write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in lines))
    run = cli("import", archive, "--db", db_path)
    assert counts(run.out) == (2, 0, 0)
    with Store.open(db_path) as store:
        texts = {row["text"] for row in store.rows("SELECT text FROM mentions")}
    assert texts == {text, "zwei"}


def test_tweet_without_author_is_stored_as_unknown(tmp_path, db_path, cli):
    """A tweet whose author is missing from includes is kept, author marked unknown."""
    ghost = user("ghost")
    archive = write_jsonl(tmp_path / "a.jsonl", [page([tweet(ghost, "who am I")], [])])
    assert counts(cli("import", archive, "--db", db_path).out) == (1, 0, 0)
    with Store.open(db_path) as store:
        assert next(store.rows("SELECT author FROM mentions"))["author"] == "unknown"


def test_referenced_tweets_are_stored_and_never_overwrite(tmp_path, db_path, cli):
    """Tweets in includes.tweets are stored; a partial copy never replaces a full one."""
    critic, amb = user("critic"), user("amb")
    root = tweet(critic, "Bezahlung ist mies", tweet_id="1860000000000002000")
    reply = tweet(amb, "Wir zahlen über Tarif", reply_to=root)
    partial_root = {
        "id": root["id"],
        "text": root["text"],
        "author_id": critic["id"],
        "created_at": root["created_at"],
    }
    full = write_jsonl(tmp_path / "full.jsonl", [page([root], [critic])])
    refs = write_jsonl(
        tmp_path / "refs.jsonl", [page([reply], [critic, amb], referenced=[partial_root])]
    )
    cli("import", full, "--db", db_path)
    # The root gains a second source (the file that referenced it); its payload stays.
    assert counts(cli("import", refs, "--db", db_path).out) == (1, 1, 0)
    with Store.open(db_path) as store:
        stored_root = stored(store, "x:1860000000000002000")
        stored_reply = stored(store, f"x:{reply['id']}")
    assert '"lang"' in stored_root["raw"]  # the full payload survived
    assert json.loads(stored_root["sources"]) == ["full.jsonl", "refs.jsonl"]
    assert stored_reply["in_reply_to"] == "x:1860000000000002000"
    assert stored_reply["kind"] == "reply"


def test_one_tweet_per_line_and_other_timestamp_formats(tmp_path, db_path, cli):
    """Bare tweet objects per line load, with epoch or RFC 2822 times read as UTC."""
    author = user("critic")
    lines = [
        dict(tweet(author, "epoch"), created_at=int(BASE_TIME.timestamp())),
        dict(tweet(author, "rfc"), created_at="Mon, 02 Nov 2026 10:00:00 +0100"),
    ]
    archive = write_jsonl(tmp_path / "tweets.jsonl", lines)
    assert counts(cli("import", archive, "--db", db_path).out) == (2, 0, 0)
    with Store.open(db_path) as store:
        times = {r["text"]: r["created_at"] for r in store.rows("SELECT * FROM mentions")}
    assert times == {"epoch": "2026-11-02T09:00:00Z", "rfc": "2026-11-02T09:00:00Z"}


def test_nul_bytes_and_long_texts_survive(tmp_path, db_path, cli):
    """NUL bytes are dropped and a 10,000-character post is stored whole."""
    author = user("critic")
    long_text = "Lohn " * 2000
    archive = write_jsonl(
        tmp_path / "a.jsonl", [page([tweet(author, "a\x00b"), tweet(author, long_text)], [author])]
    )
    assert counts(cli("import", archive, "--db", db_path).out) == (2, 0, 0)
    with Store.open(db_path) as store:
        texts = sorted(r["text"] for r in store.rows("SELECT text FROM mentions"))
    assert texts == sorted(["ab", long_text])


def test_feed_items_without_dates_or_ids_get_stable_ids(tmp_path, db_path, cli):
    """Feed items with no date or guid are stored, and a re-import finds them again."""
    feed = tmp_path / "news.xml"
    feed.write_bytes(
        rss(
            "News",
            [
                {"title": "Streik bei Kestrel", "link": "https://news.example/a?utm_source=x"},
                {"title": "Kein Link, nur Text", "description": "Betriebsrat gegründet"},
            ],
        )
    )
    assert counts(cli("import", feed, "--db", db_path).out) == (2, 0, 0)
    assert counts(cli("import", feed, "--db", db_path).out) == (0, 0, 0)


def test_same_article_in_two_feeds_is_one_mention(tmp_path, db_path, cli):
    """One article reaching two feeds (tracking parameters aside) is stored once, two sources."""
    a, b = tmp_path / "one.xml", tmp_path / "two.xml"
    a.write_bytes(
        rss("One", [{"title": "Verdi ruft zum Streik", "link": "https://news.example/streik"}])
    )
    b.write_bytes(
        rss(
            "Two",
            [
                {
                    "title": "Verdi ruft zum Streik",
                    "link": "https://www.news.example/streik/?utm_medium=rss",
                }
            ],
        )
    )
    run = cli("import", a, b, "--db", db_path)
    assert counts(run.out) == (1, 1, 0)
    with Store.open(db_path) as store:
        row = next(store.rows("SELECT sources FROM mentions"))
    assert json.loads(row["sources"]) == ["one", "two"]


def test_unreadable_file_fails_but_others_import(tmp_path, db_path, cli):
    """A missing or non-archive file exits 1 with its reason; the good file still loads."""
    author = user("critic")
    good = write_jsonl(tmp_path / "good.jsonl", [page([tweet(author, "ok")], [author])])
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": "world"}', encoding="utf-8")
    run = cli("import", tmp_path / "missing.json", junk, good, "--db", db_path)
    assert run.code == 1
    assert counts(run.out) == (1, 0, 0)
    assert "missing.json: cannot read" in run.err
    assert "junk.json: JSON, but not a Twitter API v2 response" in run.err


def test_store_that_is_not_sqlite_is_left_untouched(tmp_path, cli):
    """Pointing --db at a non-SQLite file gives a clear error and does not modify it."""
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"my precious notes\n")
    author = user("critic")
    archive = write_jsonl(tmp_path / "a.jsonl", [page([tweet(author, "x")], [author])])
    run = cli("import", archive, "--db", notes)
    assert run.code == 1
    assert "not a SQLite database" in run.err
    assert notes.read_bytes() == b"my precious notes\n"
    assert not (tmp_path / "notes.txt-wal").exists()


def test_one_article_from_two_feeds_in_one_batch_keeps_both_sources(db_path):
    """Two feeds delivering one article in the same poll round remember both feeds."""
    from cache.write.ingest import ingest
    from filters.classify import Classifier
    from sources.feeds.parse import parse_feed
    from sources.model.config import Config

    item = {"title": "Verdi ruft zum Streik", "link": "https://news.example/streik"}
    batch = parse_feed(rss("One", [item]), "one")
    batch.extend(parse_feed(rss("Two", [item]), "two"))
    with Store.open(db_path) as store:
        result = ingest(store, batch, Classifier(Config()))
        row = next(store.rows("SELECT sources, source FROM mentions"))
    assert result.new == 1
    assert json.loads(row["sources"]) == ["one", "two"]
    assert row["source"] == "one"
