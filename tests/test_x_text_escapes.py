"""X sends post texts with `&`, `<` and `>` escaped (`&amp;`, `&lt;`, `&gt;`): Echowatch
stores, searches and exports the characters the author typed."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from cache.db.store import Store
from sources.demo.generator.cast import Person
from sources.demo.generator.scenario import Tweet
from sources.demo.generator.writers import tweet_payload
from sources.x.twitter_v2 import X_TEXT_UNESCAPE_SQL, parse_response, unescape_x_text
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import write_jsonl

# What X sent -> what the author typed. "&amp;amp;" is a typed "&amp;"; X escapes nothing
# else, so "&copy;" and "&quot;" arrive as typed and stay.
SENT_AND_TYPED = [
    ("Canada &amp; Mexico", "Canada & Mexico"),
    ("I &lt;3 Kestrel &gt;:(", "I <3 Kestrel >:("),
    ("typed &amp;amp; and &amp;lt;", "typed &amp; and &lt;"),
    ("&copy; Kestrel, &quot;quoted&quot;, &#38;", "&copy; Kestrel, &quot;quoted&quot;, &#38;"),
    ("no escapes at all", "no escapes at all"),
    ("&amp", "&amp"),
]


def test_escaped_texts_are_stored_as_typed(tmp_path: Path, db_path: Path, cli) -> None:
    """A post (and a long post's note_tweet) sent as "Canada &amp; Mexico" is stored,
    shown and found as "Canada & Mexico"; a typed "&copy;" stays."""
    author = user("critic")
    posts = [tweet(author, sent) for sent, _ in SENT_AND_TYPED]
    long_post = tweet(author, "cut at 280 &amp;")
    long_post["note_tweet"] = {"text": "the whole &lt;long&gt; post &amp; more"}
    archive = write_jsonl(tmp_path / "page.jsonl", [page([*posts, long_post], [author])])
    assert cli("import", archive, "--db", db_path).code == 0
    with Store.open(db_path, readonly=True) as store:
        texts = {row["id"]: row["text"] for row in store.rows("SELECT id, text FROM mentions")}
    assert [texts[f"x:{p['id']}"] for p in posts] == [typed for _, typed in SENT_AND_TYPED]
    assert texts[f"x:{long_post['id']}"] == "the whole <long> post & more"
    found = cli("export", "--db", db_path, "--format", "jsonl", "--query", '"Canada & Mexico"')
    assert [json.loads(line)["text"] for line in found.out.splitlines()] == ["Canada & Mexico"]


def test_a_real_archive_has_no_amp_words(realworld: Path, db_path: Path, cli) -> None:
    """The real brexit capture (texts like "Debt &amp; owned") holds no word "amp" once
    imported, and its "&" phrases are found."""
    archive = realworld / "twitter_v2" / "twarc_csv_testdata" / "brexit.jsonl"
    assert cli("import", archive, "--db", db_path).code == 0
    assert cli("export", "--db", db_path, "--format", "jsonl", "--query", "amp").out == ""
    found = cli("export", "--db", db_path, "--format", "jsonl", "--query", '"Debt & owned"')
    assert len(found.out.splitlines()) == 1


@pytest.mark.parametrize(("sent", "typed"), SENT_AND_TYPED)
def test_the_store_migration_rule_is_the_same_rule(sent: str, typed: str) -> None:
    """The SQL that fixes texts stored before gives what a fresh import stores."""
    with sqlite3.connect(":memory:") as db:
        (fixed,) = db.execute(
            f"SELECT {X_TEXT_UNESCAPE_SQL} FROM (SELECT ? AS text)", (sent,)
        ).fetchone()
    assert fixed == unescape_x_text(sent) == typed


def test_demo_posts_with_ampersands_read_back_as_written() -> None:
    """The demo writes its X posts escaped as X does, so "R&D <3" reads back as "R&D <3"."""
    kai = Person("kai", "Kai", "", BASE_TIME, 1, 1, 1, "ordinary", id="42")
    written = Tweet(kai, "R&D <3 &amp; more", BASE_TIME, "en", "ordinary")
    written.id = "1860000000000000042"
    written.long_text = "the long one: R&D > 3"
    payload = tweet_payload(written, random.Random(1))
    assert payload["text"] == "R&amp;D &lt;3 &amp;amp; more"
    batch = parse_response({"data": [payload]}, "demo")
    assert [m.text for m in batch.mentions] == ["the long one: R&D > 3"]
    del payload["note_tweet"]
    assert [m.text for m in parse_response({"data": [payload]}, "demo").mentions] == [
        "R&D <3 &amp; more"
    ]
