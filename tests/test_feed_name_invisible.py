"""A feed name with invisible characters (a zero-width space, a bidi control) is the
name shown, stored and typed in `source:NAME` alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.builders import rss
from tests.feedserver import FeedServer

ZERO_WIDTH = "Kestrel\u200bNews"
BIDI = "\u202bTages\u00adblatt\u202c"
NFD = "Cafe\u0301 Lager"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def toml_string(text: str) -> str:
    """`text` as a TOML basic string, every character but letters as an escape."""
    return '"' + "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in text) + '"'


def exported(cli: Any, db: Path, config: Path, query: str) -> list[dict[str, Any]]:
    """The mentions `export --query QUERY --format jsonl` writes."""
    run = cli("export", "--query", query, "--format", "jsonl", "--db", db, "--config", config)
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def test_source_typed_as_shown_finds_a_feed_named_with_invisible_characters(
    cli: Any, server: FeedServer, tmp_path: Path
) -> None:
    """`feeds list` shows `KestrelNews`, and `source:KestrelNews` finds its articles (and
    so for a name in bidi controls with a soft hyphen, and one with a combining accent)."""
    for number in range(3):
        items = [{"title": f"Streik {number}", "link": f"https://n.example/{number}"}]
        server.feed(f"/{number}.xml", rss("News", items))
    config = tmp_path / "echowatch.toml"
    config.write_text(
        "".join(
            f'[[feeds]]\nname = {toml_string(name)}\nurl = "{server.url(f"/{number}.xml")}"\n'
            for number, name in enumerate((ZERO_WIDTH, BIDI, NFD))
        ),
        encoding="utf-8",
    )
    db = tmp_path / "store.db"
    run = cli("collect", "--once", "--config", config, "--db", db)
    assert run.code == 0, run.err
    listed = cli("feeds", "list", "--config", config, "--db", db).out
    for shown, number in (("KestrelNews", 0), ("Tagesblatt", 1), ("Caf\u00e9 Lager", 2)):
        assert shown in listed
        (row,) = exported(cli, db, config, f'source:"{shown}"')
        assert (row["source"], row["text"]) == (shown, f"Streik {number}")
    # Pasted with the invisible character, the name still finds the feed.
    assert len(exported(cli, db, config, f'source:"{ZERO_WIDTH}"')) == 1


def test_names_differing_only_in_invisible_characters_are_one_name(tmp_path: Path, cli) -> None:
    """Two feeds whose names look the same are refused as the same name used twice."""
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[[feeds]]\nname = "KestrelNews"\nurl = "https://a.example/f.xml"\n'
        f'[[feeds]]\nname = {toml_string(ZERO_WIDTH)}\nurl = "https://b.example/f.xml"\n',
        encoding="utf-8",
    )
    run = cli("feeds", "list", "--config", config, "--db", tmp_path / "store.db")
    assert run.code == 2
    assert "feed name 'KestrelNews' is used twice" in run.err


def test_an_opml_title_with_invisible_characters_becomes_a_clean_name(tmp_path, cli) -> None:
    """`feeds import` names a feed by its title without the invisible characters, so the
    name in the config file is the one shown and typed."""
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline type="rss" text="Kestrel&#x200b;News" xmlUrl="https://a.example/f.xml"/>'
        '<outline type="rss" text="KestrelNews" xmlUrl="https://b.example/f.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config = tmp_path / "echowatch.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    text = config.read_text(encoding="utf-8")
    assert 'name = "KestrelNews"' in text and 'name = "KestrelNews (2)"' in text
    assert "\u200b" not in text
