"""When an ambassador answered: edits, clocks that differ, two accounts answering together.

Each test imports a small X API v2 archive through the real CLI and reads the reports an
analyst reads (`export --report ambassadors|threads`, the HTML snapshot).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.builders import BASE_TIME, page, tweet, user

CRITIC = user("critic_carl", "Carl Critic", user_id="100")
ANNA = user("AmbAnna", "Anna - Acme", user_id="200")
BEN = user("AmbBen", "Ben - Acme", user_id="201")
BLOCK = (
    "@critic_carl Hallo, bei Acme ist der Lohn fair und die Pausen sind klar geregelt. "
    "Sprich gern mit deinem Teamleiter!"
)


def _import(tmp_path: Path, cli: Any, tweets: list[dict[str, Any]]) -> tuple[Path, Path]:
    archive = tmp_path / "capture.json"
    archive.write_text(json.dumps(page(tweets, [CRITIC, ANNA, BEN])), encoding="utf-8")
    config = tmp_path / "acme.toml"
    config.write_text(
        '[company]\nname = "Acme"\n[accounts]\nambassadors = ["AmbAnna", "AmbBen"]\n',
        encoding="utf-8",
    )
    db = tmp_path / "store.db"
    assert cli("import", "--db", db, "--config", config, archive).code == 0
    return db, config


def _ambassadors(cli: Any, db: Path, config: Path) -> dict[str, dict[str, Any]]:
    run = cli(
        "export", "--db", db, "--config", config, "--report", "ambassadors", "--format", "json"
    )
    return {a["handle"]: a for a in json.loads(run.out)["ambassadors"]}


def _critic_post(minutes: int = 0) -> dict[str, Any]:
    return tweet(
        CRITIC,
        "Acme zahlt einen miesen Lohn im Lager",
        tweet_id="1860000000000000400",
        at=BASE_TIME + timedelta(minutes=minutes),
    )


def test_an_edited_reply_counts_from_its_first_version(tmp_path: Path, cli: Any) -> None:
    """Anna answers after 10 min and edits at 40 min: her delay stays 10 min, and Ben's
    answer 20 s after hers is still a co-reply."""
    critic = _critic_post()
    first = tweet(
        ANNA,
        BLOCK.replace("Teamleiter", "Teamleitr"),
        tweet_id="1860000000000000402",
        reply_to=critic,
        at=BASE_TIME + timedelta(minutes=10),
    )
    edit = dict(first, id="1860000000000000403", text=BLOCK)
    edit["created_at"] = (BASE_TIME + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    first["edit_history_tweet_ids"] = edit["edit_history_tweet_ids"] = [first["id"], edit["id"]]
    ben = tweet(BEN, BLOCK, reply_to=critic, at=BASE_TIME + timedelta(minutes=10, seconds=20))
    db, config = _import(tmp_path, cli, [critic, first, edit, ben])
    anna = _ambassadors(cli, db, config)["AmbAnna"]
    assert anna["median_reply_delay_seconds"] == 600
    assert anna["co_replies"] == 1
    run = cli("export", "--db", db, "--config", config, "--report", "threads", "--format", "json")
    (thread,) = json.loads(run.out)["threads"]
    latencies = {r["author"]: r["latency_s"] for r in thread["replies"]}
    assert latencies == {"AmbAnna": 600, "AmbBen": 620}


def test_a_reply_dated_before_its_post_is_answered_at_once_everywhere(
    tmp_path: Path, cli: Any
) -> None:
    """A reply whose clock runs a minute late reads "at once (dated before the post)" in the
    threads report and the HTML snapshot, and counts as a 0 s delay for the ambassador."""
    critic = _critic_post(minutes=60)
    early = tweet(BEN, "@critic_carl Das stimmt so nicht.", reply_to=critic, at=BASE_TIME)
    later = tweet(
        BEN, "@critic_carl Sprich mit uns.", reply_to=critic, at=BASE_TIME + timedelta(hours=2)
    )
    db, config = _import(tmp_path, cli, [critic, early, later])
    ben = _ambassadors(cli, db, config)["AmbBen"]
    assert ben["fastest_reply_delay_seconds"] == 0
    assert ben["median_reply_delay_seconds"] == 1800
    run = cli("export", "--db", db, "--config", config, "--report", "threads", "--format", "json")
    (thread,) = json.loads(run.out)["threads"]
    first = thread["replies"][0]
    assert (first["latency_s"], first["dated_before_post"]) == (0, True)
    run = cli("export", "--db", db, "--config", config, "--report", "threads", "--format", "md")
    assert "| at once (dated before the post) |" in run.out
    assert "-1h" not in run.out and "-60m" not in run.out
    html = tmp_path / "report.html"
    assert cli("export", "--db", db, "--config", config, "--format", "html", "-o", html).code == 0
    text = html.read_text(encoding="utf-8")
    assert "replied at once (dated before the post)" in text
    assert "after 0 s" not in text


def test_one_account_answering_twice_near_another_is_one_co_reply(tmp_path: Path, cli: Any) -> None:
    """Anna, Ben, Anna again within 20 s on one post: one co-reply each, no warning."""
    critic = _critic_post()
    replies = [
        tweet(
            who, f"@critic_carl Antwort {n}", reply_to=critic, at=BASE_TIME + timedelta(seconds=s)
        )
        for n, (who, s) in enumerate([(ANNA, 300), (BEN, 310), (ANNA, 320)])
    ]
    db, config = _import(tmp_path, cli, [critic, *replies])
    profiles = _ambassadors(cli, db, config)
    assert profiles["AmbAnna"]["co_replies"] == 1
    assert profiles["AmbBen"]["co_replies"] == 1
    run = cli("export", "--db", db, "--config", config, "--report", "ambassadors", "--format", "md")
    assert "co-replies" not in run.out.replace("\\", "")
