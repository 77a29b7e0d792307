"""One text block used on X and on Bluesky is found as one block, whatever the handles."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from tests import builders
from tests.builders import BASE_TIME
from tests.social_builders import bsky_author, bsky_post

BLOCK = "Bei uns wird der Lohn fair gezahlt, ehrlich!"
CONFIG = '[accounts]\nambassadors = ["AmbBen", "AmbCleo", "anna-acme.bsky.social"]\n'


def test_a_bluesky_reply_opening_with_the_critics_handle_joins_the_x_text_block(
    tmp_path: Path, db_path: Path, cli
) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """Word for word the reply two X ambassadors used, on Bluesky after `@kai-lager.bsky.social`,
    is in their text block and counts as a near-duplicate in the ambassadors report."""
    critic = builders.user("critic_carl", "Carl")
    ben, cleo = builders.user("AmbBen", "Ben"), builders.user("AmbCleo", "Cleo")
    complaint = builders.tweet(critic, "Acme zahlt zu wenig", at=BASE_TIME, lang="de")
    x_replies = [
        builders.tweet(
            who,
            f"@critic_carl {BLOCK}",
            at=BASE_TIME + timedelta(minutes=minutes),
            reply_to=complaint,
            lang="de",
        )
        for who, minutes in ((ben, 5), (cleo, 9))
    ]
    kai = bsky_author("kai-lager.bsky.social", "Kai")
    anna = bsky_author("anna-acme.bsky.social", "Anna")
    question = bsky_post(kai, "Acme zahlt im Lager zu wenig", at=BASE_TIME, langs=["de"])
    answer = bsky_post(
        anna,
        f"@kai-lager.bsky.social {BLOCK}",
        at=BASE_TIME + timedelta(minutes=20),
        langs=["de"],
        reply_to=question,
    )
    x_file = tmp_path / "x.json"
    x_file.write_text(json.dumps(builders.page([complaint, *x_replies], [critic, ben, cleo])))
    bsky_file = tmp_path / "bsky.json"
    bsky_file.write_text(json.dumps({"posts": [answer, question]}))
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)

    run = cli("import", "--db", db_path, "--config", config, x_file, bsky_file)
    assert run.code == 0, run.err
    report = cli("export", "--db", db_path, "--config", config, "--report", "ambassadors")
    assert report.code == 0, report.err
    rows = {row["handle"]: row for row in csv.DictReader(io.StringIO(report.out))}
    assert rows["anna-acme.bsky.social"]["text_blocks"] == "1"
    assert rows["anna-acme.bsky.social"]["near_duplicate_share"] == "1.0"
    assert rows["AmbBen"]["text_blocks"] == rows["AmbCleo"]["text_blocks"] == "1"
