"""Keys where the reader looks for them: the help says how to close it and its footer
offers only that, the palette offers no panel the monitor's keys cannot close, and the
topic panel moves with the keys of every other list."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, settle, toggle_topic_panel
from tui.dialogs import HelpScreen
from tui.monitor import MonitorApp
from tui.topics_panel import TopicPanel

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


def footer_keys(app: MonitorApp) -> list[tuple[str, str]]:
    return [(k.key_display, k.description) for k in app.screen.query(FooterKey)]


@pytest.mark.parametrize("size", [(120, 40), (80, 24), (40, 12)])
async def test_the_help_footer_offers_the_key_that_closes_it(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """With the help open the footer shows `esc Close` and nothing else; the help says
    which keys close it; the key offered does."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert footer_keys(app) == [("esc", "Close")]
        text = str(app.screen.query_one("#help-text", Static).render())
        assert "escape, q or ? closes this help" in " ".join(text.split())
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        assert ("?", "Help") in footer_keys(app)


async def test_the_palette_offers_no_panel_that_escape_cannot_close(tmp_path: Path) -> None:
    """ctrl+p lists the monitor's own Help, not Textual's key panel (escape did not close
    it, and it listed keys the monitor does not have) nor Maximize (which hides the
    filter, the reading pane and the status line)."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Help" in titles and "Screenshot" in titles
        assert not titles & {"Keys", "Maximize"}
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"keys", "enter")
        await settle(pilot)
        assert not app.screen.query("HelpPanel")


async def test_the_topic_panel_moves_with_j_and_k_and_highlights_on_focus(
    tmp_path: Path,
) -> None:
    """tab into the topic panel highlights a line at once; j/k move like the arrows in
    every other list, and enter chooses the topic highlighted."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await toggle_topic_panel(pilot)
        await pilot.press("tab")
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert app.focused is panel
        assert panel.highlighted == 0  # "All topics"
        await pilot.press("j", "j", "k", "j")
        assert panel.highlighted == 2
        await pilot.press("down", "up")
        assert panel.highlighted == 2
        topic = panel.get_option_at_index(2).id
        await pilot.press("enter")
        await settle(pilot)
        assert app.topic == topic is not None
        await pilot.press("tab")  # back to the panel: the chosen topic is highlighted
        await settle(pilot)
        for _ in range(4):  # round the focus chain: filter bar, feed, panel
            if app.focused is panel:
                break
            await pilot.press("tab")
        assert app.focused is panel
        assert panel.highlighted == 2
