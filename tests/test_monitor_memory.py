"""A monitor left open keeps its memory bounded: polls that bring nothing new, and keys
that change the footer back and forth, leave no widgets behind."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from cache.live.poll_report import PollReport
from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, one_check, settle
from tui.messages import SourcePolled
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

ROUNDS = 15


def footer_keys_alive() -> int:
    """Footer keys still held in memory anywhere (on screen or not)."""
    gc.collect()
    return sum(isinstance(o, FooterKey) for o in gc.get_objects())


def shown_footer_keys(app: MonitorApp) -> int:
    return len(app.screen.query(FooterKey))


@pytest.mark.parametrize("width", [120, 80])
async def test_polls_that_bring_nothing_leave_no_footer_keys_behind(
    tmp_path: Path, width: int
) -> None:
    """Poll after poll with nothing new, the footer's keys in memory stay as many as shown."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path, mode="live")
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        shown, before = shown_footer_keys(app), footer_keys_alive()
        for _ in range(ROUNDS):
            app.post_message(SourcePolled(PollReport("fa")))  # what each poll reports
            await one_check(app, pilot)
        assert shown_footer_keys(app) == shown
        assert footer_keys_alive() <= before + shown, "each poll left footer keys behind"


async def test_keys_that_change_the_footer_leave_no_keys_behind(tmp_path: Path) -> None:
    """Pausing and resuming again and again (Pause, then Resume in the footer) keeps only
    the footer's current keys in memory, not every footer shown before."""
    app = make_app(build_store(tmp_path / "store.db"), tmp_path, mode="live")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        shown, before = shown_footer_keys(app), footer_keys_alive()
        for _ in range(ROUNDS):
            await pilot.press("space")
            await settle(pilot)
        assert "Resume" in [k.description for k in app.screen.query(FooterKey)]
        assert footer_keys_alive() <= before + shown, "each change left footer keys behind"
