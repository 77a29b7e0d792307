"""X posts first stored without their author (`unknown`) take it from a later import.

A bare tweet (one per line, or a default-fields answer) has no `includes.users`: its
post is stored with the author `unknown`. Importing the same posts with their authors
later must put the author in; importing them bare again must not take it away.
"""

from __future__ import annotations

import json
from pathlib import Path

from cache.db.store import Store
from cache.read.author_posts import posts_of
from tests.builders import page, tweet, user
from tests.store_helpers import counts, write_jsonl


def _bare_lines(archive: Path, out: Path, count: int) -> Path:
    """The first `count` posts of a v2 archive that are no retweets (those are kept aside,
    no mentions), each as a bare tweet object on its line."""
    bare: list[object] = []
    for line in archive.read_text(encoding="utf-8").splitlines():
        bare.extend(t for t in json.loads(line).get("data", []) if not _retweet(t))
    return write_jsonl(out, bare[:count])


def _retweet(post: dict[str, object]) -> bool:
    refs = post.get("referenced_tweets")
    return isinstance(refs, list) and any(r.get("type") == "retweeted" for r in refs)


def _exported_ids(cli, db_path: Path, query: str) -> set[str]:
    run = cli("export", "--db", db_path, "--format", "jsonl", "--query", query)
    assert run.code == 0, run.err
    return {json.loads(line)["id"] for line in run.out.splitlines() if line}


def test_authors_of_bare_posts_are_filled_in_by_a_later_import(tmp_path, db_path, cli, realworld):
    """Bare tweets imported first, then the full archive: every post has its author, and
    `author:@NAME` and the account's posts find them."""
    archive = realworld / "twitter_v2" / "twarc_csv_testdata" / "brexit.jsonl"
    bare = _bare_lines(archive, tmp_path / "bare.jsonl", 20)
    assert cli("import", "--db", db_path, bare).code == 0
    with Store.open(db_path) as store:
        (unknown,) = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE author = 'unknown'"
        ).fetchone()
    assert unknown == 20  # the repro's first step: no authors known yet
    assert cli("import", "--db", db_path, archive).code == 0
    with Store.open(db_path) as store:
        (unknown,) = store.conn.execute(
            "SELECT count(*) FROM mentions WHERE author = 'unknown'"
        ).fetchone()
        first = json.loads(bare.read_text(encoding="utf-8").splitlines()[0])
        row = store.mention(f"x:{first['id']}")
        assert row is not None
        account = store.account(row["author_key"])
        assert account is not None
        by_account = posts_of(store, [row["author_key"]])
        where, values = by_account.condition()
        listed = {
            str(i)
            for (i,) in store.conn.execute(f"SELECT m.id FROM mentions AS m WHERE {where}", values)
        }
        counted = by_account.count(store)
    assert unknown == 0
    assert row["author"] == account["handle"] != "unknown"
    assert row["author_name"] == account["display_name"]
    assert row["url"] == f"https://x.com/{account['handle']}/status/{first['id']}"
    assert row["id"] in listed
    assert counted == len(listed)
    assert row["id"] in _exported_ids(cli, db_path, f"author:@{account['handle']}")


def test_an_import_without_the_author_keeps_the_known_one(tmp_path, db_path, cli):
    """Posts stored with their author, imported again bare (unchanged, or with a changed
    text), keep author, name, link and role."""
    anna = user("anna_k", "Anna K", user_id="4711")
    same = tweet(anna, "Streik im Lager")
    changed = tweet(anna, "Hitze im Lager")
    full = write_jsonl(tmp_path / "full.jsonl", [page([same, changed], [anna])])
    assert counts(cli("import", "--db", db_path, full).out) == (2, 0, 0)
    with Store.open(db_path) as store:
        before = {r["id"]: r for r in store.rows("SELECT * FROM mentions")}
    bare = write_jsonl(tmp_path / "bare.jsonl", [same, dict(changed, text="Hitze, Nachtrag")])
    assert counts(cli("import", "--db", db_path, bare).out) == (0, 2, 0)
    with Store.open(db_path) as store:
        after = {r["id"]: r for r in store.rows("SELECT * FROM mentions")}
    kept = ("author", "author_name", "author_key", "url", "role")
    for mention_id, row in after.items():
        assert [row[c] for c in kept] == [before[mention_id][c] for c in kept]
        assert row["author"] == "anna_k"
    assert after[f"x:{changed['id']}"]["text"] == "Hitze, Nachtrag"  # the update went in
    assert _exported_ids(cli, db_path, "author:@anna_k") == set(after)
