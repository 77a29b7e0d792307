"""Hostile text (markup, escape sequences, bidi overrides) shows literally and does nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from cache.live.poll_report import PollReport
from tests.monitor_scenario import HOSTILE_TEXTS, Scenario, build_store
from tests.tui_helpers import feed_of, make_app, settle, toasts
from tui.detail import DetailScreen
from tui.messages import SourcePolled
from tui.safe_text import clean


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


@pytest.mark.parametrize("hostile", HOSTILE_TEXTS)
def test_clean_drops_controls_and_bidi_overrides_keeps_markup_as_text(hostile: str) -> None:
    """No escape character or bidi override survives; brackets stay as typed."""
    shown = clean(hostile, one_line=True)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert all(ch.isprintable() for ch in shown)
    assert shown.count("[") == hostile.count("[") - hostile.count("\x1b[")


def test_clean_removes_a_whole_escape_sequence_and_osc_titles() -> None:
    """`\\x1b[2J` (clear screen) and an OSC title change disappear entirely."""
    assert clean("clear \x1b[2J screen") == "clear  screen"
    assert clean("a\x1b]0;pwned\x07b") == "ab"
    assert clean("ok\u2066x\u2069\u202ey") == "okxy"


@pytest.mark.pilot
async def test_hostile_posts_show_literally_in_the_feed(scenario: Scenario, tmp_path: Path) -> None:
    """Markup-looking posts keep their brackets, carry no style and no click action."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        expected = {
            "x:1100": "[bold red]x[/] Gehalt",
            "x:1101": "a [/] b",
            "x:1102": "[@click=app.quit]x",
            "x:1103": "clear screen",
            "x:1104": "evil odd text",
        }
        for mention_id, shown in expected.items():
            cell = feed.get_cell(mention_id, "text")
            assert isinstance(cell, Text)
            assert cell.plain == shown
            assert not cell.spans
            author = feed.get_cell(mention_id, "author")
            assert author.plain == "h4x"
        assert feed.get_cell("x:1006", "text").plain == "كيستريل أجور منخفضة pay"


@pytest.mark.pilot
async def test_clicking_a_click_markup_post_does_not_quit(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A post reading `[@click=app.quit]x` is just text: clicking it keeps the app running."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        row = feed.get_row_index("x:1102")
        await pilot.click(feed, offset=(40, row + 1))
        await settle(pilot)
        assert app.is_running
        assert feed.current_id == "x:1102"


@pytest.mark.pilot
async def test_hostile_name_and_bio_show_literally_in_the_detail(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The author's name and bio are shown as typed, with escape sequences removed."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index("x:1100"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = str(app.screen.query_one("#detail-text", Static).render())
        assert text == "[bold red]x[/] Gehalt"
        author = str(app.screen.query_one("#detail-author", Static).render())
        assert "[red]Evil[/] name" in author
        assert "[@click=app.quit]bio" in author
        assert "\x1b" not in author


@pytest.mark.pilot
async def test_source_errors_are_notified_as_text(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error message from a source with markup in it is shown literally."""
    app = make_app(scenario, tmp_path)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)

        error = "[bold red]x[/] \x1b[2J [@click=app.quit]y"
        app.post_message(SourcePolled(PollReport(name="feed", error=error)))
        await settle(pilot)
        # The toast shows the feed's name literally: brackets, no markup, no link.
        (note,) = [text for text in toasts(app) if "feed:" in text]
        assert note.endswith("feed: [bold red]x[/] [@click=app.quit]y")
        assert app.is_running
        assert "feed ✗ [bold red]x[/]" in str(app.query_one("#status", Static).render())
