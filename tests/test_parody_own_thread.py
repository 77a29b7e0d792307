"""A parody account's own thread: quoting or answering its own post is no reaction.

A reaction mocks someone else's post (PRODUCT.md); a parody account that quotes or
continues its own post posts again. `has:parody` and the parody page count alike.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from cache.db.store import Store
from cache.read.thread_walk import account_page
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import store_before
from tui.account_view import post_sections, stored_posts

PETE = user("ParoPete", "Pete (parody)", user_id="300")
CRITIC = user("critic_carl", "Carl Critic", user_id="100")
CONFIG = '[accounts]\nparody = ["ParoPete"]\n'


def _import(tmp_path: Path, cli: Any) -> tuple[Path, Path, dict[str, str]]:
    """Pete posts, quotes that post and answers it; he also quotes the critic once."""
    own = tweet(PETE, "Acme: wir lieben Überstunden", at=BASE_TIME)
    quote = tweet(PETE, "Ich zitiere mich gern", quotes=own, at=BASE_TIME + timedelta(minutes=1))
    answer = tweet(PETE, "Und noch mal", reply_to=own, at=BASE_TIME + timedelta(minutes=2))
    critic = tweet(CRITIC, "Acme zahlt schlecht", at=BASE_TIME + timedelta(minutes=3))
    mock = tweet(PETE, "Schlecht? Gar nicht!", quotes=critic, at=BASE_TIME + timedelta(minutes=4))
    archive = tmp_path / "posts.jsonl"
    posts = [own, quote, answer, critic, mock]
    archive.write_text(json.dumps(page(posts, [PETE, CRITIC])) + "\n", encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "store.db"
    assert cli("import", archive, "--db", db, "--config", cfg).code == 0
    names = ("own", "quote", "answer", "critic", "mock")
    return db, cfg, {name: f"x:{p['id']}" for name, p in zip(names, posts, strict=True)}


def _has_parody(cli: Any, db: Path, cfg: Path) -> list[str]:
    run = cli("export", "--db", db, "--config", cfg, "--format", "jsonl", "--query", "has:parody")
    return [json.loads(line)["id"] for line in run.out.splitlines() if line]


def test_has_parody_leaves_out_a_parody_accounts_own_post(tmp_path: Path, cli: Any) -> None:
    """`has:parody` lists the critic's post Pete quoted, not Pete's post he quoted and
    answered himself."""
    db, cfg, ids = _import(tmp_path, cli)
    assert _has_parody(cli, db, cfg) == [ids["critic"]]


def test_the_parody_page_counts_its_own_thread_as_own_posts(tmp_path: Path, cli: Any) -> None:
    """Pete's page: 1 reaction (the quote of the critic), 3 own posts (his post, his quote
    of it and his answer to it), each listed under its heading."""
    db, _, ids = _import(tmp_path, cli)
    with Store.open(db, readonly=True) as store:
        pete = account_page(store, "x:300")
    assert pete is not None
    assert stored_posts(pete) == "1 reaction stored · 3 own posts"
    sections = {s.name: {p.id for p in s.posts} for s in post_sections(pete)}
    assert sections == {
        "Reactions": {ids["mock"]},
        "Own posts": {ids["own"], ids["quote"], ids["answer"]},
    }


def test_a_store_listed_before_keeps_no_own_post_under_has_parody(tmp_path: Path, cli: Any) -> None:
    """A store whose `has:parody` list held the parody account's own post (as earlier
    versions listed it) no longer lists it once opened."""
    db, cfg, ids = _import(tmp_path, cli)
    old = store_before("m033_parody_reactions_to_others", tmp_path / "old.db", db)
    conn = sqlite3.connect(old)
    with conn:  # as the earlier version listed it
        conn.execute(
            "INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id) "
            "SELECT 'parody', created_at, id FROM mentions WHERE id = ?",
            [ids["own"]],
        )
    conn.close()
    assert _has_parody(cli, old, cfg) == [ids["critic"]]
