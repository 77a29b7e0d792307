"""The footer: every key a screen shows there fits whole at 120 and at 80 columns, and the
filter bar's footer names the keys that work while typing a filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.monitor_scenario import build_store
from tests.test_monitor_saved_views import make_app as make_app_with_views
from tests.tui_helpers import feed_of, make_app, settle
from tui.account_view import AccountScreen
from tui.monitor import MonitorApp
from tui.thread_rows import AUTHOR, walk_rows
from tui.topics_panel import TopicPanel

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def footer_entries(app: MonitorApp) -> list[tuple[str, str, int]]:
    """(key, label, cells) of each footer entry on the screen shown."""
    footer = app.screen.query_one(Footer)
    return [(k.key, k.description, k.outer_size.width) for k in footer.query(FooterKey)]


def assert_fits(app: MonitorApp, where: str) -> None:
    footer = app.screen.query_one(Footer)
    entries = footer_entries(app)
    used = sum(width for _, _, width in entries)
    assert used <= footer.size.width, (where, used, entries)


async def open_first(pilot: Pilot[None], app: MonitorApp, kind: str) -> None:
    """In the thread view, put the focus on the first row of `kind` and open it."""
    row = next(r for r in walk_rows(app.screen) if r.kind == kind)
    app.screen.set_focus(row)
    await pilot.press("enter")
    await settle(pilot)


async def test_every_screens_footer_fits_at_120_columns(tmp_path: Path) -> None:
    """At 120 columns no footer entry is cut: the feed, a post and its thread, an author's
    page and every list (saved views among them), paused (`Resume` is the longer word)."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app_with_views(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert_fits(app, "feed")
        for key in ("a", "p", "s", "v", "exclamation_mark"):
            await pilot.press(key)
            await settle(pilot)
            assert_fits(app, key)
            await pilot.press("escape")
            await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(scenario.critical_id))
        await pilot.press("enter")
        await settle(pilot)
        assert_fits(app, "post")
        await open_first(pilot, app, AUTHOR)
        assert isinstance(app.screen, AccountScreen)
        assert_fits(app, "author")


async def test_every_screens_footer_fits_whole_at_80_columns(tmp_path: Path) -> None:
    """At 80x24 each screen's footer shows whole keys from the left, `?` among them, and no
    key cut in the middle; widening to 120 columns brings back the keys left out."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app_with_views(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        narrow = [key for key, _, _ in footer_entries(app)]
        assert_fits(app, "feed")
        assert "question_mark" in narrow and "ctrl+p" not in narrow
        for key in ("a", "p", "s", "v", "exclamation_mark"):
            await pilot.press(key)
            await settle(pilot)
            assert_fits(app, key)
            assert "question_mark" in [k for k, _, _ in footer_entries(app)], key
            await pilot.press("escape")
            await settle(pilot)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        wide = [key for key, _, _ in footer_entries(app)]
        assert wide[: len(narrow)] == narrow and {"e", "ctrl+p"} <= set(wide), (narrow, wide)


async def test_the_filter_bar_footer_names_its_keys(tmp_path: Path) -> None:
    """While typing a filter the footer offers enter, escape and ctrl+s (save as view), and
    no longer `/`, which is typed as text there."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        keys = {key for key, _, _ in footer_entries(app)}
        assert {"enter", "escape", "ctrl+s"} <= keys, footer_entries(app)
        assert "slash" not in keys
        assert_fits(app, "filter bar")
        await pilot.press("escape")
        await settle(pilot)
        assert "slash" in {key for key, _, _ in footer_entries(app)}


async def test_keys_left_out_of_a_views_footer_still_work_there(tmp_path: Path) -> None:
    """On a post's view `space` still pauses and resumes the feed, `t` still changes the
    topic window, though that footer leaves them out for the view's own keys."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        labels = {label for _, label, _ in footer_entries(app)}
        assert not labels & {"Pause", "Resume", "1h/24h/7d", "Export"}
        await pilot.press("space")
        assert app.paused
        await pilot.press("space")
        assert not app.paused
        window = app.query_one(TopicPanel).window_name
        await pilot.press("t")
        await settle(pilot)
        assert app.query_one(TopicPanel).window_name != window
