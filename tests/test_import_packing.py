"""`import` reads gzip files and standard input, dates default-payload tweets by their id,
and keeps where each post came from as its source."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cache.db.store import Store
from sources.x.twitter_v2 import snowflake_time

ROOT = Path(__file__).resolve().parents[1]
COMPARED = "id, platform, url, author, author_name, author_key, text, lang, created_at, kind, "
COMPARED += "in_reply_to, quoted_id, conversation_id, referenced_only, role, topics, raw"


def _kpop(realworld: Path) -> Path:
    return realworld / "twitter_v2" / "twarc_csv_testdata" / "kpop.jsonl"


def _rows(db: Path) -> list[tuple[object, ...]]:
    with Store.open(db, readonly=True) as store:
        return [
            tuple(r) for r in store.conn.execute(f"SELECT {COMPARED} FROM mentions ORDER BY id")
        ]


def _accounts(db: Path) -> list[tuple[object, ...]]:
    with Store.open(db, readonly=True) as store:
        sql = "SELECT key, handle, display_name, bio, raw FROM accounts ORDER BY key"
        return [tuple(r) for r in store.conn.execute(sql)]


def _sources(db: Path) -> set[str]:
    with Store.open(db, readonly=True) as store:
        return {r[0] for r in store.conn.execute("SELECT DISTINCT source FROM mentions")}


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_gzip_file_stores_what_the_plain_file_stores(tmp_path, realworld, cli):
    """`import kpop.jsonl.gz` stores the same posts and authors as `import kpop.jsonl`."""
    plain = _kpop(realworld)
    packed = tmp_path / "kpop.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert cli("import", plain, "--db", tmp_path / "plain.db").code == 0
    run = cli("import", packed, "--db", tmp_path / "packed.db")
    assert run.code == 0, run.err
    assert _rows(tmp_path / "plain.db") and _rows(tmp_path / "plain.db") == _rows(
        tmp_path / "packed.db"
    )
    assert _accounts(tmp_path / "plain.db") == _accounts(tmp_path / "packed.db")
    assert _sources(tmp_path / "packed.db") == _sources(tmp_path / "plain.db") == {"#kpop"}


def test_standard_input_stores_what_the_file_stores(tmp_path, realworld, cli, monkeypatch):
    """`cat kpop.jsonl | import -` (plain or gzip) stores what `import kpop.jsonl` does."""
    plain = _kpop(realworld)
    assert cli("import", plain, "--db", tmp_path / "plain.db").code == 0
    _stdin(monkeypatch, plain.read_bytes())
    run = cli("import", "-", "--db", tmp_path / "piped.db")
    assert run.code == 0, run.err
    assert "1 of 1 files read" in run.out
    _stdin(monkeypatch, gzip.compress(plain.read_bytes()))
    assert cli("import", "-", "--db", tmp_path / "piped_gz.db").code == 0
    expected = _rows(tmp_path / "plain.db")
    assert expected == _rows(tmp_path / "piped.db") == _rows(tmp_path / "piped_gz.db")
    assert _sources(tmp_path / "piped.db") == {"#kpop"}  # the twarc query, as from the file


@pytest.mark.slow  # a shell pipe into the command
def test_a_real_pipe_into_the_installed_command(tmp_path, realworld):
    """A shell pipe (`cat x.jsonl | echowatch import -`) works, not only a test's stdin."""
    plain = _kpop(realworld)
    db = tmp_path / "piped.db"
    with plain.open("rb") as stdin:
        run = subprocess.run(
            [sys.executable, str(ROOT / "app.py"), "import", "-", "--db", str(db)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    # The capture's 121 posts: 43 mentions, and 78 retweets kept aside (no mentions).
    assert run.stdout.startswith("imported 43 new")
    assert "78 retweets kept aside" in run.stdout


def test_bad_lines_on_stdin_are_reported_as_dash(tmp_path, cli, monkeypatch):
    """A broken line piped in is reported as `-:LINE`, not as a temporary file's name."""
    good = {
        "data": [
            {
                "id": "1460323737035677698",
                "text": "Streik",
                "created_at": "2021-11-15T18:00:00.000Z",
            }
        ]
    }
    _stdin(monkeypatch, (json.dumps(good) + "\n{broken\n").encode())
    run = cli("import", "-", "--db", tmp_path / "s.db")
    assert run.code == 0
    assert "skipped -:2: invalid or truncated JSON" in run.out
    assert "echowatch-stdin" not in run.out + run.err


def test_default_payload_tweets_get_the_time_their_id_encodes(tmp_path, realworld, cli):
    """A search answer with only id and text (API v2's default) is imported, dated by id."""
    default = (
        realworld
        / "twitter_v2"
        / "postman_examples"
        / "Recent_search_200_Success_Recent_Search_Default_Payload.json"
    )
    tweets = json.loads(default.read_text(encoding="utf-8"))["data"]
    db = tmp_path / "s.db"
    run = cli("import", default, "--db", db)
    assert run.code == 0
    assert f"note {len(tweets)} posts had no created_at" in run.out
    with Store.open(db, readonly=True) as store:
        for tweet in tweets:
            if tweet["text"].startswith("RT @"):  # a retweet: kept aside, no mention
                continue
            row = store.mention(f"x:{tweet['id']}")
            assert row is not None
            expected = snowflake_time(tweet["id"])
            assert expected is not None
            assert row["created_at"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
            # What marks the time as derived: the stored payload has no created_at.
            assert "created_at" not in json.loads(row["raw"])


def test_twarc_query_becomes_the_source(tmp_path, realworld, cli):
    """A twarc2 search archive records its query as the posts' source, not `import`."""
    archive = realworld / "twitter_v2" / "twarc_csv_testdata" / "two_tweets.jsonl"
    db = tmp_path / "s.db"
    assert cli("import", archive, "--db", db).code == 0
    assert _sources(db) == {"(#POIUYTREWQ)"}
    run = cli("export", "--db", db, "--format", "jsonl")
    assert {json.loads(line)["source"] for line in run.out.splitlines()} == {"(#POIUYTREWQ)"}


def test_file_name_is_the_source_without_a_query(tmp_path, realworld, cli):
    """A twarc lookup archive (no search query) records its file name as the source."""
    archive = realworld / "twitter_v2" / "twarc_csv_testdata" / "media_tweet.jsonl"
    copy = tmp_path / "lookup-2021.jsonl"
    shutil.copyfile(archive, copy)
    db = tmp_path / "s.db"
    assert cli("import", copy, "--db", db).code == 0
    assert _sources(db) == {"lookup-2021.jsonl"}


@pytest.mark.slow  # compressed archives through real processes
def test_zstd_and_broken_gzip_are_named(tmp_path, realworld, cli):
    """A zstd file says how to import it; a cut-off gzip keeps what was read and exits 1."""
    zst = tmp_path / "a.jsonl.zst"
    zst.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 40)
    run = cli("import", zst, "--db", tmp_path / "z.db")
    assert run.code == 1
    assert "zstd-compressed" in run.err and "import -" in run.err
    lines = _kpop(realworld).read_bytes() * 1  # one page; repeat it with new ids below
    page = json.loads(lines)
    many = "".join(
        json.dumps({**page, "data": [dict(t, id=str(int(t["id"]) + n)) for t in page["data"]]})
        + "\n"
        for n in range(0, 40000, 1000)
    ).encode()
    cut = gzip.compress(many)[: len(gzip.compress(many)) * 2 // 3]
    broken = tmp_path / "cut.jsonl.gz"
    broken.write_bytes(cut)
    run = cli("import", broken, "--db", tmp_path / "b.db")
    assert run.code == 1
    assert "damaged compressed file" in run.err
    with Store.open(tmp_path / "b.db", readonly=True) as store:
        assert store.count_mentions() > 0  # what was read before the cut is kept
