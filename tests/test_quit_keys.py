"""Keys pressed while the monitor is quitting are ignored: it ends cleanly, exit code 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

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
