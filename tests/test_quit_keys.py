"""Keys pressed while the monitor is quitting are ignored: it ends cleanly, exit code 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import make_app, settle
from tui.filter_bar import FilterBar
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def type_at_once(app: MonitorApp, *keys: str) -> None:
    """Queue the keys before the first is handled, as when they are typed within 0.1 s."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


@pytest.mark.parametrize("key", ["v", "s", "a", "e", "p", "exclamation_mark", "question_mark"])
async def test_a_view_key_right_after_q_is_ignored(
    scenario: Scenario, tmp_path: Path, key: str
) -> None:
    """`q` then at once a key that opens a view (views, sources, export...) quits with code 0."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        type_at_once(app, "q", key)
        await pilot.pause()
    assert app.return_code == 0
    assert len(app.screen_stack) <= 1


async def test_a_dialog_asked_for_as_the_monitor_quits_is_not_opened(
    scenario: Scenario, tmp_path: Path
) -> None:
    """ctrl+s in the filter bar, handled after quitting began, opens no dialog: exit code 0."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"strike", "enter")
        await settle(pilot)
        app.exit()
        # The bar's request arrives through its own message queue, which still runs while
        # the app tears down: here it is handled at once, as it can be in a real terminal.
        app.save_view_requested(FilterBar.SaveRequested())
        await pilot.pause()
    assert app.return_code == 0


async def test_slash_right_after_q_quits_instead_of_filtering(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`q` then at once `/` quits: the filter bar does not open, exit code 0."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        type_at_once(app, "q", "slash")
        await pilot.pause()
        assert not app.filter_bar.editing
    assert app.return_code == 0


async def test_q_typed_into_the_filter_stays_text(scenario: Scenario, tmp_path: Path) -> None:
    """`q` in the filter bar is a letter of the query, not quit."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        type_at_once(app, "slash", *"quiet")
        await settle(pilot)
        assert app.is_running
        assert app.filter_bar.editing
        assert app.filter_bar.query_one(Input).value == "quiet"


async def test_q_on_a_screen_over_the_feed_goes_back(scenario: Scenario, tmp_path: Path) -> None:
    """`q` in the ambassadors view goes back to the feed; a second `q` quits."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert len(app.screen_stack) == 2
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
