"""What the command line prints holds no terminal escape sequence, control or bidi override
from imported data or a config; its JSON outputs keep such text exactly, escaped."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from sources.feeds.opml import parse_opml
from sources.model.shown_text import json_text, shown_text
from sources.x.twitter_v2 import parse_response
from tests.builders import page, rss, tweet
from tests.feedserver import FeedServer
from tests.store_helpers import CLASSIFIER, CRITIC, DAY0, STRIKE_TEXT, steady_days

HOSTILE = "\x1b]0;pwned\x07\x1b[31mEVIL\x1b[0m \u202eodd\u202c \x9b2J\x1b]8;;http://x\x1b\\ok"
"""A title change, colours, a bidi override, an 8-bit CSI and a hyperlink, around words."""
SHOWN = "EVIL odd ok"
ROOT = Path(__file__).resolve().parents[1]
REMNANTS = ("]0;", "pwned", "[31m", "[0m", "2J", "]8;", "http://x")


def assert_inert(output: str) -> None:
    """Nothing a terminal acts on: no control (but the line break), no bidi override."""
    bad = [c for c in output if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, output
    assert not set(output) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def assert_clean(output: str) -> None:
    """Inert, and no remnant of a sequence shows either."""
    assert_inert(output)
    assert not [r for r in REMNANTS if r in output], output


def toml_string(text: str) -> str:
    """`text` as a TOML basic string (TOML allows controls only as escapes)."""
    return '"' + "".join(f"\\u{ord(c):04x}" if not c.isalnum() else c for c in text) + '"'


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_status_shows_a_twarc_query_without_its_escape_sequences(cli, tmp_path: Path) -> None:
    """A twarc2 archive's query (the posts' source) is shown by `status` as plain words."""
    archive = tmp_path / "capture.jsonl"
    response = page([tweet(CRITIC, STRIKE_TEXT)], [CRITIC])
    query = urllib.parse.quote(HOSTILE)
    response["__twarc"] = {"url": f"https://api.twitter.com/2/tweets/search/recent?query={query}"}
    archive.write_text(json.dumps(response) + "\n", encoding="utf-8")
    db = tmp_path / "store.db"
    assert cli("import", "--db", db, archive).code == 0
    run = cli("status", "--db", db)
    assert run.code == 0, run.err
    assert_clean(run.out + run.err)
    assert SHOWN in run.out


def test_alerts_name_their_sources_without_escape_sequences(cli, db_path: Path) -> None:
    """The `sources:` line of an alert shows a hostile source name as plain words, and the
    JSON list keeps it exactly (escaped)."""
    with Store.open(db_path) as store:
        steady_days(store, 8)
        spike = DAY0 + timedelta(days=7, hours=9)
        at = [spike + timedelta(minutes=minute) for minute in range(40)]
        tweets = [tweet(CRITIC, f"{STRIKE_TEXT} {n}", at=when) for n, when in enumerate(at)]
        ingest(store, parse_response(page(tweets, [CRITIC]), HOSTILE), CLASSIFIER)
    run = cli("alerts", "--db", db_path)
    assert run.code == 0, run.err
    assert_clean(run.out + run.err)
    assert f"sources: {SHOWN} (40)" in run.out
    listed = cli("alerts", "--db", db_path, "--format", "json")
    assert_inert(listed.out)
    assert {"source": HOSTILE, "count": 40} in json.loads(listed.out)[0]["top_sources"]


def test_feeds_import_and_list_show_titles_without_controls(cli, tmp_path: Path) -> None:
    """An OPML feed title with escapes and a bidi override is echoed, and listed, as text."""
    opml = tmp_path / "feeds.opml"
    # XML allows C1 controls and bidi overrides as they are (C0 controls not even escaped).
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" '
        'text="\u202eodd\u202c \x9b31mfeed" xmlUrl="https://e.example/\u202ef.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config = tmp_path / "echowatch.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    assert_clean(run.out + run.err)
    assert "added odd feed: https://e.example/f.xml" in run.out
    config.write_text(
        f'[[feeds]]\nname = {toml_string(HOSTILE)}\nurl = "https://e.example/g.xml"\n',
        encoding="utf-8",
    )
    listed = cli("feeds", "list", "--config", config, "--db", tmp_path / "store.db")
    assert listed.code == 0, listed.err
    assert_clean(listed.out + listed.err)
    assert SHOWN in listed.out


def test_collect_logs_feed_names_and_errors_without_escape_sequences(
    cli, server: FeedServer, tmp_path: Path, db_path: Path
) -> None:
    """A feed named with escapes, failing and succeeding, is logged and summed up as text;
    `status` then shows its name and error as text too."""
    server.feed("/ok.xml", rss(HOSTILE, [{"title": HOSTILE, "link": "https://n.example/1"}]))
    server.status("/gone.xml", 404)
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[[feeds]]\nname = {toml_string(HOSTILE)}\nurl = "{server.url("/ok.xml")}"\n'
        f'[[feeds]]\nname = {toml_string(HOSTILE + " 2")}\nurl = "{server.url("/gone.xml")}"\n',
        encoding="utf-8",
    )
    run = cli("collect", "--once", "--verbose", "--config", config, "--db", db_path)
    assert run.code == 1
    assert_clean(run.out + run.err)
    assert f"{SHOWN}: 1 new" in run.err and f"{SHOWN} 2: HTTP 404" in run.err
    status = cli("status", "--db", db_path)
    assert_clean(status.out + status.err)
    assert f"{SHOWN} 2: last error: HTTP 404" in status.out


def test_classify_answers_keep_the_text_exactly_but_escaped(cli, monkeypatch) -> None:
    """A hostile id comes back the same once decoded, with nothing a terminal acts on."""
    import io

    line = json.dumps({"id": HOSTILE, "text": "Streik"}) + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(line.encode())))
    run = cli("classify")
    assert run.code == 0, run.err
    assert_inert(run.out)
    assert json.loads(run.out)["id"] == HOSTILE


def test_the_shared_cleaner_removes_whole_sequences() -> None:
    """7-bit and 8-bit sequences go whole; an unterminated title ends at the line's end;
    the JSON form decodes to the same text."""
    assert shown_text(HOSTILE) == SHOWN
    assert shown_text("a\x1bcb \x1b(0c \x1b[31") == "ab c 31"
    assert shown_text("x\x1b]0;no end\nnext line") == "x\nnext line"
    assert shown_text("tab\there\r\n", one_line=True) == "tab here"
    assert json.loads(json_text({"k": HOSTILE})) == {"k": HOSTILE}
    assert_inert(json_text({HOSTILE: [HOSTILE]}, indent=2))


def test_json_exports_keep_the_text_exactly_but_escaped(cli, db_path: Path) -> None:
    """A post's escapes and bidi overrides, and a query's, survive a JSON export as JSON
    escapes, never raw."""
    with Store.open(db_path) as store:
        ingest(store, parse_response(page([tweet(CRITIC, HOSTILE)], [CRITIC]), "x"), CLASSIFIER)
    lines = cli("export", "--db", db_path, "--format", "jsonl")
    assert lines.code == 0, lines.err
    assert_inert(lines.out)
    assert json.loads(lines.out)["text"] == HOSTILE
    query = '"\u202eodd\x9b"'
    threads = cli("export", "--db", db_path, "--report", "threads", "--query", query)
    assert threads.code == 0, threads.err
    assert_inert(threads.out)
    assert json.loads(threads.out)["query"] == query


def test_a_warning_no_handler_takes_is_cleaned_too(db_path: Path) -> None:
    """A warning logged during a command with no log set up (Python's last resort prints
    it to stderr) shows as plain text, not raw escapes."""
    script = (
        "import logging, sys, app\n"
        "app.main(['status', '--db', sys.argv[1]])\n"
        "logging.getLogger('echowatch.any').warning('stored time of %s', sys.argv[2])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(db_path), HOSTILE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)
    assert f"stored time of {SHOWN}" in done.stderr


def test_feeds_export_writes_a_hostile_name_as_valid_opml_text(cli, tmp_path: Path) -> None:
    """A configured feed name with escapes is exported as its words: the OPML is valid XML
    (which cannot hold an ESC at all) and prints nothing a terminal acts on."""
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[[feeds]]\nname = {toml_string(HOSTILE)}\nurl = "https://e.example/g.xml"\n',
        encoding="utf-8",
    )
    run = cli("feeds", "export", "--config", config)
    assert run.code == 0, run.err
    assert_clean(run.out)
    (feed,) = parse_opml(run.out.encode()).feeds
    assert (feed.title, feed.url) == (SHOWN, "https://e.example/g.xml")
