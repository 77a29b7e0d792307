"""The store keeps each mention once, keeps full-text search in step, and round-trips text."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.model.records import ParsedBatch
from sources.x.twitter_v2 import parse_response
from tests import builders

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def classifier() -> Classifier:
    return Classifier(Config())


def _batch(payload: dict[str, object]) -> ParsedBatch:
    return parse_response(payload, "x:search")


def _fts_ids(store: Store, word: str) -> list[str]:
    rows = store.conn.execute(
        "SELECT m.id FROM mentions_fts JOIN mentions AS m ON m.rowid = mentions_fts.rowid "
        "WHERE mentions_fts MATCH ? ORDER BY m.id",
        [f'"{word}"'],
    )
    return [row[0] for row in rows]


def _fts_count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM mentions_fts").fetchone()[0])


def test_the_same_mention_twice_is_one_row(db_path: Path, classifier: Classifier) -> None:
    """Re-importing or re-polling the same post never shows it twice."""
    author = builders.user("ina")
    payload = builders.page([builders.tweet(author, "Streik bei Kestrel")], [author])
    with Store.open(db_path) as store:
        first = ingest(store, _batch(payload), classifier)
        second = ingest(store, _batch(payload), classifier)
        assert (first.new, second.new, second.unchanged) == (1, 0, 1)
        assert store.count_mentions() == 1
        assert _fts_count(store) == 1


def test_a_newer_payload_updates_the_row_and_its_search_index(
    db_path: Path, classifier: Classifier
) -> None:
    """An edited post shows its new text, is found by its new words and not by the old."""
    author = builders.user("ina")
    original = builders.tweet(author, "Kestrel zahlt gut", tweet_id="1870000000000000001")
    edited = dict(original, text="Kestrel and the strike at the depot")
    with Store.open(db_path) as store:
        ingest(store, _batch(builders.page([original], [author])), classifier)
        result = ingest(store, _batch(builders.page([edited], [author])), classifier)
        assert result.updated_ids == ["x:1870000000000000001"]
        row = store.mention("x:1870000000000000001")
        assert row is not None
        assert row["text"] == "Kestrel and the strike at the depot"
        assert json.loads(row["topics"]) == ["strikes"]
        assert _fts_ids(store, "strike") == ["x:1870000000000000001"]
        assert _fts_ids(store, "zahlt") == []
        assert _fts_count(store) == store.count_mentions() == 1
        topics = store.conn.execute("SELECT topic FROM mention_topics").fetchall()
        assert topics == [("strikes",)]


def test_a_referenced_copy_never_overwrites_a_complete_one(
    db_path: Path, classifier: Classifier
) -> None:
    """A post seen first in full keeps its full text when it reappears as a reference."""
    critic, replier = builders.user("critic"), builders.user("amb")
    full = builders.tweet(
        critic, "Full text about Verdi and the strike", tweet_id="1870000000000000010"
    )
    reply = builders.tweet(replier, "Wir sind fair", reply_to=full)
    partial = dict(full, text="Full text about")
    with Store.open(db_path) as store:
        ingest(store, _batch(builders.page([full], [critic])), classifier)
        later = builders.page([reply], [critic, replier], referenced=[partial])
        ingest(store, _batch(later), classifier)
        row = store.mention("x:1870000000000000010")
        assert row is not None
        assert row["text"] == "Full text about Verdi and the strike"
        assert row["referenced_only"] == 0
        assert store.count_mentions() == 2


def test_a_complete_copy_replaces_an_earlier_referenced_one(
    db_path: Path, classifier: Classifier
) -> None:
    """A post first known only as a reference gets its full record when it arrives."""
    critic, replier = builders.user("critic"), builders.user("amb")
    full = builders.tweet(critic, "Lohn und Streik bei Kestrel", tweet_id="1870000000000000020")
    reply = builders.tweet(replier, "Wir sind fair", reply_to=full)
    partial = dict(full, text="Lohn und")
    with Store.open(db_path) as store:
        ingest(
            store,
            _batch(builders.page([reply], [critic, replier], referenced=[partial])),
            classifier,
        )
        assert store.mention("x:1870000000000000020")["referenced_only"] == 1  # type: ignore[index]
        ingest(store, _batch(builders.page([full], [critic])), classifier)
        row = store.mention("x:1870000000000000020")
        assert row is not None
        assert (row["text"], row["referenced_only"]) == ("Lohn und Streik bei Kestrel", 0)
        assert _fts_ids(store, "Streik") == ["x:1870000000000000020"]
        assert _fts_count(store) == store.count_mentions() == 2


def test_nul_bytes_and_very_long_texts_round_trip(db_path: Path, classifier: Classifier) -> None:
    """Odd text comes back exactly as stored and stays searchable."""
    author = builders.user("long")
    long_text = ("Gewerkschaft " + "ä" * 9_000 + " strike ").ljust(10_000, "x")
    nul_text = "before\x00after Streik"
    batch = _batch(
        builders.page(
            [
                builders.tweet(author, long_text, tweet_id="1870000000000000030"),
                builders.tweet(author, "placeholder", tweet_id="1870000000000000031"),
            ],
            [author],
        )
    )
    # The v2 parser strips NUL (terminals and CSV dislike it); the store itself must not care.
    batch.mentions[1] = dataclasses.replace(
        batch.mentions[1], text=nul_text, raw=json.dumps({"t": nul_text})
    )
    with Store.open(db_path) as store:
        ingest(store, batch, classifier)
    with Store.open(db_path, readonly=True) as store:
        assert store.mention("x:1870000000000000030")["text"] == long_text  # type: ignore[index]
        assert store.mention("x:1870000000000000031")["text"] == nul_text  # type: ignore[index]
        assert len(long_text) == 10_000
        assert _fts_ids(store, "strike") == ["x:1870000000000000030"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-02T10:00:00+01:00", "2026-11-02T09:00:00Z"),
        ("2026-11-02T09:00:00.123Z", "2026-11-02T09:00:00Z"),
        ("2026-11-02 09:00:00", "2026-11-02T09:00:00Z"),
        ("Mon, 02 Nov 2026 04:00:00 -0500", "2026-11-02T09:00:00Z"),
        ("1793610000", "2026-11-02T09:00:00Z"),
        ("1793610000000", "2026-11-02T09:00:00Z"),
    ],
)
def test_timestamps_in_other_formats_are_stored_as_utc(
    db_path: Path, classifier: Classifier, given: str, stored: str
) -> None:
    """Archives with offsets, RFC 822 dates or epoch numbers sort correctly among the rest."""
    author = builders.user("tz")
    post = dict(builders.tweet(author, "Kestrel", tweet_id="1870000000000000040"), created_at=given)
    with Store.open(db_path) as store:
        ingest(store, _batch(builders.page([post], [author])), classifier)
        assert store.mention("x:1870000000000000040")["created_at"] == stored  # type: ignore[index]


_WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from bench.synth import pages
from cache.write.ingest import ingest
from cache.db.store import Store
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
classifier = Classifier(Config())
with Store.open(sys.argv[2]) as store:
    for page in pages(int(sys.argv[3]), seed=5, page_size=50):
        ingest(store, parse_response(page, "x:search"), classifier)
        print(page["data"][-1]["id"], flush=True)
"""


