"""`app.py import` of saved Bluesky and Mastodon answers (the real recorded ones)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cache.db.store import Store

COUNTS = re.compile(r"imported (\d+) new, (\d+) updated, (\d+) skipped")


def new_count(out: str) -> int:
    match = COUNTS.search(out)
    assert match, out
    return int(match.group(1))


def test_bluesky_answers_import_with_threads_and_quotes(realworld: Path, db_path, cli):
    """Saved searchPosts, getAuthorFeed and getPostThread files become linked Bluesky posts."""
    names = [
        "atprotodart_searchPosts.json",
        "atprotodart_getAuthorFeed.json",
        "atprotodart_getPostThread_small_with_quote.json",
        "marshalx_thread_view_post_with_embed_media.json",
    ]
    run = cli("import", "--db", db_path, *(realworld / "bluesky" / n for n in names))
    assert run.code == 0, run.err
    assert new_count(run.out) > 50
    with Store.open(db_path, readonly=True) as store:
        quote = store.mention(
            "bluesky:at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
        )
        assert quote is not None
        assert quote["lang"] == "en" and quote["kind"] == "quote"
        assert quote["quoted_id"] == (
            "bluesky:at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z"
        )
        assert store.mention(quote["quoted_id"]) is not None  # the quoted post came along
        platforms = {r["platform"] for r in store.rows("SELECT DISTINCT platform FROM mentions")}
        assert platforms == {"bluesky"}
    again = cli("import", "--db", db_path, *(realworld / "bluesky" / n for n in names))
    assert new_count(again.out) == 0  # importing again changes nothing


def test_mastodon_status_lists_and_contexts_import(realworld: Path, tmp_path, db_path, cli):
    """A saved status list and a context answer import as Mastodon posts of their instance."""
    bodies = json.loads(
        (realworld / "mastodon" / "mastodonpy_test_entity_context.bodies.json").read_text()
    )
    context = tmp_path / "context.json"
    context.write_text(json.dumps(bodies[0]["body"]), encoding="utf-8")
    timeline = json.loads(
        (realworld / "mastodon" / "mastodonpy_test_fetch_next_previous.bodies.json").read_text()
    )
    statuses = tmp_path / "statuses.jsonl"  # one saved page per line
    statuses.write_text("".join(json.dumps(b["body"]) + "\n" for b in timeline), encoding="utf-8")
    run = cli("import", "--db", db_path, context, statuses)
    assert run.code == 0, run.err
    with Store.open(db_path, readonly=True) as store:
        rows = list(store.rows("SELECT * FROM mentions WHERE platform = 'mastodon'"))
        hosts = {r["id"].split(":", 1)[1].rsplit(":", 1)[0] for r in rows}
        assert hosts == {"mastodon.social", "localhost:3000"}
        langs = {r["lang"] for r in rows}
        assert "de" in langs and "en" in langs
        replies = [r for r in rows if r["in_reply_to"]]
        assert replies and all(
            r["in_reply_to"].startswith("mastodon:mastodon.social:") for r in replies
        )
        assert all("<p>" not in r["text"] for r in rows)


def test_jetstream_json_lines_import_their_posts_only(realworld: Path, db_path, cli):
    """A saved Jetstream capture imports its created posts; likes and follows add nothing."""
    path = realworld / "bluesky" / "jetstream_v1_corpus_expected.jsonl"
    events = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    posts = [
        e
        for e in events
        if e["kind"] == "commit"
        and e["commit"]["collection"] == "app.bsky.feed.post"
        and e["commit"]["operation"] == "create"
    ]
    run = cli("import", "--db", db_path, path)
    assert run.code == 0, run.err
    assert new_count(run.out) == len(posts)
    with Store.open(db_path, readonly=True) as store:
        langs = {r["lang"] for r in store.rows("SELECT lang FROM mentions")}
    assert {"en", "de", "ja"} <= langs
