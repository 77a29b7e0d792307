"""`feeds import/export/list`: feed lists move in and out as OPML; the config keeps its text."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cache.db.store import Store
from sources.feeds.opml import parse_opml
from sources.model.config import load_config
from sources.model.records import SourceState

OPML = Path(__file__).parent / "data" / "opml"
READER_EXPORT = OPML / "reader_export.opml"  # written here, as feed readers export
HAND_WRITTEN = """# Kestrel watch, edited by hand
[company]
name = "Kestrel"   # keep this comment

[[feeds]]
name = "example"   # the one feed we had
url = "https://example.com/feed.xml"
"""


def _feeds(config: Path) -> list[tuple[str, str]]:
    return [(f.name, f.url) for f in load_config(config).feeds]


def test_a_readers_opml_is_added_and_the_file_keeps_its_text(tmp_path, cli):
    """Nested folders are read, a feed already configured is not added twice, comments stay."""
    config = tmp_path / "echowatch.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    run = cli("feeds", "import", READER_EXPORT, "--config", config)
    assert run.code == 0, run.err
    assert "added 6 feeds" in run.out and "1 already there" in run.out
    text = config.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)  # byte for byte, comments included
    assert _feeds(config) == [
        ("example", "https://example.com/feed.xml"),
        ("Lagerforum", "https://forum.example.org/lager.rss"),
        ("example.com (Atom)", "https://example.com/feed.atom"),
        ("Betriebsrat Blog", "https://br.example.net/blog/feed/"),
        ("Wirtschaft heute", "https://press.example.com/wirtschaft.rss"),
        ("Regional-Redaktion", "https://regional.example.de/~redaktion/.rss"),
        ("Union newsletter", "https://union.example.org/news/index.php?format=rss"),
    ]
    assert "# in the OPML folder Press/Regional" in text
    again = cli("feeds", "import", READER_EXPORT, "--config", config)
    assert "added 0 feeds" in again.out and "7 already there" in again.out
    assert config.read_text(encoding="utf-8") == text


def test_opml_round_trips_through_import_and_export(tmp_path, cli):
    """Exported OPML imported elsewhere gives the same feeds; exporting again gives the same."""
    first = tmp_path / "first.toml"
    assert cli("feeds", "import", READER_EXPORT, "--config", first).code == 0
    exported = cli("feeds", "export", "--config", first)
    assert exported.code == 0
    listed = parse_opml(exported.out.encode())
    assert [(f.title, f.url) for f in listed.feeds] == _feeds(first)
    (tmp_path / "out.opml").write_text(exported.out, encoding="utf-8")
    second = tmp_path / "second.toml"
    assert cli("feeds", "import", tmp_path / "out.opml", "--config", second).code == 0
    assert _feeds(second) == _feeds(first)
    again = cli("feeds", "export", "--config", second).out
    assert _without_date(again) == _without_date(exported.out)
    original = parse_opml(READER_EXPORT.read_bytes())
    assert {f.url for f in original.feeds} == {url for _, url in _feeds(second)}


def _without_date(opml: str) -> str:
    return "\n".join(line for line in opml.splitlines() if "<dateCreated>" not in line)


def test_unpollable_and_repeated_addresses_are_skipped_with_reasons(tmp_path, cli):
    """ftp:, nntp: and repeated feeds are listed as skipped; the http(s) ones are added."""
    config = tmp_path / "c.toml"
    run = cli("feeds", "import", OPML / "unpollable.opml", "--config", config)
    assert run.code == 0
    assert _feeds(config) == [("Normal feed", "https://example.com/feed.atom")]
    assert "skipped An FTP feed: 'ftp://example.com/~user/news.rss' is not an http(s)" in run.out
    assert "skipped Echoes of eternity" in run.out
    twice = tmp_path / "twice.opml"
    twice.write_text(
        '<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/f"/>'
        '<outline text="b"><outline text="A again" xmlUrl="HTTPS://A.EXAMPLE/f"/></outline>'
        "</body></opml>",
        encoding="utf-8",
    )
    run = cli("feeds", "import", twice, "--config", tmp_path / "t.toml")
    assert _feeds(tmp_path / "t.toml") == [("a", "https://a.example/f")]
    assert "skipped A again: HTTPS://A.EXAMPLE/f is listed twice" in run.out


def test_feed_scheme_addresses_are_added_as_the_http_addresses_they_mean(tmp_path, cli):
    """`feed://host/x` is added as `http://host/x` and `feed:https://host/x` as
    `https://host/x` (feed readers' subscribe links); one already listed is not added twice."""
    opml = tmp_path / "feed-scheme.opml"
    opml.write_text(
        '<opml version="1.0"><body>'
        '<outline text="x3" xmlUrl="feed://example.org/feed.xml"/>'
        '<outline text="secure" xmlUrl="FEED:https://example.org/secure.xml"/>'
        '<outline text="plain" xmlUrl="feed:http://example.net/plain.rss"/>'
        '<outline text="x3 again" xmlUrl="http://example.org/feed.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config = tmp_path / "c.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    assert _feeds(config) == [
        ("x3", "http://example.org/feed.xml"),
        ("secure", "https://example.org/secure.xml"),
        ("plain", "http://example.net/plain.rss"),
    ]
    assert "skipped x3 again: http://example.org/feed.xml is listed twice" in run.out
    assert "not an http(s) address" not in run.out


def test_a_feed_file_is_not_opml_and_the_config_is_untouched(tmp_path, cli, realworld):
    """An RSS file given to `feeds import` is refused (exit 2); the config stays as it was."""
    config = tmp_path / "c.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    rss = next((realworld / "feeds").rglob("*.xml"))
    run = cli("feeds", "import", rss, "--config", config)
    assert run.code == 2
    assert "not an OPML document" in run.err
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_hostile_titles_stay_text_in_toml_and_opml(tmp_path, cli):
    """A title full of TOML and XML syntax becomes a feed name, literally, both ways."""
    title = 'x"]\n[company]\nname = "Evil" <b>&amp;</b> [red]x[/]'
    opml = tmp_path / "h.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="x" title="'
        + title.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        + '" xmlUrl="https://h.example/feed"/></body></opml>',
        encoding="utf-8",
    )
    config = tmp_path / "c.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    assert cli("feeds", "import", opml, "--config", config).code == 0
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["company"] == {"name": "Kestrel"}
    assert data["feeds"][-1]["name"] == " ".join(title.split())
    exported = cli("feeds", "export", "--config", config).out
    assert [f.title for f in parse_opml(exported.encode()).feeds][-1] == " ".join(title.split())


