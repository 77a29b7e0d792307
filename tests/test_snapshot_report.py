"""Snapshot reports: `app.py export --format md|html` of a query, safe with hostile text."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

import cache.export.snapshot_data as snapshot_data
from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import escape_x_text, parse_response
from tests.builders import BASE_TIME, page, tweet, user

HOSTILE_NAME = '"><img src=x onerror=alert(1)> \u202eevil'
HOSTILE_TEXT = (
    "Kestrel strike <script>alert(1)</script> [/] [red]x[/] *bold* _it_ | pipe `tick`"
    "\nsecond line \x1b[2J & &amp; http://evil.example/x"
)


def build_store(db_path: Path, extra_strike_posts: int = 6) -> dict[str, str]:
    """A critical strike post with an ambassador reply and a parody quote, plus filler."""
    critic = user("critic", HOSTILE_NAME)
    anna = user("anna_fc", "Anna – Kestrel FC Ambassador", bio="FC Ambassador at Kestrel")
    parody = user("anna_fc_parody", "Anna (parody)", bio="parody account, not affiliated")
    root = tweet(critic, escape_x_text(HOSTILE_TEXT), at=BASE_TIME)  # as X sends it
    reply = tweet(
        anna,
        "We value every colleague at Kestrel, pay is fair. Liebe Grüße, Anna",
        at=BASE_TIME + timedelta(minutes=4),
        reply_to=root,
    )
    mock = tweet(
        parody, "Kestrel 'values' you, strike on", at=BASE_TIME + timedelta(minutes=9), quotes=reply
    )
    filler = [
        tweet(critic, f"Kestrel strike day, update {i}", at=BASE_TIME - timedelta(hours=i + 1))
        for i in range(extra_strike_posts)
    ]
    plain = tweet(critic, "Kestrel parcel arrived", at=BASE_TIME - timedelta(days=3))
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        payload = page([root, reply, mock, *filler, plain], [critic, anna, parody])
        ingest(store, parse_response(payload, "x:search"), classifier)
    return {"root": root["id"], "reply": reply["id"], "mock": mock["id"]}


class _Collector(HTMLParser):
    """Every tag and attribute of a page, to check what it would load."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page_text: str) -> _Collector:
    collector = _Collector()
    collector.feed(page_text)
    return collector


def test_html_report_escapes_every_hostile_text(cli, db_path: Path, tmp_path: Path) -> None:
    """A post or name with tags, markup or escapes shows as text: no tag, no script."""
    build_store(db_path)
    out = tmp_path / "report.html"
    run = cli("export", "--db", db_path, "--format", "html", "-o", out)
    assert run.code == 0, run.err
    page_text = out.read_text(encoding="utf-8")
    parsed = parse_html(page_text)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [a for a in parsed.attrs if a[1].startswith("on")]
    shown = "".join(parsed.text)
    assert "<script>alert(1)</script>" in shown
    assert '"><img src=x onerror=alert(1)>' in shown
    assert "[red]x[/]" in shown and "[/]" in shown
    assert "\u202e" not in page_text and "\x1b" not in page_text


def test_html_report_is_self_contained_and_fits_a_phone(cli, db_path: Path, tmp_path: Path) -> None:
    """The page loads nothing: no scripts, no external URLs except the posts' own links."""
    ids = build_store(db_path)
    out = tmp_path / "report.html"
    assert cli("export", "--db", db_path, "--format", "html", "-o", out).code == 0
    page_text = out.read_text(encoding="utf-8")
    parsed = parse_html(page_text)
    assert not {"script", "link", "iframe", "object", "embed", "img", "base"} & set(parsed.tags)
    urls = [(tag, name, value) for tag, name, value in parsed.attrs if name in ("src", "href")]
    assert urls, "the posts' own links are there"
    assert all(tag == "a" and name == "href" for tag, name, _ in urls)
    assert all(re.fullmatch(r"https://x\.com/\w+/status/\d+", v) for _, _, v in urls)
    assert f"https://x.com/critic/status/{ids['root']}" in {v for _, _, v in urls}
    assert "evil.example" not in {v for _, _, v in urls}
    assert "@import" not in page_text and "url(" not in page_text
    viewport = [v for t, n, v in parsed.attrs if t == "meta" and n == "content" and "width=" in v]
    assert viewport == ["width=device-width, initial-scale=1"]
    assert "<svg" in page_text and "@media (max-width" in page_text
    assert "default-src 'none'" in page_text


