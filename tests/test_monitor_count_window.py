"""Which "last 24h" the saved views and the topic panel count: up to the clock while
collecting, up to the newest stored post when a store is browsed; every label says which,
`app.py views` says which on stderr, and `t` moves the views list's window too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable

from cache.db.store import Store
from cache.read.monitor_queries import newest_time
from sources.model.config import load_config
from tests.monitor_scenario import NOW, Scenario, build_store
from tests.tui_helpers import settle
from tui.launch import topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.topics_panel import TopicPanel
from tui.views_list import SavedViewsScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

LATER = NOW + timedelta(days=30)
"""A clock a month after the scenario's posts: a stale store, browsed."""


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[accounts]\npress = ["newsdesk"]\n\n[views]\npay = "topic:pay"\nanswered = "has:reply"\n',
        encoding="utf-8",
    )
    return path


def make_app(scenario: Scenario, config_file: Path, mode: str, now: datetime) -> MonitorApp:
    config = load_config(config_file)
    return MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            mode=mode,
            config=config,
            clock=lambda: now,
            tz=UTC,
            output_dir=config_file.parent,
            topics=topic_labels(config),
        )
    )


def cli_counts(
    cli: Any, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, config: Path, *flags: str
) -> tuple[dict[str, dict[str, str]], str]:
    """`app.py views` with its clock at LATER: {view: {window: count}} and its stderr."""
    monkeypatch.setattr("sources.model.records.utc_now", lambda: LATER)
    run = cli("views", "--db", scenario.path, "--config", config, *flags)
    assert run.code == 0, run.err
    _header, *rows = run.out.splitlines()
    counts = {
        r.split()[0]: dict(zip(("1h", "24h", "7d"), r.split()[2:5], strict=True)) for r in rows
    }
    return counts, run.err


def shown_counts(screen: SavedViewsScreen) -> dict[str, str]:
    table = screen.query_one(DataTable)
    return {
        str(row.key.value): str(table.get_cell(str(row.key.value), "count"))
        for row in table.ordered_rows
    }


async def test_a_browsed_stale_store_counts_up_to_its_newest_post_and_says_so(
    cli, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, config_file: Path
) -> None:
    """Offline, a month after the last post: the views list and the topic panel say they
    count up to the newest post, with the counts `app.py views --to-newest` prints; plain
    `app.py views` says it counts up to now (all 0) and points to --to-newest."""
    with Store.open(scenario.path, readonly=True) as store:
        newest = newest_time(store)
    assert newest is not None and newest < LATER - timedelta(days=7)
    to_newest, said = cli_counts(cli, monkeypatch, scenario, config_file, "--to-newest")
    assert "counts up to the newest stored post" in said
    assert to_newest["answered"]["24h"] != "0"  # counts that can be wrong
    by_clock, said = cli_counts(cli, monkeypatch, scenario, config_file)
    assert "counts up to now" in said and "--to-newest" in said
    assert {c for v in by_clock.values() for c in v.values()} == {"0"}

    app = make_app(scenario, config_file, "offline", LATER)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        panel = app.query_one(TopicPanel)
        assert "newest post" in str(panel.border_subtitle)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SavedViewsScreen)
        assert "24h up to the newest post" in (screen.title or "")
        assert shown_counts(screen) == {v: c["24h"] for v, c in to_newest.items()}


async def test_a_live_monitor_counts_up_to_now_as_app_views_does(
    cli, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, config_file: Path
) -> None:
    """Collecting, the views list says it counts up to now and agrees with `app.py views`
    at the same clock; the topic panel's "last 24h" needs no note."""
    by_clock, _ = cli_counts(cli, monkeypatch, scenario, config_file)
    app = make_app(scenario, config_file, "live", LATER)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert app.query_one(TopicPanel).border_subtitle is None  # "last 24h": up to now
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SavedViewsScreen)
        assert "24h up to now" in (screen.title or "")
        assert shown_counts(screen) == {v: c["24h"] for v, c in by_clock.items()}


async def test_t_on_the_views_list_moves_its_window_title_and_counts(
    cli, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, config_file: Path
) -> None:
    """`v` then `t`: the list's title and counts move to 7d with the topic panel, and
    another `t` to 1h."""
    counts, _ = cli_counts(cli, monkeypatch, scenario, config_file, "--to-newest")
    assert counts["pay"]["24h"] != counts["pay"]["1h"]  # a move that shows
    app = make_app(scenario, config_file, "offline", LATER)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SavedViewsScreen)
        assert app.query_one(TopicPanel).window_name == "7d"
        assert "counts in the 7d" in (screen.title or "")
        assert shown_counts(screen) == {v: c["7d"] for v, c in counts.items()}
        await pilot.press("t")
        await settle(pilot)
        assert "counts in the 1h" in (screen.title or "")
        assert shown_counts(screen) == {v: c["1h"] for v, c in counts.items()}
