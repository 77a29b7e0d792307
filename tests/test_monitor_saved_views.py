"""Saved views in the monitor, driven through Textual's Pilot: the list (`v`), choosing,
clearing and saving a view (into a real config file), and their hostile labels."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from cache.db.store import Store
from cache.read.monitor_queries import feed_page
from cache.read.search import query_selection
from filters.topics import topic_ids
from filters.views import saved_views
from sources.model.config import Config, ViewSection, load_config
from tests.monitor_scenario import NOW, Scenario, build_store, frozen_clock
from tests.tui_helpers import feed_of, filter_line_of, settle, toasts
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.views_list import DeleteViewDialog, SavedViewsScreen, SaveViewDialog

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

HOSTILE_LABEL = "[bold red]Pay[/] [@click=app.quit]x \x1b[2J"
CONFIG_TEXT = """\
# The team's config: these comments must survive a saved view.
[company]
name = "Kestrel"   # the company

[views]
# standing questions
answered = "has:reply"
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def views_config(scenario: Scenario) -> Config:
    return replace(
        scenario.config,
        views={
            "pay": ViewSection("topic:pay", label=HOSTILE_LABEL),
            "answered": ViewSection("has:reply", label="Critics an ambassador answered"),
        },
    )


def make_app(scenario: Scenario, tmp_path: Path, *, views_file: Path | None = None) -> MonitorApp:
    config = views_config(scenario)
    return MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            mode="live",
            config=config,
            clock=frozen_clock,
            tz=UTC,
            output_dir=tmp_path,
            topics=topic_labels(config),
            views_file=views_file,
        )
    )


def query_ids(scenario: Scenario, query: str) -> list[str]:
    """The ids the feed should show for `query` (the same reads as the screen)."""
    config = views_config(scenario)
    with Store.open(scenario.path, readonly=True) as store:
        selection = query_selection(query, NOW, topics=topic_ids(config))
        return [r["id"] for r in feed_page(store, selection, limit=500)]


async def open_views(pilot: Pilot[None]) -> SavedViewsScreen:
    await settle(pilot)
    await pilot.press("v")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SavedViewsScreen)
    return screen


