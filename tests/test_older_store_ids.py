"""Stores written by earlier versions under ids that today's version spells differently
(m024): Mastodon ids with the instance's default port (`mastodon:host:443:<id>`), feed
items and sources under a feed name with invisible characters. Once opened, each post is
shown once under today's id, its marks kept, and fetching it again adds nothing."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

from cache.db.store import SourceState, Store
from cache.write.ingest import ingest
from cache.write.marks import set_marks
from cache.write.reclassify import FINGERPRINT_KEY, reclassify_if_changed
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.mastodon.statuses import parse_statuses
from sources.model.config import Config
from tests.builders import BASE_TIME, rss
from tests.feedserver import FeedServer
from tests.social_builders import masto_status
from tests.store_helpers import counts, write_jsonl
from tests.test_mention_lists import lists_are_right

MIGRATION = "m024_ids_as_spelled_today"
HOST = "mastodon.social"
OLD_HOST = "mastodon.social:443"
DIRTY = "Kestrel\u200bNews"
CLEAN = "KestrelNews"
CLASSIFIER = Classifier(Config())


def as_left_by_an_older_version(db: Path) -> None:
    """The store as a version before the migration left it: the migration not yet applied
    (the rows were written in the older form by the caller)."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (MIGRATION,))


def add_alert(store: Store, top_ids: list[str], top_sources: list[tuple[str, int]]) -> None:
    """An alert whose drivers are `top_ids` and `top_sources`."""
    with store.writing():
        store.conn.execute(
            "INSERT INTO alerts (topic, started_at, count, baseline, stdev, threshold, k, "
            "min_count, baseline_kind, baseline_hours, peak_count, peak_at, last_hot_at, "
            "top_ids, top_sources, mode, raised_at) VALUES ('strikes', "
            "'2026-11-02T10:00:00Z', 9, 1, 1, 3, 2, 5, 'same_hour', 7, 9, "
            "'2026-11-02T10:00:00Z', '2026-11-02T10:00:00Z', ?, ?, 'live', "
            "'2026-11-02T11:00:00Z')",
            (json.dumps(top_ids), json.dumps(top_sources)),
        )


def drivers(store: Store) -> tuple[list[str], list[list[Any]]]:
    """The posts and sources the alert lists as its drivers."""
    top_ids, top_sources = store.conn.execute("SELECT top_ids, top_sources FROM alerts").fetchone()
    return json.loads(top_ids), json.loads(top_sources)


def stays_consistent(store: Store) -> None:
    """Every list kept beside the mentions (full text, sources, reactions, facets, topics)
    says what the mentions say."""
    store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    lists_are_right(store.conn)
    topics = {
        (mention_id, topic)
        for mention_id, listed in store.conn.execute("SELECT id, topics FROM mentions")
        for topic in json.loads(listed)
    }
    assert set(store.conn.execute("SELECT mention_id, topic FROM mention_topics")) == topics


def exported(cli: Any, db: Path, query: str = "") -> list[dict[str, Any]]:
    """The mentions `export --format jsonl` writes (of `query`, when given)."""
    args = ["export", "--db", db, "--format", "jsonl", *(["--query", query] if query else [])]
    run = cli(*args)
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def statuses() -> list[dict[str, Any]]:
    """A post, a reply to it, and a post of its own."""
    return [
        masto_status(HOST, "1001", "anna", "<p>Kestrel Streik in Leipzig</p>"),
        masto_status(HOST, "1002", "ben", "<p>Stimmt</p>", account_id="2", reply_to="1001"),
        masto_status(HOST, "1003", "cara", "<p>Kestrel zahlt schlecht</p>", account_id="3"),
    ]


def old_mastodon_store(db: Path) -> None:
    """The statuses stored as `--instance mastodon.social:443` stored them, starred and read;
    then the post fetched again, edited, by a version that names the instance
    `mastodon.social` (a second copy of it under today's id)."""
    old_id = f"mastodon:{OLD_HOST}:1001"
    with Store.open(db) as store:
        ingest(store, parse_statuses(statuses(), "mastodon:tag", OLD_HOST), CLASSIFIER)
        set_marks(store, [old_id], BASE_TIME, starred=True, read=True)
        add_alert(store, [old_id, f"mastodon:{HOST}:1001"], [("mastodon:tag", 2)])
        edited = dict(statuses()[0], content="<p>Kestrel Streik in Leipzig (edited)</p>")
        edited["edited_at"] = (BASE_TIME + timedelta(hours=1)).isoformat()
        ingest(store, parse_statuses([edited], "mastodon:account", HOST), CLASSIFIER)
        assert store.count_mentions() == 4  # the post twice: the duplicate being repaired
    as_left_by_an_older_version(db)


