"""Reading in the monitor: the selected post in full beside or under the list, times of day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from cache.db.store import Store
from cache.read.monitor_queries import count_matching
from cache.read.selection import Selection
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from tests.builders import rss
from tests.monitor_scenario import CONFIG, HOSTILE_TEXTS, NOW, Scenario, arrivals, build_store
from tests.test_monitor_outside_writes import offline_app
from tests.tui_helpers import feed_of, filter_line_of, make_app, settle, status_of
from tui import timefmt
from tui.dialogs import HelpScreen
from tui.messages import MentionsStored
from tui.reading import NewAboveMarker, PreviewPane
from tui.safe_text import clean
from tui.topics_panel import TopicPanel


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def preview_text(app) -> str:
    pane = app.query_one(PreviewPane)
    return str(pane.body.render())


@pytest.mark.pilot
async def test_the_selected_post_shows_in_full_under_the_list(
    scenario: Scenario, tmp_path: Path
) -> None:
    """At 120x40 the post under the cursor is shown whole, with author, role and reason."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(scenario.lena_reply_id))
        await settle(pilot)
        shown = preview_text(app)
        assert "@KestrelLena" in shown
        assert "role: ambassador" in shown
        assert "faire Löhne und tolle Benefits! #Markenbotschafter" in shown
        # The head of its thread: the critical post it answered.
        assert "critical post" in shown and "@anna_k" in shown
        assert app.query_one("#reader").has_class("-stacked")
        pane, table = app.query_one(PreviewPane).region, feed.region
        assert pane.y >= table.bottom  # under the list, not over it


@pytest.mark.pilot
async def test_moving_the_cursor_changes_the_post_shown(scenario: Scenario, tmp_path: Path) -> None:
    """The pane follows the cursor: the next row's post replaces the previous one."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        first, second = feed.row_ids[:2]
        assert app.query_one(PreviewPane).mention_id == first
        await pilot.press("down")
        await settle(pilot)
        assert app.query_one(PreviewPane).mention_id == second


@pytest.mark.pilot
async def test_a_wide_terminal_puts_the_post_beside_the_list(
    scenario: Scenario, tmp_path: Path
) -> None:
    """From 140 columns the post sits to the right of the list."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        assert app.query_one("#reader").has_class("-side")
        pane, table = app.query_one(PreviewPane).region, feed_of(app).region
        assert pane.x >= table.right and pane.y == table.y