@pytest.mark.slow  # two processes on one store
def test_one_process_writes_while_another_reads_the_same_file(db_path: Path) -> None:
    """The monitor can read a store while `collect` writes it: no 'database is locked'."""
    with Store.open(db_path):
        pass  # created and migrated before the two processes start
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(ROOT), str(db_path), "3000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    reads = 0
    with Store.open(db_path, readonly=True) as reader:
        for line in writer.stdout:  # one line per committed page: read right after each
            last_id = f"x:{line.strip()}"
            assert reader.mention(last_id) is not None
            reader.conn.execute(
                "SELECT id FROM mentions ORDER BY created_at DESC LIMIT 200"
            ).fetchall()
            reads += 1
    assert writer.wait(timeout=120) == 0, writer.stderr.read() if writer.stderr else ""
    assert reads == 60
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 3000


def test_an_author_whose_profile_changed_between_pages_is_stored_anew(
    db_path: Path, classifier: Classifier
) -> None:
    """A bio edited between two pages (e.g. now 'FC Ambassador') shows the new profile and role."""
    before = builders.user("mia_k", "Mia", user_id="4711", bio="Lager, Kaffee.")
    after = {**before, "description": "FC Ambassador", "verified": 1}
    with Store.open(db_path) as store:
        for profile in (before, after, before, after):
            post = builders.tweet(profile, "Pausen sind kurz")
            ingest(store, _batch(builders.page([post], [profile])), classifier)
            bio, verified, role, raw = store.conn.execute(
                "SELECT bio, verified, role, raw FROM accounts WHERE key = 'x:4711'"
            ).fetchone()
            assert (bio, role) == (
                profile["description"],
                "ambassador" if profile is after else "public",
            )
            assert json.loads(raw) == profile and ('"verified": 1' in raw) == (profile is after)
            assert verified == 1 if profile is after else verified == 0


def test_a_store_from_an_older_version_is_upgraded_with_its_mentions_intact(
    db_path: Path, classifier: Classifier
) -> None:
    """Opening a store made before the newest migration upgrades it and keeps every mention."""
    anna = builders.user("anna_k")
    posts = [builders.tweet(anna, f"Streik Nummer {i}") for i in range(3)]
    with Store.open(db_path) as store:
        ingest(store, _batch(builders.page(posts, [anna])), classifier)
        newest = store.schema_version
        # Put the file back the way the previous release left it.
        store.conn.executescript(
            """
            DROP INDEX mentions_platform_source;
            CREATE INDEX mentions_source_created ON mentions(source, created_at);
            DELETE FROM _sqlite_migrations WHERE name = 'm004_platform_source_index';
            PRAGMA user_version = 3;
            """
        )
    with Store.open(db_path) as store:
        assert store.schema_version == newest
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
        assert "mentions_platform_source" in indexes
        assert "mentions_source_created" not in indexes
        assert store.count_mentions() == 3
        assert len(_fts_ids(store, "Streik")) == 3


def test_a_store_made_with_smaller_pages_keeps_them_and_takes_new_mentions(
    tmp_path: Path, classifier: Classifier
) -> None:
    """A store file of 4 KB pages (earlier releases) is used as it is; a new one gets 8 KB."""
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("PRAGMA journal_mode = WAL")  # writes the header with that page size
    conn.close()
    author = builders.user("critic")
    for path, text in ((old, "Streik heute"), (tmp_path / "new.db", "Lohn morgen")):
        with Store.open(path) as store:
            ingest(
                store, _batch(builders.page([builders.tweet(author, text)], [author])), classifier
            )
        with Store.open(path, readonly=True) as store:
            assert [r["text"] for r in store.rows("SELECT text FROM mentions")] == [text]
            (page_size,) = store.conn.execute("PRAGMA page_size").fetchone()
        assert page_size == (4096 if path == old else 8192)
