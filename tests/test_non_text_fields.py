"""A field that should be text but is a list, a number, an object or true/false: a post
with such a text is skipped with its reason (as `classify` refuses it), an account with
such a name is skipped with its reason, and nothing is stored in Python's spelling
(`['not', 'a', 'string']`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.builders import page, tweet, user
from tests.social_builders import bsky_author, bsky_post, masto_status
from tests.store_helpers import counts, write_jsonl

NOT_TEXT = [
    (["not", "a", "string"], "a list"),
    (42, "a number"),
    ({"a": 1}, "an object"),
    (True, "true/false"),
]


def stored(db_path: Path, sql: str) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(store.rows(sql))


def no_python_spelling(db_path: Path) -> None:
    """No stored text, name or language reads like a Python list, dict or boolean."""
    for row in stored(db_path, "SELECT text, author, author_name, lang FROM mentions"):
        for value in row.values():
            assert not str(value).startswith(("[", "{", "True", "42")), row
    for row in stored(db_path, "SELECT handle, display_name, bio FROM accounts"):
        for value in row.values():
            assert not str(value).startswith(("[", "{", "True", "42")), row


@pytest.mark.parametrize(("value", "kind"), NOT_TEXT, ids=[k for _, k in NOT_TEXT])
def test_an_x_post_whose_text_is_not_a_string_is_skipped_with_its_reason(
    tmp_path: Path, db_path: Path, cli, value: object, kind: str
) -> None:
    """A tweet whose `text` is a list, number, object or boolean is skipped and named; the
    tweet beside it is stored."""
    author = user("critic")
    odd = tweet(author, "placeholder", tweet_id="1600000000000002009")
    odd["text"] = value
    archive = write_jsonl(tmp_path / "a.jsonl", [page([tweet(author, "Streik"), odd], [author])])
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0, run.err
    assert counts(run.out) == (1, 0, 1)
    assert f"tweet 1600000000000002009: 'text' should be a string, got {kind}" in run.out
    assert [r["text"] for r in stored(db_path, "SELECT text FROM mentions")] == ["Streik"]


def test_a_long_x_post_whose_full_text_is_not_a_string_is_skipped(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """`note_tweet.text` (a long post's whole text) as a list is skipped like `text`."""
    author = user("critic")
    odd = tweet(author, "Streik", tweet_id="1600000000000002010")
    odd["note_tweet"] = {"text": ["long", "text"]}
    run = cli("import", write_jsonl(tmp_path / "a.jsonl", [odd]), "--db", db_path)
    assert "tweet 1600000000000002010: 'note_tweet.text' should be a string, got a list" in (
        run.out
    )
    assert stored(db_path, "SELECT id FROM mentions") == []


@pytest.mark.parametrize("field", ["username", "name", "description"])
def test_an_x_account_whose_name_is_not_a_string_is_skipped_and_its_post_kept(
    tmp_path: Path, db_path: Path, cli, field: str
) -> None:
    """A user object whose handle, name or bio is a list is skipped with its reason; the
    post is stored as by an author the page does not describe."""
    author = user("critic", user_id="101")
    author[field] = ["Ava", "FC"]
    post = tweet(author, "Streik", tweet_id="1600000000000002011")
    post["lang"] = ["de"]
    run = cli(
        "import", write_jsonl(tmp_path / "a.jsonl", [page([post], [author])]), "--db", db_path
    )
    assert run.code == 0, run.err
    assert f"user 101: '{field}' should be a string, got a list" in run.out
    (row,) = stored(db_path, "SELECT text, author, lang FROM mentions")
    assert row == {"text": "Streik", "author": "unknown", "lang": "und"}
    no_python_spelling(db_path)


def test_a_bluesky_post_whose_text_is_not_a_string_is_skipped(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """A Bluesky record whose `text` is a list is skipped with its reason; an author whose
    displayName is an object is skipped, and that author's other post kept under the DID."""
    ava = bsky_author("ava.bsky.social")
    odd = bsky_post(ava, "placeholder")
    odd["record"]["text"] = ["not", "a", "string"]
    other = bsky_author("odd.bsky.social")
    other["displayName"] = {"a": 1}
    kept = bsky_post(other, "Streik")
    answer = tmp_path / "posts.json"
    answer.write_text(json.dumps({"posts": [bsky_post(ava, "Lohn"), odd, kept]}))
    run = cli("import", answer, "--db", db_path)
    assert run.code == 0, run.err
    assert f"post {odd['uri']}: 'text' should be a string, got a list" in run.out
    assert f"account {other['did']}: 'displayName' should be a string, got an object" in run.out
    rows = stored(db_path, "SELECT text, author FROM mentions ORDER BY text")
    assert rows == [
        {"text": "Lohn", "author": "ava.bsky.social"},
        {"text": "Streik", "author": other["did"]},
    ]
    no_python_spelling(db_path)


def test_a_mastodon_status_whose_content_is_not_a_string_is_skipped(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """A status whose `content` is a list is skipped with its reason; an account whose
    display_name is a number is skipped, and that account's status kept."""
    good = masto_status("mastodon.social", "110", "halcy", "Lohn", account_id="43")
    odd = masto_status("mastodon.social", "111", "halcy", "placeholder", account_id="43")
    odd["content"] = ["<p>not</p>", "a string"]
    named = masto_status("mastodon.social", "112", "anna", "Streik", account_id="44")
    named["account"]["display_name"] = 42
    answer = tmp_path / "statuses.json"
    answer.write_text(json.dumps([good, odd, named]))
    run = cli("import", "--db", db_path, "--instance", "mastodon.social", answer)
    assert run.code == 0, run.err
    assert "status 111: 'content' should be a string, got a list" in run.out
    assert "account 44: 'display_name' should be a string, got a number" in run.out
    rows = stored(db_path, "SELECT text, author FROM mentions ORDER BY text")
    assert rows == [
        {"text": "Lohn", "author": "halcy@mastodon.social"},
        {"text": "Streik", "author": "unknown"},
    ]
    no_python_spelling(db_path)