def test_import_without_config_writes_the_user_config(tmp_path, cli):
    """With no --config and no config yet, the feeds go into the user config file."""
    run = cli("feeds", "import", READER_EXPORT)
    assert run.code == 0
    home = Path(__import__("os").environ["XDG_CONFIG_HOME"]) / "echowatch" / "config.toml"
    assert home.is_file()
    assert len(load_config(home).feeds) == 7
    assert str(home) in run.out


def test_feeds_list_shows_each_feed_with_its_health(tmp_path, cli, db_path):
    """`feeds list` names every configured feed and what the collector last saw of it."""
    config = tmp_path / "c.toml"
    assert cli("feeds", "import", READER_EXPORT, "--config", config).code == 0
    with Store.open(db_path) as store, store.writing():
        store.save_source_state(
            SourceState(
                name="Regional-Redaktion",
                kind="rss",
                last_poll_at="2026-11-01T10:00:00Z",
                last_error="HTTP 404 Not Found",
                items_seen=3,
            )
        )
        store.save_source_state(
            SourceState(
                name="Wirtschaft heute",
                kind="rss",
                last_poll_at="2026-11-01T10:00:00Z",
                last_success_at="2026-11-01T10:00:00Z",
                items_seen=12,
            )
        )
    run = cli("feeds", "list", "--config", config, "--db", db_path)
    assert run.code == 0
    assert "Regional-Redaktion  failing: HTTP 404 Not Found" in run.out
    assert "Wirtschaft heute  ok" in run.out
    assert "Union newsletter  never polled" in run.out
    assert "12 items seen" in run.out


def test_importing_an_opml_file_as_an_archive_says_what_to_do(tmp_path, cli, db_path):
    """`import list.opml` explains that OPML is a feed list and names `feeds import`."""
    run = cli("import", READER_EXPORT, "--db", db_path)
    assert run.code == 1
    assert (
        "an OPML feed list, not a feed: add its feeds with `uv run app.py feeds import" in run.err
    )


def test_an_address_with_a_capital_scheme_is_added_like_any_other(tmp_path, cli):
    """`HTTP://` is an http address: the feed is added (its scheme written in lower case),
    the rest of the file too, and a config written by hand with it loads."""
    opml = tmp_path / "caps.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Shouting" type="rss" xmlUrl="HTTP://news.example/Q8.xml"/>'
        '<outline text="Quiet" type="rss" xmlUrl="https://news.example/q9.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config = tmp_path / "echowatch.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    assert _feeds(config) == [
        ("Shouting", "http://news.example/Q8.xml"),
        ("Quiet", "https://news.example/q9.xml"),
    ]
    by_hand = tmp_path / "by_hand.toml"
    by_hand.write_text('[[feeds]]\nname = "caps"\nurl = "HTTPS://news.example/a.xml"\n')
    assert _feeds(by_hand) == [("caps", "HTTPS://news.example/a.xml")]


def test_a_count_of_thousands_is_grouped_as_everywhere_else(tmp_path, cli):
    """`feeds import` of 1,200 feeds says "added 1,200 feeds", grouped like the monitor's
    counts ("2,300 followers"), not "added 1200 feeds"."""
    outlines = "".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="https://f{n}.example/rss"/>'
        for n in range(1200)
    )
    opml = tmp_path / "many.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")
    config = tmp_path / "echowatch.toml"
    run = cli("feeds", "import", opml, "--config", config)
    assert run.code == 0, run.err
    assert f"added 1,200 feeds to {config} (0 already there, 0 skipped)" in run.out
    again = cli("feeds", "import", opml, "--config", config)
    assert "added 0 feeds" in again.out and "(1,200 already there, 0 skipped)" in again.out
