"""An ambassador continuing their own thread is not answering others, even when the post
they continue is not in the store (a Mastodon context, a Bluesky feed page, an X timeline
that did not bring it along): the reply names its parent's author itself."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from tests import builders
from tests.social_builders import bsky_author, bsky_post, masto_status


def _ambassador_row(cli, db: Path, cfg: Path, handle: str) -> dict[str, str]:
    run = cli("export", "--db", db, "--config", cfg, "--report", "ambassadors", "--format", "csv")
    assert run.code == 0, run.err
    rows = {r["handle"]: r for r in csv.DictReader(io.StringIO(run.out))}
    return rows[handle]


def test_mastodon_self_reply_to_unstored_status_is_not_a_reply(cli, tmp_path: Path) -> None:
    """A context whose descendant continues the author's own (unfetched) status: no replies."""
    first = masto_status("mastodon.social", "110", "halcy", "first status", account_id="43")
    last = masto_status(
        "mastodon.social", "130", "halcy", "final status", account_id="43", reply_to="120"
    )
    last["in_reply_to_account_id"] = "43"
    answer = tmp_path / "context.json"
    answer.write_text(json.dumps({"ancestors": [first], "descendants": [last]}))
    cfg = tmp_path / "config.toml"
    cfg.write_text('[accounts]\nambassadors = ["halcy@mastodon.social"]\n')
    db = tmp_path / "store.db"
    run = cli("import", "--db", db, "--config", cfg, "--instance", "mastodon.social", answer)
    assert run.code == 0, run.err
    row = _ambassador_row(cli, db, cfg, "halcy@mastodon.social")
    assert row["replies"] == "0"
    assert row["reply_share"] == "0.0"


def test_mastodon_reply_to_someone_else_unstored_still_counts(cli, tmp_path: Path) -> None:
    """A reply to another account's status that is not stored is still a reply to others."""
    own = masto_status("mastodon.social", "110", "halcy", "own post", account_id="43")
    reply = masto_status(
        "mastodon.social", "130", "halcy", "an answer", account_id="43", reply_to="120"
    )
    reply["in_reply_to_account_id"] = "99"
    answer = tmp_path / "statuses.json"
    answer.write_text(json.dumps([own, reply]))
    cfg = tmp_path / "config.toml"
    cfg.write_text('[accounts]\nambassadors = ["halcy@mastodon.social"]\n')
    db = tmp_path / "store.db"
    run = cli("import", "--db", db, "--config", cfg, "--instance", "mastodon.social", answer)
    assert run.code == 0, run.err
    row = _ambassador_row(cli, db, cfg, "halcy@mastodon.social")
    assert row["replies"] == "1"
    assert row["reply_share"] == "0.5"


def test_bluesky_self_reply_to_unstored_post_is_not_a_reply(cli, tmp_path: Path) -> None:
    """A Bluesky reply whose parent (not stored) is by the same DID is the author's own thread."""
    ava = bsky_author("ava.bsky.social")
    opening = bsky_post(ava, "opening post, never fetched")
    own = bsky_post(ava, "a post of her own", at=builders.BASE_TIME + timedelta(hours=1))
    more = bsky_post(ava, "and more", reply_to=opening, at=builders.BASE_TIME + timedelta(hours=2))
    answer = tmp_path / "feed.json"
    answer.write_text(json.dumps({"feed": [{"post": more}, {"post": own}]}))
    cfg = tmp_path / "config.toml"
    cfg.write_text('[accounts]\nambassadors = ["ava.bsky.social"]\n')
    db = tmp_path / "store.db"
    run = cli("import", "--db", db, "--config", cfg, answer)
    assert run.code == 0, run.err
    row = _ambassador_row(cli, db, cfg, "ava.bsky.social")
    assert row["replies"] == "0"


def test_x_self_reply_to_unstored_tweet_is_not_a_reply(cli, tmp_path: Path) -> None:
    """An X tweet continuing the author's own tweet (not in the page) is not a reply."""
    anne = builders.user("anne_fc", user_id="4242")
    opening = builders.tweet(anne, "opening")
    own = builders.tweet(anne, "own words", at=builders.BASE_TIME + timedelta(hours=1))
    more = builders.tweet(
        anne, "thread goes on", reply_to=opening, at=builders.BASE_TIME + timedelta(hours=2)
    )
    answer = tmp_path / "page.json"
    answer.write_text(json.dumps(builders.page([more, own], [anne])))
    cfg = tmp_path / "config.toml"
    cfg.write_text('[accounts]\nambassadors = ["anne_fc"]\n')
    db = tmp_path / "store.db"
    run = cli("import", "--db", db, "--config", cfg, answer)
    assert run.code == 0, run.err
    row = _ambassador_row(cli, db, cfg, "anne_fc")
    assert row["replies"] == "0"
