"""The Sources view (`s`) with imported files: long names are cut, the health stays in view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.builders import page, tweet, user
from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, settle, text_of
from tui.sources_view import SourcesScreen

pytestmark = pytest.mark.pilot
"""Every test here drives the monitor through Textual's Pilot: the pilot tier."""

LONG_NAME = "Users_by_Username_200_Success_Request_Fields_for_Users_and_Expanded_Pinned_Tweet"


def import_long_named_file(cli, db: Path, folder: Path) -> str:
    """Import a v2 page from a file with a long name: the source is named after the file."""
    author = user("pinned_poster")
    path = folder / f"{LONG_NAME}.json"
    path.write_text(json.dumps(page([tweet(author, "Kestrel pay is low")], [author])))
    assert cli("import", "--db", db, path).code == 0
    return path.name


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_long_source_name_is_cut_and_health_and_mentions_stay_visible(
    cli, tmp_path: Path, size: tuple[int, int]
) -> None:
    """A source named after a long file name ends in `…`; Health and Mentions stay on screen."""
    scenario = build_store(tmp_path / "store.db")
    name = import_long_named_file(cli, scenario.path, tmp_path)
    app = make_app(scenario, tmp_path, mode="offline")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        table = app.screen.query_one(DataTable)
        shown = [table.columns[key] for key in ("name", "health", "mentions")]  # type: ignore[index]
        assert (
            sum(c.get_render_width(table) for c in shown) <= table.scrollable_content_region.width
        )
        cell = table.get_row(name)[0]
        assert str(cell).startswith("Users_by_Username")
        table.move_cursor(row=table.get_row_index(name))
        await pilot.pause()
        rendered = table.render_line(table.cursor_row + 1).text  # the header takes line 0
        assert "…" in rendered and "stored" in rendered
        assert name in text_of(app.screen, "#list-detail-text")  # whole in the panel below
        if size[0] >= 120:
            assert "Last poll" in table.render_line(0).text


async def test_a_source_with_one_mention_says_one_mention(cli, tmp_path: Path) -> None:
    """The panel under the Sources view says `1 mention stored`, not `1 mentions stored`."""
    scenario = build_store(tmp_path / "store.db")
    name = import_long_named_file(cli, scenario.path, tmp_path)
    app = make_app(scenario, tmp_path, mode="offline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(name))
        await pilot.pause()
        assert "· 1 mention stored" in text_of(app.screen, "#list-detail-text")