@pytest.mark.pilot
async def test_at_120_columns_a_reader_sees_60_characters_of_each_post(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The list takes the width: the topic panel gives it back and the text column is wide."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.query_one(TopicPanel).display
        assert feed_of(app).columns["text"].width >= 60  # type: ignore[index]


@pytest.mark.pilot
async def test_a_wide_terminal_shows_topic_labels_whole(scenario: Scenario, tmp_path: Path) -> None:
    """At 200 columns the topic panel is there and no label is cut to a stub."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert panel.display
        lines = [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]
        for label in panel.labels.values():
            assert any(label in line for line in lines), (label, lines)


@pytest.mark.pilot
async def test_hostile_posts_show_literally_in_the_pane(scenario: Scenario, tmp_path: Path) -> None:
    """Markup and escape sequences in a post or a name are shown as text and do nothing."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        for mention_id, text in zip(scenario.hostile_ids, HOSTILE_TEXTS, strict=True):
            feed.move_cursor(row=feed.get_row_index(mention_id))
            await settle(pilot)
            shown = preview_text(app)
            assert clean(text) in shown
            assert "\x1b" not in shown
        assert app.is_running


def test_times_always_show_the_time_of_day() -> None:
    """Today `23:45`, this week `Tue 23:45`, older `01 Dec 23:45`, another year with it."""
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # a Saturday
    assert timefmt.when(now - timedelta(minutes=15), now, UTC) == "01:45"
    assert timefmt.when(now - timedelta(hours=3), now, UTC) == "Fri 23:00"
    assert timefmt.when("2026-12-01T23:45:00Z", now, UTC) == "Tue 23:45"
    assert timefmt.when("2026-11-28T08:05:00Z", now, UTC) == "28 Nov 08:05"
    assert timefmt.when("2025-12-24T18:00:00Z", now, UTC) == "24 Dec 2025 18:00"
    assert timefmt.when(None, now, UTC) == "time unknown"


def test_times_are_local_and_the_zone_is_named() -> None:
    """A reader in UTC+1 sees the local hour and the header says which zone it is."""
    cet = timezone(timedelta(hours=1), "CET")
    now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert timefmt.when("2026-12-04T23:30:00Z", now, cet) == "00:30"
    assert timefmt.zone_label(now, cet) == "times in CET (UTC+01:00)"
    assert timefmt.zone_label(now, UTC) == "times in UTC"


@pytest.mark.pilot
async def test_the_feed_shows_time_of_day_and_the_header_names_the_zone(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Rows from yesterday keep their time of day; the header says the times are UTC."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        cell = feed.get_cell(scenario.critical_id, "time")
        assert str(cell) == timefmt.when(NOW - timedelta(hours=4), NOW, UTC) == "08:00"
        assert "times in UTC" in app.sub_title


@pytest.mark.pilot
async def test_j_k_g_and_G_move_like_a_reader_expects(scenario: Scenario, tmp_path: Path) -> None:
    """j/k move one row, G/End go to the oldest row, g/Home back to the newest."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        await pilot.press("j", "j", "k")
        assert feed.cursor_row == 1
        await pilot.press("G")
        assert feed.cursor_row == feed.row_count - 1
        await pilot.press("g")
        assert feed.cursor_row == 0
        await pilot.press("end")
        assert feed.cursor_row == feed.row_count - 1
        await pilot.press("home")
        assert feed.cursor_row == 0


@pytest.mark.pilot
async def test_a_moved_cursor_stays_put_and_counts_what_arrived_above(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Down in the feed, arrivals keep the cursor's line on screen and say "3 new above"."""
    app = make_app(build_store(tmp_path / "long.db", filler=60), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        await pilot.press("j", "j", "j")
        watched, line = feed.current_id, feed.cursor_row - int(feed.scroll_y)
        app.post_message(MentionsStored(arrivals(tmp_path / "long.db", 3)))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed.current_id == watched
        assert feed.cursor_row - int(feed.scroll_y) == line
        marker = app.query_one(NewAboveMarker)
        assert marker.display and "3 new above" in str(marker.render())
        await pilot.press("g")
        await settle(pilot)
        assert not marker.display


@pytest.mark.pilot
async def test_at_the_top_the_cursor_follows_the_newest(scenario: Scenario, tmp_path: Path) -> None:
    """On the newest row the cursor moves to each new arrival and nothing is counted."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        new_ids = arrivals(scenario.path, 2)
        app.post_message(MentionsStored(new_ids))
        await settle(pilot)
        app.flush_arrivals()
        await settle(pilot)
        assert feed.cursor_row == 0 and feed.current_id == max(new_ids)
        app.refresh_topics()  # the 5 s tick that counts the matches again
        await settle(pilot)
        assert "no filter · 14 mentions" in filter_line_of(app)
        assert not app.query_one(NewAboveMarker).display
        assert app.query_one(PreviewPane).mention_id == max(new_ids)


@pytest.mark.pilot
async def test_a_new_filter_says_searching_until_its_rows_arrive(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The filter line says "searching…" over the old rows; then the rows and the count."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everything = feed_of(app).row_ids
        assert "no filter · 12 mentions" in filter_line_of(app)
        assert app.apply_filter("role:ambassador")
        assert "searching… role:ambassador" in filter_line_of(app)
        assert feed_of(app).row_ids == everything
        await settle(pilot)
        assert set(feed_of(app).row_ids) == {scenario.lena_reply_id, scenario.tom_reply_id}
        assert "filter: role:ambassador · 2 matches " in filter_line_of(app)


@pytest.mark.pilot
async def test_a_store_of_one_mention_counts_it_in_the_singular(tmp_path: Path) -> None:
    """A store holding one mention says `no filter · 1 mention`, not `1 mentions`."""
    path = tmp_path / "one.db"
    feed = rss("Lagerforum", [{"title": "Kestrel Streik", "link": "https://l.example/1"}])
    with Store.open(path) as store:
        ingest(store, parse_feed(feed, "lagerforum", seen_at=NOW), Classifier(CONFIG))
    app = offline_app(path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "no filter · 1 mention · / to filter" in filter_line_of(app)


@pytest.mark.pilot
async def test_a_filter_without_result_says_so(scenario: Scenario, tmp_path: Path) -> None:
    """An empty result names the filter instead of showing a bare, empty table."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zebracrossing", "enter")
        await settle(pilot)
        assert feed_of(app).row_count == 0
        assert "filter: zebracrossing · no mentions match " in filter_line_of(app)
        assert "No mentions match zebracrossing." in preview_text(app)


@pytest.mark.pilot
async def test_keys_typed_at_once_after_slash_all_go_into_the_filter(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`/` and a query arriving in one burst (a paste, a fast typist over ssh) all land in
    the filter: none of its letters runs a monitor key (`a` would open the ambassadors)."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ["slash", *"role:ambassador", "enter"]:
            app.simulate_key(key)  # queued together, nothing handled in between
        await settle(pilot)
        assert app.screen is app.screen_stack[0]
        assert app.filter_text == "role:ambassador"
        assert "filter: role:ambassador" in filter_line_of(app)


@pytest.mark.pilot
@pytest.mark.parametrize("view", ["a", "p", "enter"], ids=["ambassadors", "parody", "post"])
async def test_slash_on_another_screen_goes_back_and_filters_the_feed(
    scenario: Scenario, tmp_path: Path, view: str
) -> None:
    """`/` from the ambassadors, the parody list or an open post (their footers offer it)
    goes back to the feed with the filter open, and what is typed filters the feed."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(view)
        await settle(pilot)
        assert len(app.screen_stack) > 1
        await pilot.press("slash", *"role:ambassador", "enter")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.filter_text == "role:ambassador"
        assert "filter: role:ambassador" in filter_line_of(app)


@pytest.mark.pilot
async def test_escape_cancels_the_edit_and_keeps_the_filter(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`/`, typing, escape: the filter in force stays; a second escape clears it."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"role:ambassador", "enter")
        await settle(pilot)
        kept = feed_of(app).row_ids
        await pilot.press("slash", *" lang:de", "escape")
        await settle(pilot)
        assert app.filter_text == "role:ambassador"
        assert feed_of(app).row_ids == kept
        assert not app.query_one("#filter", Input).display
        assert "filter: role:ambassador" in filter_line_of(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.filter_text == "" and feed_of(app).row_count == 12


def test_the_count_stops_at_its_cap(scenario: Scenario) -> None:
    """Counting a huge match stops one past the cap, so the line can say "more than N"."""
    with Store.open(scenario.path, readonly=True) as store:
        assert count_matching(store, Selection()) == 12
        assert count_matching(store, Selection(), cap=5) == 6


@pytest.mark.pilot
async def test_a_full_page_is_counted_not_taken_for_the_total(tmp_path: Path) -> None:
    """With more mentions than one page, the line gives the real number, not the page size."""
    app = make_app(build_store(tmp_path / "big.db", filler=230), tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert feed_of(app).row_count == 200
        assert "no filter · 242 mentions" in filter_line_of(app)


@pytest.mark.pilot
async def test_offline_offers_no_pause(scenario: Scenario, tmp_path: Path) -> None:
    """With --offline nothing arrives: the footer has no Pause and space pauses nothing."""
    app = make_app(scenario, tmp_path, mode="offline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        keys = [k.description for k in app.screen.query(FooterKey)]
        assert "Pause" not in keys and "Help" in keys
        await pilot.press("space")
        await settle(pilot)
        assert not app.paused and "PAUSED" not in status_of(app)


@pytest.mark.pilot
async def test_help_is_the_first_key_of_the_footer_at_80_columns(
    scenario: Scenario, tmp_path: Path
) -> None:
    """At 80x24 `?` is on screen, and the help explains the status line's indicators."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = next(iter(app.screen.query(FooterKey)))
        assert first.description == "Help" and first.region.right <= 80
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for shown in ("● LIVE", "OFFLINE", "+5", "searching…", "new above", "g / home", "j/k"):
            assert shown in text, shown


@pytest.mark.pilot
async def test_resizing_the_terminal_moves_the_post_beside_or_under_the_list(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Widening a terminal past 140 columns puts the post beside the list; narrowing, under."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reader = app.query_one("#reader")
        assert reader.has_class("-stacked")
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        assert reader.has_class("-side")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert reader.has_class("-stacked")
