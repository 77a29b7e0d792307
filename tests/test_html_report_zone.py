"""The HTML report shows every time in the company's zone, as its "Times" line says: the
capture, the time range, the chart's labels and bars (its days are the zone's days), with
UTC on hover. The Markdown report stays all UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user

POSTS = (
    datetime(2026, 10, 1, 10, 0, tzinfo=UTC),  # the chart reaches no further than the posts
    datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
    # The night Berlin goes back from CEST to CET: 02:30 and 02:50 CEST, 02:10 and 02:30 CET.
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 50, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 10, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 22, 30, tzinfo=UTC),  # 23:30 CET on the 25th in Berlin
    datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # 00:30 CET on the 26th in Berlin
    datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
)
LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,4}\b")


class _Page(HTMLParser):
    """A report's text as a reader sees it, apart from what shows on hover (`<title>`)."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []
        self.hover: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        self.hover.extend(value or "" for name, value in attrs if name == "title")

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""

    def handle_data(self, data: str) -> None:
        if self._tag != "style":
            (self.hover if self._tag == "title" else self.shown).append(data)


@pytest.fixture
def berlin(tmp_path: Path, db_path: Path) -> Path:
    """A store of the posts above and a config whose company is in Europe/Berlin."""
    author = user("critic")
    posts = [tweet(author, f"Kestrel strike {at:%H:%M}", at=at) for at in POSTS]
    with Store.open(db_path) as store:
        ingest(store, parse_response(page(posts, [author]), "x:search"), Classifier(Config()))
    config = tmp_path / "berlin.toml"
    config.write_text('[company]\nname = "Kestrel"\ntimezone = "Europe/Berlin"\n')
    return config


def report(cli: Any, db_path: Path, config: Path, query: str, out: Path) -> _Page:
    run = cli(
        "export", "--db", db_path, "--config", config, "--format", out.suffix[1:],
        "--query", query, "-o", out,
    )  # fmt: skip
    assert run.code == 0, run.err
    parsed = _Page()
    parsed.feed(out.read_text(encoding="utf-8"))
    return parsed


def words(parts: list[str]) -> str:
    """The texts as one line (a text node ends at each tag: `CET` `.` is `CET.`)."""
    return (
        " ".join(" ".join(parts).split()).replace(" .", ".").replace(" )", ")").replace("( ", "(")
    )


def test_every_time_the_html_report_shows_is_in_the_company_zone(
    cli: Any, db_path: Path, tmp_path: Path, berlin: Path
) -> None:
    """Range, chart labels and bars read in Berlin time; UTC is only on hover."""
    shown = report(cli, db_path, berlin, "since:2026-10-24 until:2026-10-25", tmp_path / "r.html")
    text = words(shown.shown)
    zones = {time.rsplit(" ", 1)[1] for time in LOCAL_TIME.findall(text)}
    assert zones == {"CET", "CEST"}, text
    assert "Time range from 2026-10-24 02:00 CEST to 2026-10-26 01:00 CET" in text
    assert "Mentions per hour, 2026-10-24 02:00 CEST to 2026-10-26 00:00 CET." in text
    hover = words(shown.hover)
    assert "2026-10-24 00:00 UTC" in hover and "2026-10-25 23:00 UTC" in hover  # the axis
    # The repeated 02:00 hour is two bars, each saying which 02:00 it is.
    assert "2 in the hour from 2026-10-25 02:00 CEST" in hover
    assert "2 in the hour from 2026-10-25 02:00 CET" in hover


def test_the_capture_is_written_once_in_the_company_zone(
    cli: Any, db_path: Path, tmp_path: Path, berlin: Path
) -> None:
    """A range that runs to the capture names it as the "Captured" line does, not in UTC."""
    text = words(report(cli, db_path, berlin, "since:2026-10-24", tmp_path / "r.html").shown)
    captured = re.search(r"Captured (\S+ \S+ \S+)", text)
    assert captured and captured[1].endswith(("CET", "CEST")), text
    assert f"to capture ({captured[1]})" in text


def test_the_html_charts_days_are_the_company_zones_days(
    cli: Any, db_path: Path, tmp_path: Path, berlin: Path
) -> None:
    """Per day, 23:30 and 00:30 Berlin time fall on two days (they are one UTC day)."""
    shown = report(cli, db_path, berlin, "since:2026-10-01 until:2026-10-31", tmp_path / "r.html")
    assert "Mentions per day, 2026-10-01 00:00 CEST to 2026-10-30 00:00 CET." in words(shown.shown)
    hover = words(shown.hover)
    assert "5 in the day from 2026-10-25 00:00 CEST" in hover
    assert "1 in the day from 2026-10-26 00:00 CET" in hover


def test_the_markdown_report_stays_in_utc(
    cli: Any, db_path: Path, tmp_path: Path, berlin: Path
) -> None:
    """The Markdown report, documented as all UTC, keeps UTC days and UTC labels."""
    report(cli, db_path, berlin, "since:2026-10-01 until:2026-10-31", tmp_path / "r.md")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "from 2026-10-01 00:00 UTC to 2026-10-30 00:00 UTC." in text
    assert not re.search(r"\d\d:\d\d CES?T", text)
