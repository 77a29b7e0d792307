"""Feed dates written with a European zone name (CET, CEST, MEZ, MESZ, BST, ...) are read in
that zone, by `import` and by `collect` alike; a zone name Echowatch cannot read is named in
a warning, never read as UTC in silence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.feedserver import FeedServer

RSS_DATES = {
    # title: (the item's date element, the UTC time it means)
    "Streik cest": ("<pubDate>Sun, 26 Oct 2025 02:30:00 CEST</pubDate>", "2025-10-26T00:30:00Z"),
    "Streik cet": ("<pubDate>Sun, 26 Oct 2025 02:30:00 CET</pubDate>", "2025-10-26T01:30:00Z"),
    "Streik mez": ("<pubDate>Sat, 01 Nov 2025 10:00:00 MEZ</pubDate>", "2025-11-01T09:00:00Z"),
    "Streik mesz": ("<pubDate>Sat, 25 Oct 2025 23:15 mesz</pubDate>", "2025-10-25T21:15:00Z"),
    "Streik bst": ("<pubDate>Wed, 15 Oct 2025 09:00:00 BST</pubDate>", "2025-10-15T08:00:00Z"),
    "Streik eest": ("<pubDate>Wed, 15 Oct 2025 09:00:00 EEST</pubDate>", "2025-10-15T06:00:00Z"),
    "Streik oez": ("<pubDate>Mon, 01 Dec 2025 12:00:00 OEZ</pubDate>", "2025-12-01T10:00:00Z"),
    "Streik wet": ("<pubDate>Mon, 01 Dec 2025 12:00:00 WET</pubDate>", "2025-12-01T12:00:00Z"),
    "Streik dc": ("<dc:date>2025-10-26 02:30:00 CEST</dc:date>", "2025-10-26T00:30:00Z"),
    "Streik dc T": ("<dc:date>2025-10-26T02:30:00CET</dc:date>", "2025-10-26T01:30:00Z"),
    "Streik asctime": ("<pubDate>Sun Oct 26 02:30:00 CEST 2025</pubDate>", "2025-10-26T00:30:00Z"),
    "Streik gmt+2": ("<pubDate>Sun, 26 Oct 2025 02:30:00 GMT+2</pubDate>", "2025-10-26T00:30:00Z"),
    # Forms that were right before stay right.
    "Streik est": ("<pubDate>Sat, 01 Nov 2025 01:30:00 EST</pubDate>", "2025-11-01T06:30:00Z"),
    "Streik gmt": ("<pubDate>Sat, 01 Nov 2025 10:00:00 GMT</pubDate>", "2025-11-01T10:00:00Z"),
    "Streik offset": ("<pubDate>Sat, 01 Nov 2025 10:00:00 +0100</pubDate>", "2025-11-01T09:00:00Z"),
    "Streik z": ("<dc:date>2025-11-01T10:00:00Z</dc:date>", "2025-11-01T10:00:00Z"),
}


def rss(dates: dict[str, tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>{title}</guid>{element}</item>"
        for title, (element, _) in dates.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Lokalzeitung</title>'
        f"{items}</channel></rss>"
    ).encode()


ATOM = (
    b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    b"<title>Blog</title><id>urn:blog</id><updated>2025-10-26T10:00:00Z</updated>"
    b'<entry><title>Atom cest</title><id>urn:1</id><link href="https://blog.example/1"/>'
    b"<published>2025-10-26T02:30:00 CEST</published>"
    b"<updated>2025-10-26T03:30:00 CET</updated></entry>"
    b'<entry><title>Atom cet</title><id>urn:2</id><link href="https://blog.example/2"/>'
    b"<updated>2025-10-26T02:30:00 CET</updated></entry></feed>"
)
ATOM_TIMES = {"Atom cest": "2025-10-26T00:30:00Z", "Atom cet": "2025-10-26T01:30:00Z"}

UNKNOWN = "Sun, 26 Oct 2025 02:30:00 XYZ"
AMBIGUOUS = "Sun, 26 Oct 2025 08:00:00 IST"  # India, Ireland or Israel: three times
UNREADABLE = {
    "Streik xyz": (f"<pubDate>{UNKNOWN}</pubDate>", ""),
    "Streik ist": (f"<pubDate>{AMBIGUOUS}</pubDate>", ""),
    "Streik xyz updated": (
        f"<pubDate>{UNKNOWN}</pubDate><dc:date>2025-10-26T03:00:00+01:00</dc:date>",
        "2025-10-26T02:00:00Z",
    ),
    "Streik gestern": ("<pubDate>gestern, 14 Uhr</pubDate>", ""),
}


def stored(db_path: Path) -> dict[str, tuple[str, str]]:
    """Title -> (created_at, time_flag) of every stored mention."""
    with Store.open(db_path, readonly=True) as store:
        rows = store.rows("SELECT title, created_at, time_flag FROM mentions")
        return {row["title"]: (row["created_at"], row["time_flag"]) for row in rows}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_import_reads_european_zone_names_in_rss_atom_and_dc_date(
    tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """An imported item dated `02:30:00 CEST` is stored as 00:30 UTC (CET, MEZ, BST... alike)."""
    (tmp_path / "zeitung.xml").write_bytes(rss(RSS_DATES))
    (tmp_path / "blog.xml").write_bytes(ATOM)
    run = cli("import", "--db", db_path, tmp_path / "zeitung.xml", tmp_path / "blog.xml")
    assert run.code == 0, run.err
    assert "warning" not in run.out
    expected = {title: (utc, "") for title, (_, utc) in RSS_DATES.items()}
    expected |= {title: (utc, "") for title, utc in ATOM_TIMES.items()}
    assert stored(db_path) == expected


def test_collect_reads_european_zone_names_of_a_served_feed(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """The live collector reads the same CEST, CET, MEZ... dates as import does."""
    server.feed("/zeitung.xml", rss(RSS_DATES))
    config = tmp_path / "c.toml"
    config.write_text(f'[[feeds]]\nname = "zeitung"\nurl = "{server.url("/zeitung.xml")}"\n')
    run = cli("collect", "--once", "--config", config, "--db", db_path)
    assert run.code == 0, run.err
    assert "warning" not in run.err.lower() and "XYZ" not in run.err
    assert stored(db_path) == {title: (utc, "") for title, (_, utc) in RSS_DATES.items()}


def test_import_names_an_unreadable_zone_and_keeps_the_item_undated(
    tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """`XYZ`, the ambiguous `IST` or no date at all is a warning naming the item and its
    date; the item is stored undated (or at its other, readable date), not at the clock
    time read as UTC."""
    (tmp_path / "zeitung.xml").write_bytes(rss(UNREADABLE))
    run = cli("import", "--db", db_path, tmp_path / "zeitung.xml")
    assert run.code == 0, run.err
    assert (
        f"warning zeitung: item 1: its published date {UNKNOWN!r} names a time zone "
        "Echowatch cannot read (XYZ); stored as undated (the time it was first seen)"
    ) in run.out
    assert f"item 2: its published date {AMBIGUOUS!r} names a time zone" in run.out
    assert (
        f"warning zeitung: item 3: its published date {UNKNOWN!r} names a time zone "
        "Echowatch cannot read (XYZ); dated by its updated date instead"
    ) in run.out
    assert (
        "warning zeitung: item 4: its published date 'gestern, 14 Uhr' cannot be read; "
        "stored as undated (the time it was first seen)"
    ) in run.out
    times = stored(db_path)
    assert times["Streik xyz updated"] == ("2025-10-26T02:00:00Z", "")
    for title in ("Streik xyz", "Streik ist", "Streik gestern"):
        created, flag = times[title]
        assert flag == "undated"
        assert not created.startswith("2025-10-26")


def test_collect_names_an_unreadable_zone_once_per_item(
    server: FeedServer, tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """The collector warns about an item's unreadable zone on the poll that first reads it,
    not again each time the feed changes; the item stays undated."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[feeds]]\nname = "zeitung"\nurl = "{server.url("/zeitung.xml")}"\n')
    unknown = {"Streik xyz": UNREADABLE["Streik xyz"]}
    server.feed("/zeitung.xml", rss(unknown))

    def collect() -> str:
        run = cli("collect", "--once", "--config", config, "--db", db_path)
        assert run.code == 0, run.err
        return run.err

    first = collect()
    assert f"zeitung: item 1: its published date {UNKNOWN!r} names a time zone" in first
    server.feed("/zeitung.xml", rss({"Streik cest": RSS_DATES["Streik cest"]} | unknown))
    second = collect()
    assert "zeitung: 1 new" in second and "XYZ" not in second
    times = stored(db_path)
    assert times["Streik xyz"][1] == "undated"
    assert times["Streik cest"] == ("2025-10-26T00:30:00Z", "")
