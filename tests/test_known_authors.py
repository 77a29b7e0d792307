"""X posts whose page did not describe their author take a stored account's.

A bare tweet (X's default payload, a page without `includes.users`) names its author only
by `author_id`. When the store knows that account (`x:<author_id>`) from another file or
an earlier poll, the post is listed under its handle, name, link and role, whichever came
first; a post with no author at all is `public`, as the README's roles say.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cache.db.store import Store
from tests.builders import tweet, user
from tests.store_helpers import store_before, write_jsonl

PRESS = user(
    "kestrel_press", "Kestrel Presse", user_id="4242", bio="Journalist, Redaktion Wirtschaft"
)


def _bare(text: str) -> dict[str, object]:
    """A post as a page without `includes.users` holds it: its author only as an id."""
    return {k: v for k, v in tweet(PRESS, text).items() if k != "conversation_id"}


def _exported(cli, db_path: Path, query: str) -> dict[str, dict[str, object]]:
    run = cli("export", "--db", db_path, "--format", "jsonl", "--query", query)
    assert run.code == 0, run.err
    rows = [json.loads(line) for line in run.out.splitlines() if line]
    return {str(row["id"]): row for row in rows}


def _users_lookup(path: Path) -> Path:
    return write_jsonl(path, [{"data": [PRESS]}])


def _assert_listed_under_the_account(cli, db_path: Path, posts: list[dict[str, object]]) -> None:
    found = _exported(cli, db_path, "author:@kestrel_press")
    assert set(found) == {f"x:{p['id']}" for p in posts}
    for post in posts:
        row = found[f"x:{post['id']}"]
        assert row["author"] == "kestrel_press"
        assert row["author_name"] == "Kestrel Presse"
        assert row["url"] == f"https://x.com/kestrel_press/status/{post['id']}"
        assert row["role"] == "press"
    assert not set(found) & set(_exported(cli, db_path, "author:@unknown"))


def test_a_bare_post_of_a_stored_account_is_listed_under_it(tmp_path, db_path, cli):
    """Posts imported bare after their account are listed under its handle and role."""
    assert cli("import", "--db", db_path, _users_lookup(tmp_path / "users.jsonl")).code == 0
    posts = [_bare("Streik bei Kestrel"), _bare("Kestrel liefert wieder")]
    assert cli("import", "--db", db_path, write_jsonl(tmp_path / "bare.jsonl", posts)).code == 0
    _assert_listed_under_the_account(cli, db_path, posts)


def test_stored_bare_posts_take_their_author_when_the_account_arrives(tmp_path, db_path, cli):
    """Posts stored as `unknown` get handle, name, link and role from a later import of
    their account, in a later file or a later page of the same file."""
    posts = [_bare("Streik bei Kestrel"), _bare("Kestrel liefert wieder")]
    assert cli("import", "--db", db_path, write_jsonl(tmp_path / "bare.jsonl", posts)).code == 0
    assert set(_exported(cli, db_path, "author:@unknown")) == {f"x:{p['id']}" for p in posts}
    assert cli("import", "--db", db_path, _users_lookup(tmp_path / "users.jsonl")).code == 0
    _assert_listed_under_the_account(cli, db_path, posts)

    later = [_bare("Kestrel Streik, Tag zwei")]
    one_file = write_jsonl(tmp_path / "one.jsonl", [*later, {"data": [PRESS]}])
    other_db = tmp_path / "other.db"
    assert cli("import", "--db", other_db, one_file).code == 0
    _assert_listed_under_the_account(cli, other_db, later)


def test_posts_without_any_author_are_public(tmp_path, db_path, cli):
    """A post of X's default payload (id and text only) is `public`: `role:public` finds
    it and the per-role line of `status` adds up to the mentions."""
    bare = {"id": "1578520094778740736", "text": "Kestrel Streik"}
    assert cli("import", "--db", db_path, write_jsonl(tmp_path / "d.jsonl", [bare])).code == 0
    assert set(_exported(cli, db_path, "role:public")) == {"x:1578520094778740736"}
    status = cli("status", "--db", db_path).out
    assert "per role: public 1" in status


def test_stores_of_earlier_versions_get_known_authors_and_roles(tmp_path, db_path, cli):
    """A store written before the fix lists its bare posts of known accounts under them,
    and its posts without an author as `public`, once opened."""
    posts = [_bare("Streik bei Kestrel")]
    authorless = {"id": "1578520094778740736", "text": "Kestrel Streik"}
    assert cli("import", "--db", db_path, _users_lookup(tmp_path / "users.jsonl")).code == 0
    lines = [*posts, authorless]
    assert cli("import", "--db", db_path, write_jsonl(tmp_path / "b.jsonl", lines)).code == 0
    old = store_before("m027_known_authors", tmp_path / "old.db", db_path)
    conn = sqlite3.connect(old)
    with conn:  # as the earlier version stored them
        conn.execute(
            "UPDATE mentions SET author = 'unknown', author_name = '', role = 'public', "
            "url = 'https://x.com/i/web/status/' || substr(id, 3) WHERE author_key = 'x:4242'"
        )
        conn.execute("UPDATE mentions SET role = '' WHERE author_key = ''")
    conn.close()
    with Store.open(old):
        pass
    _assert_listed_under_the_account(cli, old, posts)
    assert set(_exported(cli, old, "role:public")) == {"x:1578520094778740736"}
