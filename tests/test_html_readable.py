"""The HTML snapshot on a laptop and a phone: ambassador findings first, local times."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import app
from sources.demo import demo_config_path
from sources.model.config import load_config


class _Sections(HTMLParser):
    """The start tags inside each <section id=...>, and the <time> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.tags: dict[str, list[str]] = {}
        self.times: list[tuple[dict[str, str | None], str]] = []
        self._time: dict[str, str | None] | None = None
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        self.tags.setdefault(self.section, []).append(tag)
        if tag == "time":
            self._time = dict(attrs)

    def handle_data(self, data: str) -> None:
        self.text.setdefault(self.section, []).append(data)
        if self._time is not None:
            self.times.append((self._time, data))
            self._time = None


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> _Sections:
    folder = tmp_path_factory.mktemp("html")
    db, out = folder / "demo.db", folder / "r.html"
    assert app.main(["import", "--demo", "--db", str(db)]) == 0
    assert app.main(["export", "--db", str(db), "--format", "html", "-o", str(out)]) == 0
    parsed = _Sections()
    parsed.feed(Path(out).read_text(encoding="utf-8"))
    return parsed


def test_ambassador_findings_are_cards_not_a_wide_table(page: _Sections) -> None:
    """No sideways-scrolling table: each ambassador is a card that wraps on any width."""
    tags = page.tags["ambassadors"]
    assert "table" not in tags
    assert tags.count("article") >= 6


def test_warnings_come_before_the_figures(page: _Sections) -> None:
    """In each card, Warnings, Disclosed and Topics avoided are read first."""
    text = " ".join("".join(page.text["ambassadors"]).split())
    cards = text.split("Warnings")[1:]  # each card's text from its first figure on
    assert len(cards) >= 6
    for card in cards:
        assert card.index("Disclosed") < card.index("Topics avoided") < card.index("Replies")


def test_times_are_local_with_utc_on_hover(page: _Sections) -> None:
    """Times show in the company's zone; the title gives the same moment in UTC."""
    zone = ZoneInfo(load_config(demo_config_path()).company.timezone)
    assert len(page.times) > 100
    for attrs, shown in page.times:
        moment = datetime.fromisoformat(str(attrs["datetime"]).replace("Z", "+00:00"))
        assert attrs["title"] == moment.strftime("%Y-%m-%d %H:%M UTC")
        assert shown == moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def test_feed_authors_have_no_at_sign(page: _Sections) -> None:
    """Feed items in the list name their author plainly ("Tom Reyes", not "@Tom Reyes")."""
    text = "".join(page.text["mentions"])
    assert "Tom Reyes" in text or "Alicia Grant" in text
    assert not re.search(r"@(Tom Reyes|Alicia Grant|Opinion desk)", text)
