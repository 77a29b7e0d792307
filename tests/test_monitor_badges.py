"""Ambassador signals in the monitor: badges in the ambassador list, the feed and threads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sources.model.config import SignalsSection
from tests.monitor_scenario import Programme, build_programme_store, store_tobias_pay_reply
from tests.tui_helpers import feed_of, make_app, open_detail_of, settle, text_of, toasts
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.messages import MentionsStored
from tui.monitor import MonitorApp
from tui.views import AmbassadorsScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def programme(tmp_path: Path) -> Programme:
    return build_programme_store(tmp_path / "store.db")


def topics_cell(app: MonitorApp, mention_id: str) -> str:
    return str(feed_of(app).get_cell(mention_id, "topics"))


async def open_ambassadors(app: MonitorApp, pilot: Pilot[None]) -> AmbassadorsScreen:
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(app.screen, AmbassadorsScreen)
    return app.screen


async def test_feed_marks_co_replies_text_blocks_and_foreign_signoffs(
    programme: Programme, tmp_path: Path
) -> None:
    """Scripted replies carry a ⚠ marker in the feed; the advocate's own words carry none."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert topics_cell(app, programme.jana_pay_id).startswith("⚠co #1 sig")
        assert topics_cell(app, programme.tobias_pay_id).startswith("⚠co #1")
        assert topics_cell(app, programme.jana_strike_id).startswith("⚠co")
        assert "⚠" not in topics_cell(app, programme.carmen_reply_id)
        assert "⚠" not in topics_cell(app, programme.pay_post_id)
        known = feed_of(app).known[programme.jana_pay_id]
        assert known.badges == (
            "co-reply 40 s with @KestrelTobias",
            "text block #1",
            "signed: Katrin (not own name)",
        )


async def test_a_later_reply_marks_the_earlier_one_as_co_reply(tmp_path: Path) -> None:
    """When a second ambassador answers 40 s later, the first reply's marker follows."""
    programme = build_programme_store(tmp_path / "store.db", leave_out_tobias_pay=True)
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert topics_cell(app, programme.jana_pay_id).startswith("⚠sig")
        new_ids = store_tobias_pay_reply(programme.path)
        app.post_message(MentionsStored(new_ids))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert programme.tobias_pay_id in feed_of(app).row_ids
        assert topics_cell(app, programme.jana_pay_id).startswith("⚠co #1 sig")
        assert topics_cell(app, programme.tobias_pay_id).startswith("⚠co #1")


async def test_thread_view_shows_each_replys_badges_in_full(
    programme: Programme, tmp_path: Path
) -> None:
    """Under each ambassador reply of a thread: its co-reply partner and time, block, signer."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, programme.pay_post_id)
        await settle(pilot)
        shown = [
            str(w.render()) for w in screen.query(".thread-badges").results(Static) if w.display
        ]
        assert shown == [
            "⚠ co-reply 40 s with @KestrelTobias · text block #1 · signed: Katrin (not own name)"
            "  (enter: every reply using text block #1)",
            "⚠ co-reply 40 s with @KestrelJana · text block #1"
            "  (enter: every reply using text block #1)",
            "· signed: Carmen",
        ]


async def test_detail_of_a_reply_shows_its_own_badges(programme: Programme, tmp_path: Path) -> None:
    """Opening an ambassador reply shows its badges right under its text."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, programme.tobias_strike_id)
        await settle(pilot)
        assert text_of(screen, ".mention-badges") == "⚠ co-reply 20 s with @KestrelJana"


async def test_ambassador_view_separates_scripted_accounts_from_the_advocate(
    programme: Programme, tmp_path: Path
) -> None:
    """Scripted accounts show their warnings as badges; the disclosed advocate shows none."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_ambassadors(app, pilot)
        table = screen.query_one(DataTable)
        signals = {str(k.value): str(table.get_row(k)[3]) for k in table.rows}
        assert signals["x:211"] == (
            "⚠ co-reply ×2  ⚠ text block #1  ⚠ signed Katrin  ⚠ no audience"
        )
        assert signals["x:212"] == "⚠ co-reply ×2  ⚠ text block #1  ⚠ no audience"
        assert signals["x:213"] == "✓ disclosed"
        table.move_cursor(row=table.get_row_index("x:213"))
        await pilot.pause()
        panel = text_of(screen, "#list-detail-text")
        assert "⚠" not in panel and "discloses role (profile)" in panel


async def test_ambassador_view_keeps_every_warning_at_80_columns(
    programme: Programme, tmp_path: Path
) -> None:
    """At 80x24 the badges wrap inside their column instead of running off the screen."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_ambassadors(app, pilot)
        table = screen.query_one(DataTable)
        width = table.columns["signals"].width  # type: ignore[index]
        jana = str(table.get_row("x:211")[3])
        assert "⚠ signed Katrin" in jana and "⚠ no audience" in jana
        assert all(len(line) <= width for line in jana.split("\n"))
        assert table.virtual_size.width <= 80


async def test_a_bad_signals_setting_leaves_the_feed_working(
    programme: Programme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An impossible [signals] threshold is said once; the feed still lists everything."""
    broken = replace(
        programme,
        config=replace(programme.config, signals=SignalsSection(near_duplicate_jaccard=1.5)),
    )
    app = make_app(broken, tmp_path)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await settle(pilot)
        assert programme.jana_pay_id in feed_of(app).row_ids
        assert "⚠" not in topics_cell(app, programme.jana_pay_id)
        app.reload_feed()
        await settle(pilot)
        notes = [text for text in toasts(app) if "No ambassador badges" in text]
        assert len(notes) == 1 and "near_duplicate_jaccard" in notes[0]
        assert app.is_running


async def test_ambassador_view_follows_replies_as_they_arrive(tmp_path: Path) -> None:
    """With the view open, a new scripted reply updates the badges without pressing r."""
    programme = build_programme_store(tmp_path / "store.db", leave_out_tobias_pay=True)
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_ambassadors(app, pilot)
        table = screen.query_one(DataTable)
        assert str(table.get_row("x:212")[3]) == "⚠ no audience"
        app.post_message(MentionsStored(store_tobias_pay_reply(programme.path)))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        row = str(table.get_row("x:212")[3])
        assert row == "⚠ co-reply ×2  ⚠ text block #1  ⚠ no audience"


async def test_signals_of_an_account_fit_80_columns(programme: Programme, tmp_path: Path) -> None:
    """Enter on an account at 80x24 opens its signals; the heat map rows do not wrap."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_ambassadors(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AmbassadorDetailScreen)
        grid = app.screen.query_one("#heatmap", Static)
        lines = str(grid.render()).splitlines()
        assert len(lines) == 8  # hours + 7 weekdays, none wrapped
        assert max(len(line) for line in lines) <= grid.content_region.width


async def test_latest_replies_wrap_indented_under_their_first_line(
    programme: Programme, tmp_path: Path
) -> None:
    """At 50 columns each latest reply wraps within the pane, its further lines indented."""
    app = make_app(programme, tmp_path)
    async with app.run_test(size=(50, 40)) as pilot:
        await settle(pilot)
        screen = await open_ambassadors(app, pilot)
        pane = screen.query_one("#list-detail-text", Static)
        panel = str(pane.render()).splitlines()
        start = next(i for i, line in enumerate(panel) if line.startswith("Latest replies"))
        entries = panel[start + 1 :]
        assert entries and all(len(line) <= pane.size.width for line in entries)
        assert any(line.startswith("    ") for line in entries)
        assert all(line.startswith("  ") for line in entries)