async def test_v_lists_each_view_with_its_count_in_the_topic_window(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`v` lists every view with its mentions in the 24 h window; a label with markup and an
    escape sequence shows as its characters and does nothing."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_views(pilot)
        table = screen.query_one(DataTable)
        assert [row.key.value for row in table.ordered_rows] == ["pay", "answered"]
        for name, query in (("pay", "topic:pay"), ("answered", "has:reply")):
            expected = len(query_ids(scenario, f"({query}) since:24h"))
            assert str(table.get_cell(name, "count")) == str(expected)
        assert query_ids(scenario, "has:reply since:24h")  # counts that can be wrong
        assert str(table.get_cell("pay", "view")) == "[bold red]Pay[/] [@click=app.quit]x"
        assert "24h" in (screen.title or "")
        await pilot.press("escape")
        assert app.is_running and not isinstance(app.screen, SavedViewsScreen)


async def test_choosing_a_view_sets_the_filter_and_says_which_view(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Enter on a view filters the feed by its query, drops the panel's topic and shows
    the view's label on the filter line."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.topic = "strikes"  # a topic from the side panel is replaced by the view
        app.filter_bar.set_topic("strikes")
        await open_views(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, SavedViewsScreen)
        assert app.active_view is not None and app.active_view.name == "answered"
        assert app.filter_text == "has:reply" and app.topic is None
        assert feed_of(app).row_ids == query_ids(scenario, "has:reply")
        assert scenario.critical_id in feed_of(app).row_ids
        line = filter_line_of(app)
        assert line.startswith("view: Critics an ambassador answered") and "has:reply" in line


async def test_clearing_or_editing_the_filter_ends_the_view(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Escape clears the view with the filter; typing another filter ends it too."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_views(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.active_view is not None and app.active_view.name == "pay"
        assert "[@click=app.quit]x" in filter_line_of(app)  # the label, literally
        await pilot.press("escape")
        await settle(pilot)
        assert app.active_view is None and app.filter_text == ""
        assert filter_line_of(app).startswith("no filter")
        assert len(feed_of(app).row_ids) > len(query_ids(scenario, "topic:pay"))
        await open_views(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("slash", "end", *" lang:de", "enter")
        await settle(pilot)
        assert app.filter_text == "topic:pay lang:de" and app.active_view is None
        assert filter_line_of(app).startswith("filter:")


async def test_exporting_a_view_records_it_in_the_sidecar(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`e` while a view is the filter writes its mentions; the sidecar names the view."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_views(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("down", "enter")  # jsonl
        await settle(pilot)
    (written,) = tmp_path.glob("echowatch-mentions-*.jsonl")
    ids = [json.loads(line)["id"] for line in written.read_text("utf-8").splitlines()]
    assert ids == query_ids(scenario, "has:reply")
    meta = json.loads(Path(f"{written}.meta.json").read_text("utf-8"))
    assert meta["query"] == "has:reply"
    assert meta["view"] == {
        "name": "answered",
        "query": "has:reply",
        "label": "Critics an ambassador answered",
    }


async def save_as(pilot: Pilot[None], query: str, name: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *query, "ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SaveViewDialog)
    await pilot.press(*name, "enter")
    await settle(pilot)


async def test_the_filter_bar_saves_the_filter_as_a_view_keeping_the_comments(
    scenario: Scenario, tmp_path: Path
) -> None:
    """ctrl+s in the filter bar asks for a name and adds `name = "query"` to the config
    file; its comments and other keys stay as written, and the view is in force and listed."""
    config_file = tmp_path / "echowatch.toml"
    config_file.write_text(CONFIG_TEXT, encoding="utf-8")
    app = make_app(scenario, tmp_path, views_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, 'topic:pay "Stundenlohn"', "pay_words")
        assert not isinstance(app.screen, SaveViewDialog)
        assert app.active_view is not None and app.active_view.name == "pay_words"
        assert filter_line_of(app).startswith("view: pay_words")
        written = config_file.read_text("utf-8")
        assert written.startswith(CONFIG_TEXT)  # every comment and key as it was
        assert written[len(CONFIG_TEXT) :] == 'pay_words = "topic:pay \\"Stundenlohn\\""\n'
        loaded = saved_views(load_config(config_file))
        assert [(v.name, v.query) for v in loaded] == [
            ("answered", "has:reply"),
            ("pay_words", 'topic:pay "Stundenlohn"'),
        ]
        screen = await open_views(pilot)
        keys = [row.key.value for row in screen.query_one(DataTable).ordered_rows]
        assert keys == ["pay", "answered", "pay_words"]


async def test_a_view_name_with_umlauts_is_saved_and_reads_back(
    scenario: Scenario, tmp_path: Path
) -> None:
    """ctrl+s takes `Löhne_ausland` as a name: the config gets it quoted and loads with it."""
    config_file = tmp_path / "echowatch.toml"
    config_file.write_text(CONFIG_TEXT, encoding="utf-8")
    app = make_app(scenario, tmp_path, views_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, "lang:de", "Löhne_ausland")
        assert not isinstance(app.screen, SaveViewDialog)
        assert app.active_view is not None and app.active_view.name == "Löhne_ausland"
    written = config_file.read_text("utf-8")
    assert written[len(CONFIG_TEXT) :] == '"Löhne_ausland" = "lang:de"\n'
    loaded = saved_views(load_config(config_file))
    assert [v.name for v in loaded] == ["answered", "Löhne_ausland"]


async def test_a_name_in_use_or_not_a_key_is_refused_and_nothing_is_written(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A view name that exists already, or one with spaces, is refused in the dialog,
    which stays open; the config file is not touched."""
    config_file = tmp_path / "echowatch.toml"
    config_file.write_text(CONFIG_TEXT, encoding="utf-8")
    app = make_app(scenario, tmp_path, views_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, "lang:de", "answered")
        dialog = app.screen
        assert isinstance(dialog, SaveViewDialog)
        error = str(dialog.query_one("#save-view-error", Static).render())
        assert "'answered' exists already" in error
        dialog.query_one("#save-view-name", Input).value = ""
        await pilot.press(*"two words", "enter")
        await settle(pilot)
        error = str(dialog.query_one("#save-view-error", Static).render())
        assert "only letters, digits" in error
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SaveViewDialog)
    assert config_file.read_text("utf-8") == CONFIG_TEXT


async def test_saving_without_a_config_file_creates_one_that_loads(
    scenario: Scenario, tmp_path: Path
) -> None:
    """With no config file yet, saving a view creates it where the app looks for it."""
    config_file = tmp_path / "config" / "echowatch" / "config.toml"
    app = make_app(scenario, tmp_path, views_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, "role:ambassador", "amb")
    views = saved_views(load_config(config_file))
    assert [(v.name, v.query) for v in views] == [("amb", "role:ambassador")]
    assert config_file.read_text("utf-8").startswith("# Echowatch configuration")


async def test_in_the_demo_a_saved_view_lasts_the_session(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a config file to write (the demo), the view is used and listed, and the
    reader is told it is kept for this session only."""
    app = make_app(scenario, tmp_path, views_file=None)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await save_as(pilot, "lang:en", "english")
        assert app.active_view is not None and app.active_view.name == "english"
        notes = toasts(app)
        assert any("for this session" in n for n in notes), notes
        screen = await open_views(pilot)
        assert "english" in [r.key.value for r in screen.query_one(DataTable).ordered_rows]
    assert not list(tmp_path.glob("**/*.toml"))


async def test_the_command_palette_offers_the_views_and_saving(
    scenario: Scenario, tmp_path: Path
) -> None:
    """The palette lists "Saved views" and "Save filter as view"; the help names both keys."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Saved views" in titles and "Save filter as view" in titles
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = str(app.screen.query_one("#help-text", Static).render())
        assert "Saved views" in help_text and "save the filter as a view" in help_text


def test_saved_views_small_terminal(snap_compare, tmp_path: Path) -> None:
    """The views list at 80x24: names, counts and queries fit; the detail panel shows."""
    scenario = build_store(tmp_path / "store.db")
    app = make_app(scenario, tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_views)


async def test_j_and_k_move_in_the_view_list_and_enter_uses_that_view(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`v`, `j`, `enter` uses the second view; `k` goes back up, `G`/`g` to the ends."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("k")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g", "j")
        second = app.screen.current().view  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert app.active_view == second


def listed(app: MonitorApp) -> list[str]:
    return [str(row.key.value) for row in app.screen.query_one(DataTable).ordered_rows]


async def test_d_in_the_views_list_deletes_a_view_after_asking(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`d` (in the footer) asks first; `n` keeps the view, `y` removes its line from the
    config file (comments and other keys kept), from the list, and ends it as the filter."""
    config_file = tmp_path / "echowatch.toml"
    config_file.write_text(CONFIG_TEXT + 'pay_de = "topic:pay lang:de"\n', encoding="utf-8")
    app = make_app(scenario, tmp_path, views_file=config_file)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)  # toasts stay on a slow machine
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        screen = await open_views(pilot)
        assert "Delete" in [k.description for k in screen.query(FooterKey)]
        await pilot.press("j")  # answered
        await pilot.press("enter")  # in force as the filter
        await settle(pilot)
        assert app.active_view is not None and app.active_view.name == "answered"
        await open_views(pilot)
        await pilot.press("j", "d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DeleteViewDialog)
        asked = str(dialog.query_one("#delete-view-question", Static).render())
        assert "answered" in asked and str(config_file) in asked
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SavedViewsScreen) and "answered" in listed(app)
        assert config_file.read_text("utf-8") == CONFIG_TEXT + 'pay_de = "topic:pay lang:de"\n'
        await pilot.press("d", "y")
        await settle(pilot)
        assert isinstance(app.screen, SavedViewsScreen)
        assert listed(app) == ["pay"]  # the monitor's views; pay_de is only in the file
        assert any("Deleted view answered" in n for n in toasts(app)), toasts(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.active_view is None and app.filter_text == "has:reply"
        assert filter_line_of(app).startswith("filter: has:reply")
    expected = (
        CONFIG_TEXT.replace('answered = "has:reply"\n', "") + 'pay_de = "topic:pay lang:de"\n'
    )
    assert config_file.read_text("utf-8") == expected
    assert [v.name for v in saved_views(load_config(config_file))] == ["pay_de"]


async def test_deleting_a_view_the_config_file_lacks_is_refused(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-only (no file to write), the monitor deletes no view of the config and says
    why; a view saved in this session only is deleted for the session."""
    app = make_app(scenario, tmp_path, views_file=None)
    monkeypatch.setattr(app, "NOTIFICATION_TIMEOUT", 600)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        await open_views(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, SavedViewsScreen) and listed(app) == ["pay", "answered"]
        assert any("not deleted" in n for n in toasts(app)), toasts(app)
        await pilot.press("escape")
        await save_as(pilot, "lang:en", "english")
        await open_views(pilot)
        await pilot.press("G", "d")
        await settle(pilot)
        assert isinstance(app.screen, DeleteViewDialog)
        await pilot.press("y")
        await settle(pilot)
        assert listed(app) == ["pay", "answered"]
    assert not list(tmp_path.glob("**/*.toml"))


async def test_help_names_the_key_that_deletes_a_view(scenario: Scenario, tmp_path: Path) -> None:
    """Help (`?`) says how to delete a saved view."""
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = str(app.screen.query_one("#help-text", Static).render())
        assert "delete the saved view" in help_text


@pytest.mark.parametrize("query", ["*", "🔥", "&"])
async def test_a_filter_of_everything_is_not_saved_as_a_view(
    scenario: Scenario, tmp_path: Path, query: str
) -> None:
    """`*`, an emoji or `&` filter nothing out; as a view every command would refuse the
    config, so the dialog gives the loader's reason, refuses a name, and writes nothing."""
    config_file = tmp_path / "echowatch.toml"
    config_file.write_text(CONFIG_TEXT, encoding="utf-8")
    app = make_app(scenario, tmp_path, views_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, query, "qv4")
        dialog = app.screen
        assert isinstance(dialog, SaveViewDialog)
        error = str(dialog.query_one("#save-view-error", Static).render())
        assert "the query has no letters or digits to search for" in error
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SaveViewDialog) and app.active_view is None
    assert config_file.read_text("utf-8") == CONFIG_TEXT
    assert [v.name for v in saved_views(load_config(config_file))] == ["answered"]


async def test_without_a_config_file_a_filter_of_everything_is_not_kept_either(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Read-only or in the demo, `*` is refused as a view the same way: no session view."""
    app = make_app(scenario, tmp_path, views_file=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_as(pilot, "*", "qv4")
        assert isinstance(app.screen, SaveViewDialog)
        await pilot.press("escape")
        await open_views(pilot)
        assert listed(app) == ["pay", "answered"]
