"""Importing the real-world samples in ../shared/realworld (skipped when they are absent).

Expected counts are read from the files directly (tweet ids in `data`, `<item>`/`<entry>`
tags), not from our parser, so a parser bug cannot agree with itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cache.db.store import Store

BROKEN_FEEDS = {
    "encoding_bozo_invalid-bytes-with-bom.xml",
    "illformed_aaa_illformed.xml",
    "illformed_rss_empty_document.xml",
    "illformed_undeclared_namespace.xml",
    "rss_2.0_invalid_1.xml",
    "illformed_rss_incomplete_cdata.xml",
}
"""Feeds with no usable item: each must be refused with a reason, never a traceback. A
well-formed feed that has no items yet (`encoding_utf-16le-bom.xml`: `<rss></rss>`;
`illformed_http_high_bit_date.xml`: a channel with only an unreadable date) is read, with a
warning, like any other feed."""


def json_values(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        values = []
        for line in text.splitlines():
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return values


def expected_authors(path: Path, *, referenced: bool = False) -> dict[str, str]:
    """tweet id -> author username (`unknown` when the file does not name it), for every
    dated tweet in `data`, or (`referenced`) in `includes.tweets`."""
    result = {}
    for value in json_values(path):
        includes = value.get("includes", {})
        data = value.get("data")
        tweets = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        # A users answer (pinned tweets in `includes.tweets`) has its users in `data`.
        listed = [*includes.get("users", []), *(tweets if referenced else [])]
        users = {u["id"]: u["username"] for u in listed if "username" in u}
        for item in includes.get("tweets", []) if referenced else tweets:
            if "text" in item and int(item["id"]) > 1 << 32:
                result[item["id"]] = users.get(item.get("author_id"), "unknown")
    return result


def _described_authors(files: list[Path]) -> dict[str, str]:
    """tweet id -> the username of its author as any of `files` describes that account
    (in `includes.users` or a users lookup), for every tweet naming an `author_id`."""
    users: dict[str, str] = {}
    authors: dict[str, str] = {}
    for path in files:
        for value in json_values(path):
            data = value.get("data")
            items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
            includes = value.get("includes", {})
            for item in [*items, *includes.get("users", []), *includes.get("tweets", [])]:
                if not isinstance(item, dict):
                    continue
                if "username" in item:
                    users[str(item["id"])] = item["username"]
                elif "text" in item and item.get("author_id"):
                    authors[str(item["id"])] = str(item["author_id"])
    return {t: users[a] for t, a in authors.items() if a in users}


def _kept_aside(store: Store, mention_id: str) -> dict[str, object] | None:
    """A retweet's stored row: kept aside, no mention (`cache.db.reposts`)."""
    found = store.conn.execute("SELECT row FROM mention_reposts WHERE id = ?", (mention_id,))
    row = found.fetchone()
    return None if row is None else dict(json.loads(row[0]))


def test_every_real_tweet_file_loads_with_authors(realworld, tmp_path, cli):
    """Each real v2 file stores every dated tweet of `data`, with its author's handle: the
    one a file names, also when another file has the same tweet without its author, and
    for a tweet no file names the author of, the handle of its account if a file
    describes it."""
    files = sorted((realworld / "twitter_v2").glob("*/*.json*"))
    db = tmp_path / "real.db"
    run = cli("import", *files, "--db", db)
    assert run.code == 0, run.err
    expected: dict[str, tuple[str, str]] = {}  # tweet id -> (author, the file naming it)
    for path in files:
        for tweet_id, author in expected_authors(path).items():
            if author != "unknown" or tweet_id not in expected:
                expected[tweet_id] = (author, path.name)
    for path in files:  # a referenced copy with its author names it too
        for tweet_id, author in expected_authors(path, referenced=True).items():
            if author != "unknown" and expected.get(tweet_id, ("", ""))[0] == "unknown":
                expected[tweet_id] = (author, path.name)
    assert any(a == "unknown" for a, _ in expected.values())  # bare tweets are among them
    described = _described_authors(files)
    assert any(a == "unknown" and t in described for t, (a, _) in expected.items())
    with Store.open(db) as store:
        for tweet_id, (author, name) in expected.items():
            row = store.mention(f"x:{tweet_id}")
            if row is None:  # a retweet, set aside as it was stored
                row = _kept_aside(store, f"x:{tweet_id}")
            elif author == "unknown":
                author = described.get(tweet_id, author)
            assert row is not None, f"{name}: tweet {tweet_id} missing"
            assert row["author"] == author, name


@pytest.mark.slow  # every real-world feed, parsed and stored (seconds)
def test_real_feeds_load_or_say_why(realworld, tmp_path, cli):
    """Each readable real feed stores its items; each broken one is named with a reason."""
    db = tmp_path / "feeds.db"
    for path in sorted((realworld / "feeds").glob("*/*.xml")):
        run = cli("import", path, "--db", db)
        if path.name in BROKEN_FEEDS:
            assert run.code == 1, path.name
            assert path.name in run.err and ": " in run.err
            continue
        assert run.code == 0, (path.name, run.err)
        tags = len(re.findall(rb"<(item|entry)[\s>]", path.read_bytes()))
        counts = re.search(r"imported (\d+) new, (\d+) updated, (\d+) skipped", run.out)
        assert counts, run.out
        new, updated, skipped = (int(g) for g in counts.groups())
        # Items already stored from another feed (one article, two feeds) count as updated.
        assert new + updated + skipped >= tags - 1, path.name
        if tags:
            assert new + updated > 0, path.name
        else:  # a feed with no items yet is read, and says so
            assert "feed has no items" in run.out, (path.name, run.out)


@pytest.mark.parametrize("name", ["brexit.jsonl", "kpop.jsonl"])
def test_reimporting_real_archives_changes_nothing(realworld, tmp_path, cli, name):
    """A second import of a real twarc2 capture reports 0 new and 0 updated."""
    path = realworld / "twitter_v2" / "twarc_csv_testdata" / name
    db = tmp_path / "again.db"
    cli("import", path, "--db", db)
    again = cli("import", path, "--db", db)
    assert re.search(r"imported 0 new, 0 updated", again.out), again.out