def test_report_states_capture_query_range_topics_threads_and_ambassadors(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """The report names its query and range, counts topics, and shows the thread."""
    build_store(db_path)
    out = tmp_path / "strike.html"
    query = "topic:strikes since:2026-10-01"
    run = cli("export", "--db", db_path, "--format", "html", "--query", query, "-o", out)
    assert run.code == 0, run.err
    parsed = parse_html(out.read_text(encoding="utf-8"))
    shown = " ".join(" ".join(parsed.text).split()).replace("@ ", "@")
    assert "Captured" in shown and query in shown
    assert "from 2026-10-01 02:00 CEST to capture" in shown  # the company zone (Berlin)
    assert "Strikes strikes 8 100%" in shown  # the post, the parody quote, six updates
    assert "ambassador @anna_fc" in shown and "replied after 4 min" in shown
    assert "parody @anna_fc_parody" in shown and "(quote)" in shown
    assert "Ambassadors" in shown and "@anna_fc" in shown
    assert "All 8 mentions, newest first." in shown


def test_markdown_report_escapes_user_text(cli, db_path: Path) -> None:
    """In Markdown a hostile post stays one escaped line: no table break, no HTML."""
    build_store(db_path)
    run = cli("export", "--db", db_path, "--format", "md")
    assert run.code == 0, run.err
    text = run.out
    # The only raw `<` are link destinations `(<https://...>)`: the mention's own address,
    # or an address in the post, linked to exactly what it shows (never escaped inside).
    assert all(text[m.start() - 2 : m.start()] == "](" for m in re.finditer(r"(?<!\\)<", text))
    for label, target in re.findall(r"(?<!\\)\[((?:\\.|[^\\\]])*)\]\(<([^>]*)>\)", text):
        shown = re.sub(r"\\(.)", r"\1", label)
        assert target.startswith("https://x.com/") or shown == target
    assert "[http://evil.example/x](<http://evil.example/x>)" in text
    line = next(li for li in text.splitlines() if "second line" in li and li.startswith("- "))
    # Rendered as a forge renders it, the post reads exactly as written, on one line.
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("gfm-like").render(line)
    assert "<script" not in rendered and "<em>" not in rendered and "<code>" not in rendered
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert " ".join(HOSTILE_TEXT.replace("\x1b[2J", "").split()) in " ".join(shown.split())
    assert "\x1b" not in text and "\u202e" not in text
    assert "<img" not in MarkdownIt("gfm-like").render(text)
    assert '"><img src=x onerror=alert(1)>' in html.unescape(
        re.sub(r"<[^>]+>", "", MarkdownIt("gfm-like").render(text))
    )
    table = [li for li in text.splitlines() if li.startswith("| ")]
    assert all(li.count(" | ") == table[0].count(" | ") for li in table[:3])


def test_markdown_report_has_a_trend_per_topic(cli, db_path: Path) -> None:
    """The topic table gives each topic its count and a text sparkline."""
    build_store(db_path)
    run = cli("export", "--db", db_path, "--format", "md", "--query", "since:2026-11-01")
    assert run.code == 0, run.err
    rows = {li.split(" | ")[0]: li for li in run.out.splitlines() if li.startswith("| ")}
    strikes = next(v for k, v in rows.items() if "Strikes" in k)
    assert " | 8 | " in strikes and re.search("`[▁▂▃▄▅▆▇█ ]+`", strikes)
    assert "Trend: one character per hour" in run.out
    assert "- **Query:** ` since:2026-11-01 `" in run.out


def test_a_long_selection_lists_only_the_newest_and_says_so(
    cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the listing cap the report counts everything but lists the newest only."""
    build_store(db_path, extra_strike_posts=30)
    monkeypatch.setattr(snapshot_data, "LISTED_MENTIONS", 5)
    run = cli("export", "--db", db_path, "--format", "md")
    assert run.code == 0, run.err
    assert "The 5 newest of 34 mentions." in run.out
    listed = [li for li in run.out.split("## Mentions")[1].splitlines() if li.startswith("- ")]
    assert len(listed) == 5


def test_an_empty_selection_still_makes_a_readable_report(cli, db_path: Path) -> None:
    """A query that matches nothing gives a page saying so, not an error."""
    build_store(db_path)
    run = cli("export", "--db", db_path, "--format", "html", "--query", "nothingmatchesthis")
    assert run.code == 0, run.err
    assert "No mentions match this query." in run.out


def test_topic_table_counts_rows_with_untrusted_times_like_all_and_export(
    cli, db_path: Path
) -> None:
    """A strike post dated year 1 is counted in the Strikes row as in All and in
    `export --query topic:strikes`, while the trend charts leave it out."""
    build_store(db_path)
    critic = user("critic", "Critic")
    undated = tweet(critic, "Kestrel strike, date lost", tweet_id="1860000000000000009")
    undated["created_at"] = "0001-01-01T00:00:00.000Z"
    with Store.open(db_path) as store:
        ingest(store, parse_response(page([undated], [critic]), "x:search"), Classifier(Config()))
        assert (
            store.conn.execute("SELECT count(*) FROM mentions WHERE time_flag != ''").fetchone()[0]
            == 1
        )
    exported = cli("export", "--db", db_path, "--format", "csv", "--query", "topic:strikes")
    assert exported.code == 0, exported.err
    strike_rows = len(list(csv.reader(io.StringIO(exported.out)))) - 1
    run = cli("export", "--db", db_path, "--format", "md")
    assert run.code == 0, run.err
    rows = {
        li.split(" | ")[0]: li.split(" | ") for li in run.out.splitlines() if li.startswith("| ")
    }
    strikes = next(v for k, v in rows.items() if "Strikes" in k)
    assert strikes[1] == str(strike_rows) == "9"
    assert next(v for k, v in rows.items() if "All" in k)[1] == "11"
    assert sum(" ▁▂▃▄▅▆▇█".index(c) > 0 for c in strikes[3].strip("` |")) <= 8
