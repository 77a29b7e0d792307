"""The bulk import path stores exactly what the ordinary ingest stores, table for table.

`app.py import` inserts a transaction's rows with one statement and fills the full-text
index once at the end (`cache.db.fts.deferred_inserts`); the live sources ingest page by page
through the row triggers. A user must never be able to tell which path filled a store:
every row of every table (rowids, payloads, accounts, topics, threads' topics, FTS entries)
is compared, after first imports and after updates of ids already stored.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages
from cache.db.store import Store
from cache.write import pipeline
from cache.write.direct import RowBatch
from cache.write.importer import ImportReport, import_paths
from cache.write.ingest import IngestResult, ingest
from filters.classify import Classifier
from sources.archive.files import read_archive
from sources.model.config import Config
from sources.x.twitter_v2 import time_from_id

FROZEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
BATCH = 700


@pytest.fixture(autouse=True)
def _one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # first_seen_at/updated_at come from the clock: both paths must see the same time.
    monkeypatch.setattr("cache.db.store.utc_now", lambda: FROZEN)
    monkeypatch.setattr("cache.write.importer.utc_now", lambda: FROZEN)


def _archives(folder: Path, realworld: Path) -> list[list[Path]]:
    """Imports in order: real X payloads, a synthetic stream, then the stream again with
    changed texts, new sources of the same ids and referenced copies (updates)."""
    real = sorted((realworld / "twitter_v2" / "twarc_csv_testdata").glob("*.jsonl"))
    real += sorted((realworld / "twitter_v2" / "decoded").glob("*.json"))
    real += sorted((realworld / "twitter_v2" / "postman_examples").glob("*.json"))
    first = folder / "first.jsonl"
    second = folder / "second.jsonl"
    stream = list(pages(2400, seed=7))
    with first.open("w", encoding="utf-8") as out:
        for page in stream:
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    with second.open("w", encoding="utf-8") as out:
        for number, page in enumerate(stream[::3]):
            for tweet in page["data"][::2]:
                tweet["text"] = f"Streik bei Kestrel, Nachtrag {number}: " + tweet["text"]
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    edges = folder / "edges.jsonl"
    with edges.open("w", encoding="utf-8") as out:
        for page in _edge_pages():  # escaped: a lone surrogate is valid JSON as \\ud800
            out.write(json.dumps(page) + "\n")
    return [real, [first], [second], [edges], real, [edges]]


def _edge_pages() -> list[dict[str, object]]:
    """Pages with what the direct parser must treat exactly as `parse_response` does."""
    users = [
        {"id": "901", "username": "edge_one", "name": "Edge \u00e4 One", "description": "x"},
        {"id": "902", "username": "edge_two", "name": "Two", "public_metrics": {"x": 1.5}},
    ]
    base = 1_900_000_000_000_000_000

    def tweet(n: int, **fields: object) -> dict[str, object]:
        return {"id": str(base + n), "text": f"Streik edge {n}", "author_id": "901", **fields}

    edited = [str(base + 20), str(base + 21)]
    replied = {"type": "replied_to", "id": str(base + 20)}
    later, lost = [str(base + 30), str(base + 31)], [str(base + 32), str(base + 34)]
    unseen = {"type": "replied_to", "id": str(base + 32)}
    at = "2026-01-05T07:00:00.000Z"
    return [
        {
            "data": [
                tweet(1, created_at="2026-01-05T06:00:01.123Z", lang="de"),
                tweet(2),  # no created_at: the time its id encodes, counted
                tweet(3, created_at="not a time"),  # unreadable: id time, a warning, not counted
                tweet(4, created_at="2026-01-05T08:00:01+02:00", author_id="999"),
                tweet(5, created_at="2001-01-01T00:00:00.000Z"),  # before X: out of range
                tweet(6, created_at="2099-01-01T00:00:00.000Z", text="lone \ud800 surrogate"),
                tweet(7, created_at="2026-01-05T06:00:01.123Z", text="nul\u0000byte"),
                tweet(8, created_at="2026-01-05T06:00:02.000Z", note_tweet={"text": "long " * 90}),
                tweet(
                    9,
                    created_at="2026-01-05T06:00:03.000Z",
                    referenced_tweets=[{"type": "retweeted", "id": str(base + 1)}],
                    big=123456789012345678901234,  # beyond 64 bits: parsed by json
                    ratio=1e16,
                ),
                tweet(
                    10,
                    created_at="2026-01-05T06:00:04.000Z",
                    author_id="902",
                    referenced_tweets={"type": "quoted", "id": str(base + 11)},
                ),
                {"id": "１２３", "text": "full-width id"},
                {"id": str(base + 12), "text": "no author", "created_at": "2026-01-05T06:00:05Z"},
            ],
            "includes": {
                "users": users,
                "tweets": [
                    tweet(11, created_at="2026-01-05T05:00:00.000Z", text="referenced first"),
                    tweet(1, created_at="2026-01-05T06:00:01.123Z", text="partial copy"),
                ],
            },
        },
        # The referenced post arrives in full on a later page: it replaces the copy.
        {
            "data": [tweet(11, created_at="2026-01-05T05:00:00.000Z", text="Streik in full")],
            "includes": {"users": users},
        },
        # A post without its page's users whose account only a later page describes.
        {"data": [tweet(40, created_at="2026-01-05T06:40:00.000Z", author_id="905")]},
        # Newest first, as a search returns them: a reply's page carries a copy of the
        # post it answers, other posts come, then that post in full. It keeps the place
        # its copy took (the live ingest stores the copy first and updates it in place).
        {
            "data": [tweet(15, created_at="2026-01-05T07:00:00.000Z")],
            "includes": {
                "users": users,
                "tweets": [tweet(16, created_at="2026-01-05T04:00:00.000Z", text="a copy")],
            },
        },
        {"data": [tweet(17, created_at="2026-01-05T06:30:00.000Z")], "includes": {"users": users}},
        {
            "data": [tweet(16, created_at="2026-01-05T04:00:00.000Z", text="Lohn in full")],
            "includes": {"users": users},
        },
        # Copies of posts read in full on the pages before: with the same time (the
        # worker leaves them out), with an unreadable one (a warning, a time from the id)
        # and without one, like the full post (a time from the id, counted).
        {
            "data": [tweet(14, created_at="2026-01-05T06:00:06.000Z")],
            "includes": {
                "users": users,
                "tweets": [
                    tweet(11, created_at="2026-01-05T05:00:00.000Z", text="copy once more"),
                    tweet(7, created_at="garbled", text="copy, unreadable time"),
                    tweet(2, text="copy without a time"),
                ],
            },
        },
        # An edited post: the newer version first, the earlier one on a later page and
        # again in the next import (it stays no mention of its own), a reply to it.
        {"data": [tweet(21, text="Streik edited", created_at=at, edit_history_tweet_ids=edited)]},
        {
            "data": [
                tweet(20, text="Streik first", created_at=at, edit_history_tweet_ids=edited),
                tweet(22, text="Streik reply", created_at=at, referenced_tweets=[replied]),
            ]
        },
        # An edit whose first version comes later in its payload from before the edit
        # (listing only itself), a reply to a version never delivered, then its edit. (Not
        # last on its page: a row moved aside there leaves its rowid to the next row.)
        {"data": [tweet(31, text="Streik now", created_at=at, edit_history_tweet_ids=later)]},
        {
            "data": [
                tweet(30, text="Streik then", created_at=at, edit_history_tweet_ids=[later[0]]),
                tweet(33, text="Streik?", created_at=at, referenced_tweets=[unseen]),
            ]
        },
        {"data": [tweet(34, text="Streik 2", created_at=at, edit_history_tweet_ids=lost)]},
        {"id": str(base + 13), "text": "a bare tweet line", "author_id": "902"},
        {"data": [{"username": "only_user", "id": "903", "name": "U"}]},
        {"data": [{"username": "late_user", "id": "905", "name": "Late", "description": "x"}]},
        {"data": [{"tweet_count": 4, "start": "x"}]},
        {"errors": [{"detail": "Not Found"}]},
    ]


def _bulk(
    db: Path, imports: list[list[Path]], batch: int = BATCH, *, parallel: bool = False
) -> list[ImportReport]:
    with Store.open(db) as store:
        return [
            import_paths(store, paths, Classifier(Config()), batch=batch, parallel=parallel)
            for paths in imports
        ]


def _ordinary(db: Path, imports: list[list[Path]]) -> None:
    classifier = Classifier(Config())
    with Store.open(db) as store:
        for paths in imports:
            for path in paths:
                for parsed in read_archive(path, seen_at=FROZEN):
                    ingest(store, parsed, classifier)


def _contents(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table with its rowid, the schema, and the full-text index."""
    conn = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'mentions_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        found: dict[str, list[tuple[object, ...]]] = {}
        for table in tables:
            # Migrations are recorded with the time they ran: their names must agree.
            columns, order = ("name", "rowid") if table == "_sqlite_migrations" else ("*", "1")
            if table in ("mentions", "accounts"):
                columns, order = "rowid, *", "rowid"  # the FTS index points at these rowids
            # mention_topics: one row per (topic, mention); the rowid of such a row follows
            # the order in which threads were settled and means nothing, its content does.
            found[table] = sorted(
                conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY {order}').fetchall(),
                key=repr,
            )
        found["schema"] = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'mentions_fts_%' "
            "ORDER BY name"
        ).fetchall()
        conn.execute(
            "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, 'mentions_fts', 'instance')"
        )
        found["fts"] = conn.execute("SELECT * FROM temp.words ORDER BY 1, 2, 3, 4").fetchall()
        conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    finally:
        conn.close()
    return found


