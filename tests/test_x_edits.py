"""Edited X posts: each version has its own id; the post is one mention, its newest text."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import app
from cache.db.store import Store
from cache.read.threads import thread_for
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user

OLD, NEW = "1576994746135764992", "1576994789110992896"


def _version(tweet_id: str, text: str, seconds: int) -> dict[str, Any]:
    """One version of the edited post in X's `edited.jsonl` (twarc), as its own page."""
    post = {
        "id": tweet_id,
        "text": text,
        "author_id": "337119125",
        "conversation_id": tweet_id,
        "created_at": f"2022-10-03T17:57:{seconds:02d}.000Z",
        "edit_history_tweet_ids": [OLD, NEW],
        "lang": "en",
    }
    users = [{"id": "337119125", "username": "wongmjane", "name": "Jane Manchun Wong"}]
    return {"data": [post], "includes": {"users": users}, "meta": {"result_count": 1}}


OLD_PAGE = _version(OLD, "i miss y'all so much haha,,,", 1)
NEW_PAGE = _version(NEW, "hey :)", 11)


def _exported(tmp_path: Path, pages: list[dict[str, Any]], capsys: Any) -> list[dict[str, Any]]:
    archive = tmp_path / "edit.jsonl"
    archive.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    db = str(tmp_path / "edits.db")
    assert app.main(["import", str(archive), "--db", db]) == 0
    capsys.readouterr()
    assert app.main(["export", "--db", db, "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_import_of_an_edited_post_exports_one_mention_with_the_newest_text(
    tmp_path: Path, capsys: Any, order: str
) -> None:
    """An edited post imported as two versions exports as one mention with its new text."""
    pages = [OLD_PAGE, NEW_PAGE] if order == "older first" else [NEW_PAGE, OLD_PAGE]
    rows = _exported(tmp_path, pages, capsys)
    assert [(r["id"], r["text"]) for r in rows] == [(f"x:{NEW}", "hey :)")]
    with sqlite3.connect(tmp_path / "edits.db") as conn:  # the earlier version stays stored
        assert conn.execute("SELECT id FROM mention_versions").fetchall() == [(f"x:{OLD}",)]


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_live_polls_of_both_versions_keep_one_mention(db_path: Path, order: str) -> None:
    """Two polls bringing the two versions leave one mention in the feed's table and its
    search index, and polling the earlier version again adds nothing."""
    pages = [OLD_PAGE, NEW_PAGE] if order == "older first" else [NEW_PAGE, OLD_PAGE]
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        for payload in [*pages, OLD_PAGE]:
            result = ingest(store, parse_response(payload, "x:search"), classifier)
        assert result.new == 0
        rows = store.conn.execute("SELECT id, text FROM mentions").fetchall()
        assert rows == [(f"x:{NEW}", "hey :)")]
        found = store.conn.execute(
            "SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH 'miss'"
        ).fetchone()
        assert found == (0,)
        store.conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES('integrity-check')")


def test_a_reply_to_the_earlier_version_shows_in_the_thread(db_path: Path) -> None:
    """An ambassador's answer to a post's first version is in the thread of the edited post."""
    critic = user("lager_leipzig", "Lager Leipzig", user_id="11")
    ambassador = user("kestrel_anna", "Anna | Kestrel FC Ambassador", user_id="12")
    first = tweet(critic, "Schon wieder Hitze im Lager", tweet_id="500", lang="de", at=BASE_TIME)
    later = dict(first, id="520", text="Schon wieder Hitze im Lager, keine Pausen")
    first["edit_history_tweet_ids"] = later["edit_history_tweet_ids"] = ["500", "520"]
    answer = tweet(
        ambassador,
        "Bei uns gibt es Pausen",
        tweet_id="510",
        reply_to=first,
        lang="de",
        at=BASE_TIME + timedelta(minutes=4),
    )
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        for tweets in ([first, answer], [later]):
            ingest(store, parse_response(page(tweets, [critic, ambassador]), "x"), classifier)
        for member in ("x:510", "x:520", "x:500"):
            thread = thread_for(store, member)
            assert thread is not None, member
            assert thread.root.id == "x:520"
            assert thread.root.text == "Schon wieder Hitze im Lager, keine Pausen"
            assert [r.post.id for r in thread.replies] == ["x:510"]


def test_import_counts_the_edited_post_once_and_notes_the_earlier_version(
    tmp_path: Path, cli: Any
) -> None:
    """`import` of both versions says 1 new, as `status` counts it, and notes the version
    kept aside."""
    archive = tmp_path / "edit.jsonl"
    archive.write_text("".join(json.dumps(p) + "\n" for p in [OLD_PAGE, NEW_PAGE]), "utf-8")
    db = tmp_path / "edits.db"
    run = cli("import", archive, "--db", db)
    assert run.code == 0, run.err
    assert run.out.startswith("imported 1 new")
    assert "1 earlier versions of edited posts kept aside" in run.out
    assert "mentions: 1 " in cli("status", "--db", db).out