def test_mastodon_posts_stored_with_the_default_port_are_shown_once(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """Each status is one mention under `mastodon:mastodon.social:<id>`: the edited copy's
    text, both sources, the star and read mark of the old copy, the reply linked to it."""
    old_mastodon_store(db_path)
    rows = {row["id"]: row for row in exported(cli, db_path)}
    assert sorted(rows) == [f"mastodon:{HOST}:{n}" for n in ("1001", "1002", "1003")]
    post = rows[f"mastodon:{HOST}:1001"]
    assert post["text"] == "Kestrel Streik in Leipzig (edited)"
    assert rows[f"mastodon:{HOST}:1002"]["in_reply_to"] == f"mastodon:{HOST}:1001"
    assert [r["id"] for r in exported(cli, db_path, "is:starred")] == [post["id"]]
    assert [r["id"] for r in exported(cli, db_path, "-is:unread")] == [post["id"]]
    assert [r["id"] for r in exported(cli, db_path, "Streik")] == [post["id"]]
    with Store.open(db_path) as store:
        (sources,) = store.conn.execute(
            "SELECT sources FROM mentions WHERE id = ?", (post["id"],)
        ).fetchone()
        keys = [r["key"] for r in store.rows("SELECT key FROM accounts ORDER BY key")]
        stays_consistent(store)
        assert drivers(store) == ([post["id"]], [["mastodon:tag", 2]])
    assert sorted(json.loads(sources)) == ["mastodon:account", "mastodon:tag"]
    assert keys == [f"mastodon:{HOST}:{n}" for n in ("1", "2", "3")]


def test_mastodon_statuses_imported_again_add_nothing(tmp_path: Path, db_path: Path, cli) -> None:
    """After the upgrade, importing the same statuses (`--instance mastodon.social:443`, as
    before) stores no new mention."""
    old_mastodon_store(db_path)
    path = write_jsonl(tmp_path / "statuses.json", [])
    path.write_text(json.dumps(statuses()), encoding="utf-8")
    run = cli("import", "--db", db_path, "--instance", OLD_HOST, path)
    assert run.code == 0, run.err
    assert counts(run.out)[0] == 0
    assert len(exported(cli, db_path)) == 3


def feed(title_suffix: str = "") -> bytes:
    """Two items: one with a guid of its own (its id holds the feed's name), one whose guid
    is its link (its id is the link's)."""
    return rss(
        "Kestrel News",
        [
            {
                "title": f"Kestrel Streik{title_suffix}",
                "link": "https://n.example/live",
                "guid": "kestrel-live-1",
                "pubDate": "Mon, 02 Nov 2026 10:00:00 GMT",
            },
            {
                "title": "Kestrel zahlt",
                "link": "https://n.example/pay",
                "guid": "https://n.example/pay",
                "pubDate": "Mon, 02 Nov 2026 11:00:00 GMT",
            },
        ],
    )


def old_feed_store(db: Path) -> None:
    """The feed stored under its name with a zero-width space, its first item starred, its
    ETag kept; then polled by a version that cleans the name (the first item stored again
    under the clean name, with a changed title)."""
    with Store.open(db) as store:
        ingest(
            store,
            parse_feed(feed(), DIRTY),
            CLASSIFIER,
            states=[SourceState(name=DIRTY, kind="rss", etag='"v1"', items_seen=2)],
        )
        (guid_id,) = store.conn.execute(
            "SELECT id FROM mentions WHERE id LIKE 'rss:%:%'"
        ).fetchone()
        set_marks(store, [guid_id], BASE_TIME, starred=True)
        add_alert(store, [guid_id], [(DIRTY, 2), ("Other", 1)])
        ingest(store, parse_feed(feed(" (update)"), CLEAN), CLASSIFIER)
        assert store.count_mentions() == 3
    as_left_by_an_older_version(db)


def test_feed_items_stored_under_a_name_with_invisible_characters_are_shown_once(
    db_path: Path, cli
) -> None:
    """Each item is one mention of `KestrelNews` (the newer title, the star kept), found
    by `source:KestrelNews`; the feed's state row is the clean name's."""
    old_feed_store(db_path)
    rows = exported(cli, db_path)
    assert sorted(r["text"] for r in rows) == ["Kestrel Streik (update)", "Kestrel zahlt"]
    assert {r["source"] for r in rows} == {CLEAN}
    assert all(DIRTY not in r["id"] for r in rows)
    assert len(exported(cli, db_path, f"source:{CLEAN}")) == 2
    (starred,) = exported(cli, db_path, "is:starred")
    assert starred["text"] == "Kestrel Streik (update)"
    with Store.open(db_path) as store:
        sources = [json.loads(s) for (s,) in store.conn.execute("SELECT sources FROM mentions")]
        states = {s.name: s for s in store.source_states()}
        stays_consistent(store)
        (guid_id,) = store.conn.execute(
            "SELECT id FROM mentions WHERE id LIKE 'rss:%:%'"
        ).fetchone()
        assert drivers(store) == ([guid_id], [[CLEAN, 2], ["Other", 1]])
    assert sources == [[CLEAN], [CLEAN]]
    assert list(states) == [CLEAN] and states[CLEAN].etag == '"v1"'


def test_the_feed_polled_again_adds_nothing(tmp_path: Path, db_path: Path, cli) -> None:
    """After the upgrade, `collect --once` of the feed (named with the zero-width space in
    the config, as before) stores no new mention."""
    old_feed_store(db_path)
    with FeedServer() as server:
        server.feed("/news.xml", feed(" (update)"))
        config = tmp_path / "echowatch.toml"
        config.write_text(
            f'[[feeds]]\nname = "Kestrel\\u200bNews"\nurl = "{server.url("/news.xml")}"\n',
            encoding="utf-8",
        )
        run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    assert len(exported(cli, db_path)) == 2


def test_a_reply_stored_under_todays_id_joins_the_thread_of_its_older_post(
    db_path: Path,
) -> None:
    """A reply stored by today's version to a post stored only under the old id takes the
    post's topics (strikes) once the store is upgraded and written again."""
    post, reply = statuses()[:2]
    with Store.open(db_path) as store:
        ingest(store, parse_statuses([post], "mastodon:tag", OLD_HOST), CLASSIFIER)
        ingest(store, parse_statuses([reply], "mastodon:tag", HOST), CLASSIFIER)
        with store.writing():  # the store classified with this config: nothing to redo
            store.set_meta(FINGERPRINT_KEY, CLASSIFIER.fingerprint())
    as_left_by_an_older_version(db_path)
    with Store.open(db_path) as store:
        reclassify_if_changed(store, CLASSIFIER)
        row = store.mention(f"mastodon:{HOST}:1002")
        stays_consistent(store)
    assert row is not None and json.loads(row["topics"]) == ["strikes"]