@pytest.mark.slow  # two whole stores built and compared row by row
@pytest.mark.parametrize("parallel", [False, True], ids=["read here", "read by the worker"])
def test_bulk_import_stores_the_same_rows_as_the_ordinary_ingest(
    tmp_path: Path, realworld: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """A store filled by `import` cannot be told from one filled by the live sources,
    whether the import reads its files itself or its worker process reads them."""
    imports = _archives(tmp_path, realworld)
    direct = _count_direct_transactions(monkeypatch)
    _bulk(tmp_path / "bulk.db", imports, parallel=parallel)
    assert direct["rows"] > 2400 * 2  # the X pages really went through the direct path
    _ordinary(tmp_path / "ordinary.db", imports)
    bulk, ordinary = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "ordinary.db")
    stored = len(bulk["mentions"]) + len(bulk["mention_reposts"])  # retweets kept aside
    assert stored > 2400 + 500  # real payloads and the stream are all in
    assert len(bulk["accounts"]) > 100
    assert len(bulk["mention_topics"]) > 500
    assert len(bulk["fts"]) > 50_000
    changed = [r for r in bulk["mentions"] if "Nachtrag" in str(r)]
    assert len(changed) > 100  # the second import really rewrote stored mentions
    assert bulk.keys() == ordinary.keys()
    for name in bulk:
        assert bulk[name] == ordinary[name], name


