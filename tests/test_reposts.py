"""X retweets are no mentions of their own: kept aside, the posts they repost counted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.conftest import Run
from tests.store_helpers import store_before

PICKER = user("picker_anna", user_id="101")
FAN = user("fan_of_anna", user_id="202")
ORIGINAL = tweet(PICKER, "Kestrel pickers strike tomorrow over pay")


def _retweet(author: dict[str, Any], of: dict[str, Any]) -> dict[str, Any]:
    """A retweet as X sends it: the text cut after "RT @name:", the original referenced."""
    body = tweet(author, f"RT @picker_anna: {of['text']}")
    body["referenced_tweets"] = [{"type": "retweeted", "id": of["id"]}]
    return body


RETWEET = _retweet(FAN, ORIGINAL)
# A search page: the retweet matched; X sends the original along in `includes`.
SEARCH_PAGE = page([RETWEET], [PICKER, FAN], referenced=[ORIGINAL])


def _archive(tmp_path: Path, *pages: dict[str, Any]) -> Path:
    path = tmp_path / "search.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    return path


def _exported_ids(cli: Any, db: Path) -> list[str]:
    run: Run = cli("export", "--db", db, "--format", "jsonl")
    assert run.code == 0, run.err
    return [json.loads(line)["id"] for line in run.out.splitlines() if line]


def test_imported_retweet_is_not_exported_but_the_reposted_post_is(
    tmp_path: Path, cli: Any
) -> None:
    """An imported retweet exports no row of its own; the post it reposts does, once."""
    db = tmp_path / "store.db"
    imported = cli("import", _archive(tmp_path, SEARCH_PAGE), "--db", db)
    assert imported.code == 0, imported.err
    assert imported.out.startswith("imported 1 new")
    assert "1 retweets kept aside" in imported.out
    assert _exported_ids(cli, db) == [f"x:{ORIGINAL['id']}"]


def test_status_counts_no_retweet_as_a_mention(tmp_path: Path, cli: Any) -> None:
    """`status` counts the reposted post as the one mention and names the retweet kept aside."""
    db = tmp_path / "store.db"
    assert cli("import", _archive(tmp_path, SEARCH_PAGE), "--db", db).code == 0
    out = cli("status", "--db", db).out
    assert "mentions: 1 " in out
    assert "retweets kept aside, not counted as mentions: 1" in out


def test_live_poll_keeps_the_retweet_aside_and_a_second_poll_changes_nothing(
    db_path: Path,
) -> None:
    """A polled retweet is stored aside (not in the feed's table or its search index), and
    polling it again adds nothing and reports nothing new."""
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        first = ingest(store, parse_response(SEARCH_PAGE, "x:search"), classifier)
        again = ingest(store, parse_response(SEARCH_PAGE, "x:search"), classifier)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM mentions")]
        aside = store.conn.execute("SELECT id, reposted_id FROM mention_reposts").fetchall()
        searched = store.conn.execute(
            "SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'RT'"
        ).fetchone()[0]
    assert (first.new, first.reposts, first.new_ids) == (1, 1, [f"x:{ORIGINAL['id']}"])
    assert (again.new, again.updated, again.reposts) == (0, 0, 0)
    assert ids == [f"x:{ORIGINAL['id']}"]
    assert aside == [(f"x:{RETWEET['id']}", f"x:{ORIGINAL['id']}")]
    assert searched == 0


def _store_counting_the_retweet(tmp_path: Path, cli: Any) -> Path:
    """A store as written before retweets were set aside: the retweet among the mentions."""
    made = tmp_path / "made.db"
    assert cli("import", _archive(tmp_path, SEARCH_PAGE), "--db", made).code == 0
    with sqlite3.connect(made) as conn:  # the retweet back among the mentions, as before
        columns = [str(r[1]) for r in conn.execute("PRAGMA table_info(mentions)")]
        values = ", ".join(f"json_extract(row, '$.{c}')" for c in columns)
        conn.execute(
            f"INSERT INTO mentions ({', '.join(columns)}) SELECT {values} FROM mention_reposts"
        )
    return store_before("m023_retweets_set_aside", tmp_path / "old.db", made)


def test_retweets_a_store_already_counted_move_aside_when_it_opens(
    tmp_path: Path, cli: Any
) -> None:
    """A store written before retweets were set aside stops counting them once opened,
    keeps them in full, and its search index stays whole."""
    old = _store_counting_the_retweet(tmp_path, cli)
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT count(*) FROM mentions").fetchone()[0] == 2

    assert _exported_ids(cli, old) == [f"x:{ORIGINAL['id']}"]
    with sqlite3.connect(old) as conn:
        kept = conn.execute("SELECT row FROM mention_reposts").fetchone()[0]
        conn.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")
    assert json.loads(kept)["text"] == RETWEET["text"]


def test_a_retweet_without_referenced_tweets_is_known_by_its_text(tmp_path: Path, cli: Any) -> None:
    """X's default fields (no `referenced_tweets`) still mark a retweet by its "RT @name:"
    text: it is kept aside, and a post merely quoting such words is not."""
    bare = tweet(FAN, "RT @picker_anna: Kestrel pickers strike tomorrow over pay")
    talk = tweet(FAN, "RT @ is how people retweeted in 2009, Kestrel")
    db = tmp_path / "store.db"
    imported = cli("import", _archive(tmp_path, page([bare, talk], [FAN])), "--db", db)
    assert imported.code == 0, imported.err
    assert "1 retweets kept aside" in imported.out
    assert _exported_ids(cli, db) == [f"x:{talk['id']}"]


def test_a_stored_retweet_known_only_by_its_text_moves_aside_when_the_store_opens(
    tmp_path: Path, cli: Any
) -> None:
    """A store that holds a text-only retweet as a post stops counting it once opened."""
    made = tmp_path / "made.db"
    bare = tweet(FAN, "RT @picker_anna: Kestrel pickers strike tomorrow over pay")
    assert cli("import", _archive(tmp_path, page([bare], [FAN])), "--db", made).code == 0
    with sqlite3.connect(made) as conn:  # stored as a post, as before
        columns = [str(r[1]) for r in conn.execute("PRAGMA table_info(mentions)")]
        values = ", ".join(
            "'post'" if c == "kind" else f"json_extract(row, '$.{c}')" for c in columns
        )
        conn.execute(
            f"INSERT INTO mentions ({', '.join(columns)}) SELECT {values} FROM mention_reposts"
        )
    old = store_before("m023_retweets_set_aside", tmp_path / "old.db", made)
    assert _exported_ids(cli, old) == []


def test_marks_on_a_retweet_carry_to_the_post_it_reposts_when_an_older_store_opens(
    tmp_path: Path, cli: Any
) -> None:
    """A retweet starred and read before the upgrade leaves the post it reposts starred and read."""
    old = _store_counting_the_retweet(tmp_path, cli)
    with sqlite3.connect(old) as conn:  # marked in the old monitor (`*`, then read)
        conn.execute(
            "INSERT INTO mention_marks (mention_id, read_at, starred_at) "
            "VALUES (?, '2026-12-01T01:00:00Z', '2026-12-01T00:00:00Z')",
            [f"x:{RETWEET['id']}"],
        )

    starred = cli("export", "--db", old, "--format", "jsonl", "--query", "is:starred")
    assert starred.code == 0, starred.err
    assert [json.loads(line)["id"] for line in starred.out.splitlines() if line] == [
        f"x:{ORIGINAL['id']}"
    ]
    unread = cli("export", "--db", old, "--format", "jsonl", "--query", "is:unread")
    assert unread.code == 0, unread.err
    assert unread.out.strip() == ""
