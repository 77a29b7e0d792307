"""The monitor's other screens: detail and thread, ambassadors, parody, sources, export, help."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from cache.db.store import SourceState, Store
from tests.builders import page, tweet, user
from tests.monitor_scenario import Scenario, build_store, store_batch
from tests.tui_helpers import feed_of, make_app, open_detail_of, settle, text_of
from tui.detail import DetailScreen
from tui.dialogs import ExportDialog, HelpScreen
from tui.keys import help_keys
from tui.sources_view import SourcesScreen
from tui.views import AmbassadorsScreen, ParodyScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


async def test_enter_opens_the_thread_with_replies_delays_and_parody(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Enter on a critical post shows both ambassador replies, their delays, the parody."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, scenario.critical_id)
        assert "Stundenlohn" in text_of(screen, "#detail-text")
        author = text_of(screen, "#detail-author")
        assert "Anna Krüger" in author and "@anna_k" in author and "230 followers" in author
        assert "role: public" in author
        assert "pay: stundenlohn" in text_of(screen, "#detail-topics").lower()
        replies = text_of(screen, ".thread-reply")
        assert "after 12 min" in replies and "@KestrelLena" in replies
        assert "after 3 h 5 min" in replies and "@KestrelTom" in replies
        reactions = text_of(screen, ".thread-reaction")
        assert "@KestreILena" in reactions and "Textbausteine" in reactions
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_detail_of_a_reply_shows_the_ambassador_profile_and_its_thread(
    scenario: Scenario, tmp_path: Path
) -> None:
    """An ambassador reply shows its author's role, the reason, and the critical post above."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, scenario.lena_reply_id)
        author = text_of(screen, "#detail-author")
        assert "role: ambassador" in author and "FC Ambassador" in author
        assert "0 followers" in author and "0 following" in author and "3 months" in author
        assert "critical post" in text_of(screen, ".thread-root")
        assert "@anna_k" in text_of(screen, ".thread-root")