def _count_direct_transactions(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the rows the importer stores through `ingest_rows` (and still stores them)."""
    seen = {"rows": 0}
    real = pipeline.ingest_rows

    def counting(store: Store, batch: RowBatch, classifier: Classifier, *rest: Any) -> IngestResult:
        seen["rows"] += len(batch.rows)
        return real(store, batch, classifier, *rest)

    monkeypatch.setattr(pipeline, "ingest_rows", counting)
    return seen


@pytest.mark.parametrize("parallel", [False, True], ids=["read here", "read by the worker"])
def test_direct_rows_match_the_ordinary_ingest_on_edge_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, realworld: Path, parallel: bool
) -> None:
    """Odd X payloads (no or unreadable times, surrogates, retweets, users-only pages,
    referenced copies then full posts, full posts then copies), also between Bluesky lines
    in the same file, are stored by `import` as the live sources store them, and reported
    the same, whether the import or its worker process reads the files."""
    edges = tmp_path / "edges.jsonl"
    with edges.open("w", encoding="utf-8") as out:
        for page in [*_edge_pages(), *pages(120, seed=5)]:
            out.write(json.dumps(page) + "\n")
    jetstream = realworld / "bluesky" / "jetstream_v1_corpus_expected.jsonl"
    social = jetstream.read_text(encoding="utf-8").splitlines()[:60]
    mixed = tmp_path / "mixed.jsonl"
    with mixed.open("w", encoding="utf-8") as out:
        for number, page in enumerate(pages(90, seed=6, page_size=10)):
            out.write(json.dumps(page) + "\n" + "\n".join(social[number * 6 : number * 6 + 6]))
            out.write("\n")
    direct = _count_direct_transactions(monkeypatch)
    reports = _bulk(tmp_path / "bulk.db", [[edges], [edges], [mixed]], batch=60, parallel=parallel)
    _ordinary(tmp_path / "ordinary.db", [[edges], [edges], [mixed]])
    assert direct["rows"] > 240 + 90
    assert reports[2].totals.new > 90  # the Bluesky posts between the pages are stored too
    bulk, ordinary = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "ordinary.db")
    assert bulk.keys() == ordinary.keys()
    for name in bulk:
        assert bulk[name] == ordinary[name], name
    base = 1_900_000_000_000_000_000  # the earlier versions, one from before its edit
    assert {row[0] for row in ordinary["mention_versions"]} == {f"x:{base + 20}", f"x:{base + 30}"}
    conn = sqlite3.connect(tmp_path / "bulk.db")
    authors = dict(conn.execute("SELECT id, author || '/' || role FROM mentions").fetchall())
    conn.close()
    assert authors[f"x:{base + 40}"] == "late_user/public"  # its account came on a later page
    assert authors[f"x:{base + 13}"] == "edge_two/public"  # a bare line of a known account
    assert authors[f"x:{base + 12}"] == "unknown/public"  # no author at all
    # What the import reports (skipped items, warnings, times taken from ids) agrees too.
    parsed = list(read_archive(edges, seen_at=FROZEN))
    first = reports[0]
    assert [s.reason for s in first.skipped] == [s.reason for p in parsed for s in p.skipped]
    assert first.warnings == [w for p in parsed for w in p.warnings]
    assert first.times_from_ids == sum(time_from_id(m) for p in parsed for m in p.mentions) == 3
    assert reports[1].totals.new == 0
    # New mentions are those stored; earlier versions and retweets are counted apart.
    assert first.totals.new + reports[2].totals.new == len(ordinary["mentions"])
    assert first.totals.versions + reports[2].totals.versions == len(ordinary["mention_versions"])


def test_fts_after_bulk_import_finds_what_the_mentions_hold(tmp_path: Path) -> None:
    """A word search after `import` finds every imported post with that word, no more."""
    archive = tmp_path / "a.jsonl"
    with archive.open("w", encoding="utf-8") as out:
        for page in pages(1500, seed=3):
            out.write(json.dumps(page, ensure_ascii=False) + "\n")
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        import_paths(store, [archive], Classifier(Config()), batch=500, parallel=False)
        # FTS5 checks its index against the content table, row for row.
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
        (indexed,) = store.conn.execute("SELECT count(*) FROM mentions_fts_docsize").fetchone()
        (stored,) = store.conn.execute("SELECT count(*) FROM mentions").fetchone()
        (found,) = store.conn.execute(
            "SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'streik'"
        ).fetchone()
        trigger = store.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'mentions_ai'"
        ).fetchone()[0]
    assert indexed == stored >= 1500
    assert found > 50
    assert trigger == 1  # the live ingest keeps its trigger after an import


@pytest.mark.parametrize("parallel", [False, True], ids=["read here", "read by the worker"])
def test_authors_learned_later_are_stored_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """Posts first imported bare (author `unknown`) take their authors from a later page
    that has them, in full, as referenced copies or as the account of other posts, and
    keep them when bare copies come again (changed or not), through `import` as through
    the live ingest."""
    users = [
        {"id": "901", "username": "edge_one", "name": "Edge One"},
        {"id": "902", "username": "edge_two", "name": "Two"},
    ]
    base = 1_900_000_000_000_000_100

    def tweet(n: int, author: str, text: str = "Streik") -> dict[str, object]:
        created = f"2026-01-05T06:00:{n:02d}.000Z"
        return {
            "id": str(base + n),
            "text": f"{text} {n}",
            "author_id": author,
            "created_at": created,
        }

    bare = [tweet(n, a) for n, a in ((1, "901"), (2, "902"), (3, "901"), (4, "902"), (6, "903"))]
    reply = dict(tweet(5, "901"), referenced_tweets=[{"type": "replied_to", "id": str(base + 2)}])
    full = {
        "data": [tweet(1, "901"), tweet(3, "901"), reply],
        "includes": {"users": users, "tweets": [tweet(2, "902")]},  # post 4 not there
    }
    again = [tweet(1, "901"), tweet(2, "902"), tweet(3, "901", "Lohn"), tweet(4, "902", "Lohn")]
    files = []
    for name, lines in (("bare", bare), ("full", [full]), ("again", again)):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    imports = [[path] for path in files]
    direct = _count_direct_transactions(monkeypatch)
    _bulk(tmp_path / "bulk.db", imports, parallel=parallel)
    _ordinary(tmp_path / "ordinary.db", imports)
    assert direct["rows"] > 0
    bulk, ordinary = _contents(tmp_path / "bulk.db"), _contents(tmp_path / "ordinary.db")
    for name in bulk:
        assert bulk[name] == ordinary[name], name
    conn = sqlite3.connect(tmp_path / "bulk.db")
    authors = dict(conn.execute("SELECT id, author FROM mentions ORDER BY id").fetchall())
    listed = set(conn.execute("SELECT author_key, author FROM mention_authors").fetchall())
    conn.close()
    assert authors == {
        f"x:{base + 1}": "edge_one",
        f"x:{base + 2}": "edge_two",  # from the referenced copy
        f"x:{base + 3}": "edge_one",  # kept through a changed text without its author
        f"x:{base + 4}": "edge_two",  # its account came with other posts
        f"x:{base + 5}": "edge_one",
        f"x:{base + 6}": "unknown",  # no page ever described its author
    }
    assert {("x:901", "edge_one"), ("x:902", "edge_two")} <= listed
