"""The status line at any width: what matters stays in view, cut text ends in `…`."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content

from tests.monitor_scenario import build_store
from tests.tui_helpers import make_app, settle, status_of
from tui.status_fit import fit_status

MARK = Content("● LIVE")
NOTES = [Content("demo replay"), Content("200 loaded"), Content("37 unread")]
SOURCES = [Content(f"source{i} ✓ 14:02 +5") for i in range(4)]
EXPORT = Path("/home/reader/reports/2026/november/echowatch-mentions-20261102-120000.csv")


def test_everything_shows_when_it_fits() -> None:
    """A wide line keeps every piece, in order, joined by ` · `."""
    line = fit_status(MARK, NOTES, SOURCES, EXPORT, 400).plain
    assert line.startswith("● LIVE · demo replay · 200 loaded · 37 unread · source0 ✓")
    assert line.endswith(f"exported to {EXPORT}")


@pytest.mark.parametrize("width", [60, 78, 118])
def test_the_export_path_stays_and_the_sources_give_way_first(width: int) -> None:
    """The file written stays in view; sources are counted (`+3 sources (s)`) before it."""
    line = fit_status(MARK, NOTES, SOURCES, EXPORT, width).plain
    assert len(line) <= width
    assert line.startswith("● LIVE")
    assert EXPORT.name in line
    assert "sources (s)" in line or "source" not in line


def test_a_path_that_cannot_fit_is_cut_at_its_folder_with_an_ellipsis() -> None:
    """Only the folders are cut, at a folder: `exported to …/november/echowatch-….csv`."""
    line = fit_status(MARK, NOTES, SOURCES, EXPORT, 78).plain
    assert "exported to …/" in line and line.endswith(f"/{EXPORT.name}")


def test_what_cannot_fit_at_all_ends_in_an_ellipsis() -> None:
    """On a tiny line the text is cut with `…`, never mid-word without a sign."""
    line = fit_status(MARK, NOTES, SOURCES, EXPORT, 20).plain
    assert len(line) <= 20 and line.endswith("…")


@pytest.mark.pilot
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_after_an_export_the_status_line_shows_where_it_went(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """`e`, enter: the status line names the file written, cut with `…` only in the folders."""
    folder = tmp_path / "a-rather-long-folder-name-for-reports" / "november-2026"
    folder.mkdir(parents=True)
    app = make_app(build_store(tmp_path / "store.db"), folder)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        (written,) = folder.glob("echowatch-mentions-*.csv")
        status = status_of(app)
        assert written.name in status, status
        assert len(status) <= size[0] - 2  # the line's padding
