"""Configured topic terms with punctuation inside a word (`AT&T`, `R&D`, `e.V.`, `#metoo`) match the
same text written the same way, folded and whole-word as every other term."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.write.reclassify import FINGERPRINT_KEY
from filters.topics import TopicMatcher
from sources.model.config import Config, TopicSection
from tests.builders import page, tweet, user

CONFIG = Config(
    topics={
        "companies": TopicSection(
            label="Companies",
            en=["AT&T", "R&D", "M&A", "H&M", "#metoo", "disney+", "R&D budget*", "*&co"],
            de=["e.V.", "ver.di-chef*"],
        )
    }
)
MATCHER = TopicMatcher.from_config(CONFIG)
DEFAULT = TopicMatcher.from_config(Config())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("We at AT&T", ("AT&T",)),
        ("R&D budget cut", ("R&D", "R&D budget")),
        ("at&t and h&m and M&A.", ("at&t", "h&m", "M&A")),
        ("#AT&T strikes back", ("#AT&T",)),
        ("AT&T-Streik, AT&T's network", ("AT&T",)),
        ("Förderverein e.V. lädt ein", ("e.V.",)),
        ("Wir bei Müller&Co, #MeToo", ("Müller&Co", "#MeToo")),
        ("Der Ver.di-Chefin zufolge", ("Ver.di-Chefin",)),
        ("R&D-Budgets steigen", ("R&D", "R&D-Budgets")),
        ("Kündige Disney+ jetzt", ("Disney+",)),
    ],
)
def test_a_term_with_inner_punctuation_matches_the_text_as_written(
    text: str, words: tuple[str, ...]
) -> None:
    """A configured `AT&T`, `R&D`, `e.V.` or `#metoo` finds the company written that way."""
    assert MATCHER.match(text).get("companies") == words


@pytest.mark.parametrize(
    "text",
    [
        "AT and T",
        "at t",
        "RD budget",
        "xAT&T",
        "AT&Tx",
        "R&Dx budget",
        "eV",
        "e.Vx",
        "metoo",
        "M & A",
    ],
)
def test_a_term_with_inner_punctuation_stays_whole_word(text: str) -> None:
    """Such a term never matches its letters without the punctuation or inside a longer word."""
    assert "companies" not in MATCHER.match(text)


def test_a_batch_answers_as_each_text_alone() -> None:
    """The import's batches give a post with `AT&T` the topics it gets on its own."""
    texts = ["We at AT&T", "Streik bei AT&T", "nothing", "R&D budget cut", "We at AT&T"]
    alone = [MATCHER.classify(text) for text in texts]
    assert MATCHER.classify_many(texts) == alone
    assert alone[1].topics == ("strikes", "companies")


def test_import_and_export_query_find_the_configured_company(cli: Any, tmp_path: Path) -> None:
    """`import --config` stores the configured topic of a post naming AT&T, which
    `export --query topic:companies` then finds."""
    config = tmp_path / "config.toml"
    config.write_text('[topics.companies]\nlabel = "Companies"\nen = ["AT&T", "R&D"]\n')
    author = user("someone")
    posts = [
        tweet(author, "We at AT&T say no"),
        tweet(author, "R&D budget cut"),
        tweet(author, "AT"),
    ]
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps(page(posts, [author])) + "\n", encoding="utf-8")
    db = tmp_path / "store.db"
    assert cli("import", archive, "--db", db, "--config", config).code == 0
    run = cli(
        "export", "--query", "topic:companies", "--format", "jsonl", "--db", db, "--config", config
    )
    assert run.code == 0
    found = sorted(json.loads(line)["text"] for line in run.out.splitlines())
    assert found == ["R&D budget cut", "We at AT&T say no"]


def test_a_store_classified_before_gets_the_topic_on_the_next_import(
    cli: Any, tmp_path: Path
) -> None:
    """Posts naming AT&T stored by the earlier matcher (which missed the topic) get it when
    the next command writes to the store, as after a change of the config's topics."""
    author = user("someone")
    archive = tmp_path / "archive.jsonl"
    archive.write_text(json.dumps(page([tweet(author, "We at AT&T")], [author])) + "\n")
    db = tmp_path / "store.db"
    assert cli("import", archive, "--db", db).code == 0  # no topic, as the earlier matcher
    with Store.open(db) as store, store.writing():
        store.set_meta(FINGERPRINT_KEY, PREVIOUS_FINGERPRINT)
    config = tmp_path / "config.toml"
    config.write_text('[topics.companies]\nlabel = "Companies"\nen = ["AT&T", "R&D"]\n')
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(page([tweet(author, "nothing")], [author])) + "\n")
    assert cli("import", other, "--db", db, "--config", config).code == 0
    query = ("export", "--query", "topic:companies", "--format", "jsonl", "--db", db)
    found = [json.loads(line)["text"] for line in cli(*query, "--config", config).out.splitlines()]
    assert found == ["We at AT&T"]


PREVIOUS_FINGERPRINT = "be604fec45ae|dd4fe646aaf0"
"""What the matcher before version 2 recorded for that config (topics|roles)."""