async def test_o_opens_the_link_in_a_browser(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o` hands the post's address to the browser (in a thread) and says so."""
    opened: list[str] = []

    def fake_open(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    monkeypatch.setenv("BROWSER", "firefox")  # a browser is there (webbrowser.open is faked)
    monkeypatch.setattr("webbrowser._tryorder", None)
    monkeypatch.setattr("webbrowser._browsers", {})
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        feed = feed_of(app)
        feed.move_cursor(row=feed.get_row_index(scenario.critical_id))
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://x.com/anna_k/status/1000"]


async def test_ambassador_view_lists_replies_delay_and_signal_badges(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`a` lists each ambassador with reply count, median delay, badges and topics answered,
    and the panel gives the median and the fastest reply delay."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AmbassadorsScreen)
        table = screen.query_one(DataTable)
        assert [str(k.value) for k in table.rows] == ["x:201", "x:202"]
        lena = table.get_row("x:201")
        assert str(lena[1]) == "1" and str(lena[2]) == "12 min"
        # No followers, following nobody; the reply carries #Markenbotschafter.
        assert str(lena[3]) == "⚠ no audience  ✓ disclosed"
        assert str(table.get_row("x:202")[3]) == "–"
        panel = text_of(screen, "#list-detail-text")
        assert "median delay 12 min, fastest 12 min" in panel
        assert "answers: pay, strikes" in panel and "faire Löhne" in panel
        assert "⚠ 0 followers, follows nobody" in panel
        table.move_cursor(row=1)
        await pilot.pause()
        assert "great pay" in text_of(screen, "#list-detail-text")


async def test_parody_view_shows_what_each_parody_account_reacted_to(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`p` lists parody accounts and, for each reaction, the ambassador post it mocked."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ParodyScreen)
        assert [str(k.value) for k in screen.query_one(DataTable).rows] == ["x:301"]
        detail = text_of(screen, "#list-detail-text")
        assert "Textbausteine" in detail
        assert "@KestrelLena (ambassador)" in detail


async def test_sources_view_and_status_line_show_health(scenario: Scenario, tmp_path: Path) -> None:
    """Each source's last poll, new items, pause and last error show in the status and `s`."""
    with Store.open(scenario.path) as store, store.db.atomic():
        store.save_source_state(
            SourceState(
                name="x:search",
                kind="x",
                last_poll_at="2026-11-02T11:58:00Z",
                last_success_at="2026-11-02T11:58:00Z",
                last_new=3,
                items_seen=40,
            )
        )
        store.save_source_state(
            SourceState(
                name="heise",
                kind="feed",
                last_poll_at="2026-11-02T11:59:00Z",
                last_error="HTTP 404 Not Found",
                last_error_at="2026-11-02T11:59:00Z",
            )
        )
        store.save_source_state(
            SourceState(name="x:mentions", kind="x", paused_until="2026-11-02T12:15:00Z")
        )
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        status = str(app.query_one("#status", Static).render())
        assert "x:search ✓ 11:58 +3" in status
        assert "heise ✗ HTTP 404 Not Found" in status
        assert "x:mentions paused until 12:15" in status
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert isinstance(app.screen, SourcesScreen)
        assert str(table.get_row("heise")[1]) == "error"
        assert str(table.get_row("x:mentions")[7]) == "12:15"  # as every view writes times
        assert str(table.get_row("x:search")[4]) == "11:58"


async def test_export_writes_the_filtered_mentions_and_says_where(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`e` asks for a format and writes what the filter shows through the export code."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"lang:de", "enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("down", "enter")  # jsonl
        await settle(pilot)
        files = list(tmp_path.glob("echowatch-mentions-*.jsonl"))
        assert len(files) == 1
        rows = [json.loads(line) for line in files[0].read_text("utf-8").splitlines()]
        assert {r["lang"] for r in rows} == {"de"}
        assert {r["id"] for r in rows} == set(feed_of(app).row_ids)
        # The line holds the file's name whole; a folder too long for it is cut with `…`.
        assert files[0].name in str(app.query_one("#status", Static).render())
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # csv, the first format
        await settle(pilot)
        (written,) = tmp_path.glob("echowatch-mentions-*.csv")
        with written.open(encoding="utf-8-sig", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == len(rows)


async def test_ctrl_s_saves_an_svg_screenshot(scenario: Scenario, tmp_path: Path) -> None:
    """ctrl+s writes an SVG of the screen into the output folder."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        (svg,) = tmp_path.glob("echowatch-*.svg")
        assert svg.read_text("utf-8").startswith("<svg")


async def test_help_lists_every_key(scenario: Scenario, tmp_path: Path) -> None:
    """`?` shows every key of the monitor with what it does."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for key in (
            "q",
            "space",
            "/",
            "escape",
            "enter",
            "o",
            "t",
            "a",
            "p",
            "s",
            "e",
            "?",
            "ctrl+s",
            "ctrl+p",
        ):
            assert f"  {key} " in text, key
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_reaches_the_actions(scenario: Scenario, tmp_path: Path) -> None:
    """Every monitor action is a command in the palette."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Pause", "Filter", "Ambassadors", "Parody", "Sources", "Export", "Help"} <= titles


async def test_enter_on_an_ambassador_opens_its_signals(scenario: Scenario, tmp_path: Path) -> None:
    """Enter in the ambassador list opens that account's signal screen."""
    detail = pytest.importorskip("tui.ambassador_detail")
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, detail.AmbassadorDetailScreen)
        assert app.screen.key == "x:202"


async def test_views_replace_each_other_instead_of_piling_up(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`a` then `p` then `s` leaves one view open; escape returns to the feed."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", "p", "s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]


async def test_sources_view_shows_a_stream_gap_and_what_backfilled_it(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The X stream's last cut reads "stream down 02:10-02:14, backfilled 37" in `s`."""
    gap = {"from": "2026-11-02T02:10:05Z", "to": "2026-11-02T02:14:40Z", "backfilled": 37}
    with Store.open(scenario.path) as store, store.db.atomic():
        store.save_source_state(
            SourceState(
                name="x-stream",
                kind="x:stream",
                last_poll_at="2026-11-02T11:58:00Z",
                last_success_at="2026-11-02T11:58:00Z",
                extra=json.dumps({"gaps": [gap]}),
            )
        )
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("x-stream"))
        await pilot.pause()
        assert "stream down 02:10-02:14, backfilled 37" in text_of(screen, "#list-detail-text")


@pytest.mark.parametrize("key", ["a", "s"])
async def test_j_and_k_move_in_every_list(scenario: Scenario, tmp_path: Path, key: str) -> None:
    """In the ambassadors and sources lists (as in every list) `j`/`k` move like the arrows."""
    with Store.open(scenario.path) as store, store.db.atomic():
        for name in ("heise", "lagerforum"):  # the sources list gets rows to move through
            store.save_source_state(SourceState(name=name, kind="feed"))
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 2
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("k")
        assert table.cursor_row == 0


@pytest.mark.parametrize("width", [60, 80, 120])
async def test_help_keeps_keys_and_wrapped_descriptions_in_their_columns(
    scenario: Scenario, tmp_path: Path, width: int
) -> None:
    """`?`: a description that wraps goes on under itself, and a long key never runs into
    its description."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = app.screen.query_one("#help-text", Static)
        lines = str(help_text.render()).splitlines()
        assert all(len(line) <= help_text.content_region.width for line in lines), lines
        groups = {k.where for k in help_keys(app.BINDINGS)}
        groups.add("Marks on ambassador replies (Topics)")
        for line in lines:
            if line and not any(line in group for group in groups):  # a heading, or part
                assert line.startswith("  "), line  # never back at column 0
        (keys_line,) = [line for line in lines if "j/k, up/down, pgup/pgdn" in line][:1]
        after = keys_line.split("j/k, up/down, pgup/pgdn", 1)[1]
        assert after == "" or after.startswith("  "), keys_line


async def test_one_follower_is_singular(scenario: Scenario, tmp_path: Path) -> None:
    """An author with one follower reads `1 follower`, not `1 followers`."""
    one = user("lonely_critic", "Lonely", user_id="901", followers=1, following=1)
    (mention_id,) = store_batch(
        scenario.path, page([tweet(one, "Kestrel Lohn zu niedrig", lang="de")], [one])
    )
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, mention_id)
        author = text_of(screen, "#detail-author")
        assert "1 follower ·" in author and "1 followers" not in author
