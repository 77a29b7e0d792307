"""What a reader keeps in the monitor: stars and read marks that survive a restart, `is:`
filters, the unread count, copying a post's link and opening it without a browser."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.monitor_scenario import Scenario, build_store
from tests.tui_helpers import feed_of, filter_line_of, make_app, settle, status_of
from tui.monitor import MonitorApp

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

SAFETY_ID = "x:1004"
"""The post about an injury at the warehouse (no thread, no link clicked)."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until `condition` holds (its workers and timers, not a fixed sleep)."""
    for _ in range(200):
        await settle(pilot)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")


def source_cell(app: MonitorApp, mention_id: str) -> str:
    return str(feed_of(app).get_cell(mention_id, "src"))


def toasts(app: MonitorApp) -> list[str]:
    return [n.message for n in app._notifications]


async def go_to(pilot: Pilot[None], app: MonitorApp, mention_id: str) -> None:
    feed = feed_of(app)
    feed.move_cursor(row=feed.get_row_index(mention_id))
    await settle(pilot)


async def test_a_star_is_still_there_after_a_restart(scenario: Scenario, tmp_path: Path) -> None:
    """Star a post with `*`, quit, start again on the same store: the post is still starred."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.critical_id)
        assert "★" not in source_cell(app, scenario.critical_id)
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: any("Starred" in t for t in toasts(app)))
        assert "★" in source_cell(app, scenario.critical_id)
    again = make_app(scenario, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert feed_of(again).known[scenario.critical_id].starred
        assert "★" in source_cell(again, scenario.critical_id)
        starred = [i for i, row in feed_of(again).known.items() if row.starred]
        assert starred == [scenario.critical_id]
        await go_to(pilot, again, scenario.critical_id)
        await pilot.press("asterisk")  # and a second press takes the star back
        await wait_until(pilot, lambda: any("Unstarred" in t for t in toasts(again)))
        assert not feed_of(again).known[scenario.critical_id].starred


async def test_is_starred_and_is_unread_filter_the_feed(scenario: Scenario, tmp_path: Path) -> None:
    """`is:starred` shows the starred post only; `is:unread` leaves out the one marked read."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everything = set(feed_of(app).row_ids)
        await go_to(pilot, app, scenario.parody_id)
        await pilot.press("asterisk", "m")
        await wait_until(pilot, lambda: "Starred" in " ".join(toasts(app)))
        assert app.apply_filter("is:starred")
        await wait_until(pilot, lambda: feed_of(app).row_ids == [scenario.parody_id])
        assert "1 match" in filter_line_of(app)
        assert app.apply_filter("is:unread")
        await wait_until(pilot, lambda: len(feed_of(app).row_ids) == len(everything) - 1)
        assert set(feed_of(app).row_ids) == everything - {scenario.parody_id}


async def test_read_marks_and_the_unread_count(scenario: Scenario, tmp_path: Path) -> None:
    """Every post starts unread (•); `m` marks one read and the status line counts one less."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        total = len(feed_of(app).row_ids)
        await wait_until(pilot, lambda: f"{total} unread" in status_of(app))
        assert "•" in source_cell(app, scenario.tom_reply_id)
        await go_to(pilot, app, scenario.tom_reply_id)
        await pilot.press("m")
        await wait_until(pilot, lambda: f"{total - 1} unread" in status_of(app))
        assert "•" not in source_cell(app, scenario.tom_reply_id)
        await pilot.press("m")  # back to unread
        await wait_until(pilot, lambda: f"{total} unread" in status_of(app))
        assert "•" in source_cell(app, scenario.tom_reply_id)


async def test_a_post_resting_in_the_reading_pane_becomes_read(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A post the reader moved to is read once it stayed in the reading pane; the newest
    post, where the cursor starts (and follows arrivals), and the others stay unread."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.reader_marks.read_after = 0.05
        await settle(pilot)
        newest = feed_of(app).row_ids[0]
        await pilot.pause(0.3)  # six times the dwell: the cursor sat there, nobody moved it
        assert not feed_of(app).known[newest].read
        await go_to(pilot, app, scenario.lena_reply_id)
        await wait_until(pilot, lambda: feed_of(app).known[scenario.lena_reply_id].read)
        assert not feed_of(app).known[scenario.tom_reply_id].read
        assert "•" not in source_cell(app, scenario.lena_reply_id)
    again = make_app(scenario, tmp_path)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert feed_of(again).known[scenario.lena_reply_id].read


async def test_enter_marks_the_post_read(scenario: Scenario, tmp_path: Path) -> None:
    """Opening a post in full counts as reading it."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, SAFETY_ID)
        await pilot.press("enter")
        await wait_until(pilot, lambda: feed_of(app).known[SAFETY_ID].read)


async def test_y_copies_the_link_and_says_so(scenario: Scenario, tmp_path: Path) -> None:
    """`y` puts the post's link on the clipboard (OSC 52) and a toast names it."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.critical_id)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "https://x.com/anna_k/status/1000"
        assert "Copied link https://x.com/anna_k/status/1000" in toasts(app)


async def test_o_without_a_browser_says_so_and_copies_the_link(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no browser on the machine `o` says so (not "Opening …") and copies the link."""
    empty = tmp_path / "bin"
    empty.mkdir()
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PATH", str(empty))
    # webbrowser looks for browsers once per process: make it look again, here.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.critical_id)
        await pilot.press("o")
        await settle(pilot)
        shown = toasts(app)
        assert not any(t.startswith("Opening") for t in shown), shown
        assert any(t.startswith("No browser found") for t in shown), shown
        assert app.clipboard == "https://x.com/anna_k/status/1000"


async def test_keys_about_a_post_work_on_the_post_opened(
    scenario: Scenario, tmp_path: Path
) -> None:
    """In a post's own view `*` stars that post; in a list of accounts the key is not offered."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.tom_reply_id)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: feed_of(app).known[scenario.tom_reply_id].starred)
        await pilot.press("escape", "a")
        await settle(pilot)
        assert app.check_action("toggle_star", ()) is False
        await pilot.press("asterisk")
        await settle(pilot)
        assert [i for i, row in feed_of(app).known.items() if row.starred] == [
            scenario.tom_reply_id
        ]


async def test_a_store_that_cannot_be_written_keeps_the_marks_and_says_why(
    scenario: Scenario, tmp_path: Path
) -> None:
    """When the star cannot be stored, the row shows no star and a toast says why."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.critical_id)
        scenario.path.rename(tmp_path / "moved.db")  # the store went away under the monitor
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: any("Marks are not saved" in t for t in toasts(app)))
        assert not feed_of(app).known[scenario.critical_id].starred
        assert "★" not in source_cell(app, scenario.critical_id)
        assert app.is_running


async def test_a_starred_post_still_shows_whether_it_is_read(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A starred unread post shows both `★` and `•`; `m` takes the `•` away and the star stays."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await go_to(pilot, app, scenario.tom_reply_id)
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: any("Starred" in t for t in toasts(app)))
        unread_starred = source_cell(app, scenario.tom_reply_id)
        assert "★" in unread_starred and "•" in unread_starred
        await pilot.press("m")
        await wait_until(pilot, lambda: feed_of(app).known[scenario.tom_reply_id].read)
        read_starred = source_cell(app, scenario.tom_reply_id)
        assert "★" in read_starred and "•" not in read_starred
        assert read_starred.endswith("X") and unread_starred.endswith("X")
