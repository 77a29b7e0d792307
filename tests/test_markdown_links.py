"""Markdown reports render with working links, one time format, and feed authors as names."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import app
from cache.db.store import Store
from cache.export.markdown_text import md_link, md_text

REPORT_TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d UTC\b")
ISO_TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._label = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._label += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, self._label))
            self._href = None


def _links(markdown: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(MarkdownIt("gfm-like").render(markdown))
    return parser.links


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("md") / "demo.db"
    assert app.main(["import", "--demo", "--db", str(path)]) == 0
    return path


def _export(cli, db: Path, *args: str) -> str:
    run = cli("export", "--db", db, "--format", "md", *args)
    assert run.code == 0, run.err
    return str(run.out)


def _stored_urls(db: Path) -> set[str]:
    with Store.open(db, readonly=True) as store:
        return {r[0] for r in store.conn.execute("SELECT url FROM mentions WHERE url != ''")}


@pytest.mark.slow  # builds and reports a whole store
def test_threads_report_links_go_to_the_posts(cli, demo_db: Path) -> None:
    """Every link of the threads report, rendered, opens a stored post's own address."""
    text = _export(cli, demo_db, "--report", "threads")
    links = _links(text)
    assert len(links) > 10
    stored = _stored_urls(demo_db)
    for href, _label in links:
        assert href in stored, href
        assert "%5C" not in href and "\\" not in href


def test_snapshot_report_links_go_to_the_posts(cli, demo_db: Path) -> None:
    """The Markdown snapshot's links, rendered, are the stored addresses, unescaped."""
    text = _export(cli, demo_db, "--query", "topic:strikes")
    links = _links(text)
    own = [href for href, label in links if label == "open"]
    assert own and set(own) <= _stored_urls(demo_db)
    # Addresses written in a post (t.co links) link to exactly what they show.
    in_text = [(href, label) for href, label in links if label != "open"]
    assert in_text and all(href == label and "%5C" not in href for href, label in in_text)


def test_every_markdown_report_writes_times_alike(cli, demo_db: Path) -> None:
    """Snapshot, threads and ambassadors reports all say `2026-11-12 09:14 UTC`, never ISO."""
    for args in ((), ("--report", "threads"), ("--report", "ambassadors")):
        text = _export(cli, demo_db, *args)
        assert REPORT_TIME.search(text), args
        prose = re.sub(r"\(<[^>]*>\)", "", text)  # link targets may hold anything
        assert not ISO_TIME.search(prose), (args, ISO_TIME.search(prose))


@pytest.mark.slow  # builds and reports a whole store
def test_feed_authors_are_names_not_handles(cli, demo_db: Path) -> None:
    """A feed item's author shows as a name ("Tom Reyes"), an X author as @handle."""
    text = _export(cli, demo_db, "--query", "platform:rss")
    with Store.open(demo_db, readonly=True) as store:
        names = {
            r[0] for r in store.conn.execute("SELECT author FROM mentions WHERE platform='rss'")
        }
    shown = MarkdownIt("gfm-like").render(text)
    assert any(f"<strong>{name}</strong>" in shown for name in names if name)
    assert not any(f"@{name}" in shown for name in names if name)
    x_text = MarkdownIt("gfm-like").render(_export(cli, demo_db, "--query", "platform:x"))
    assert re.search(r"<strong>@\w+</strong>", x_text)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/WWU_Millbrook/status/1",
        "https://de.wikipedia.org/wiki/Streik_(Arbeitskampf)",
        "https://example.org/a*b*c?q=[1]&r=<2>",
    ],
)
def test_links_keep_their_address(url: str) -> None:
    """A link's target is the address itself, whatever Markdown characters it holds."""
    (href, label), *_ = _links(md_link(url, "open"))
    assert (href, label) == (
        MarkdownIt().normalizeLink(url.replace("<", "%3C").replace(">", "%3E")),
        "open",
    )
    # An address inside a post becomes a link to exactly itself, up to a `<` or `[` (which
    # no address holds unencoded) and without the full stop after it.
    url = re.split(r"[<\[]", url)[0]
    text = f"Lies das: {url}. Oder nicht."
    links = _links(md_text(text))
    assert [h for h, _ in links] == [MarkdownIt().normalizeLink(url)]


def test_only_web_addresses_become_links() -> None:
    """javascript: and data: addresses stay text; markup in a post stays literal."""
    assert md_link("javascript:alert(1)") == ""
    rendered = MarkdownIt("gfm-like").render(md_text("[x](javascript:alert(1)) <b>*y*</b> @anna"))
    assert "<a" not in rendered and "<b>" not in rendered and "<em>" not in rendered
    assert "[x](javascript:alert(1)) &lt;b&gt;*y*&lt;/b&gt; @anna" in rendered


@pytest.mark.parametrize(
    ("text", "address", "rest"),
    [
        ("[link=http://evil]y[/link]", "http://evil", "[link=http://evil]y[/link]"),
        ("<https://a.example/x>", "https://a.example/x", "<https://a.example/x>"),
        ('"https://a.example/q" says', "https://a.example/q", '"https://a.example/q" says'),
        ("see https://a.example/p.", "https://a.example/p", "see https://a.example/p."),
        ("at http://[2001:db8::1]:8080/x]", "http://[2001:db8::1]:8080/x", None),
    ],
)
def test_an_address_in_a_post_ends_where_an_address_ends(
    text: str, address: str, rest: str | None
) -> None:
    """Brackets, angle brackets, quotes and closing punctuation end an address in a post
    (an IPv6 host keeps its brackets); what follows is shown literally."""
    markdown = md_text(text)
    assert [href for href, _ in _links(markdown)] == [MarkdownIt().normalizeLink(address)]
    assert f"(<{address}>)" in markdown
    shown = re.sub(r"<[^>]+>", "", MarkdownIt("gfm-like").render(markdown)).strip()
    if rest is not None:
        assert html.unescape(shown) == rest
