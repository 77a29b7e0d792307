"""Small modal screens: the export question and the key help."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from filters.views import SavedView
from sources.model.config import Config
from tui.fitted_footer import FittedFooter
from tui.gateway import ExportRequest, Selection, ended_at, export_selection


@dataclass(frozen=True)
class ExportChoice:
    """What the reader chose: a format and the file to write."""

    format: str
    path: Path


class ExportDialog(ModalScreen[ExportChoice | None]):
    """Asks for the export format (and lets the reader change the file name)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 70; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 0 1;
    }
    ExportDialog OptionList { height: auto; max-height: 8; }
    """

    def __init__(self, formats: tuple[str, ...], folder: Path, stem: str, summary: str) -> None:
        super().__init__()
        self.formats = formats
        self.folder = folder
        self.stem = stem
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"Export {self.summary}"))
            yield Label(Content("Format (enter writes the file, escape cancels):"))
            yield OptionList(*[Option(f, id=f) for f in self.formats], id="export-formats")
            yield Label(Content("File:"))
            yield Input(
                str(self.path_for(self.formats[0])), id="export-path", select_on_focus=False
            )

    def path_for(self, fmt: str) -> Path:
        return self.folder / f"{self.stem}.{fmt}"

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted)
    def follow_format(self, event: OptionList.OptionHighlighted) -> None:
        fmt = event.option.id or self.formats[0]
        field = self.query_one("#export-path", Input)
        current = Path(field.value)
        if current.suffix.lstrip(".") in self.formats:
            field.value = str(current.with_suffix(f".{fmt}"))

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def choose(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted or 0
        fmt = self.formats[index]
        path = Path(self.query_one("#export-path", Input).value.strip() or self.path_for(fmt))
        self.dismiss(ExportChoice(fmt, path.expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class KeyHelp:
    key: str
    description: str
    where: str


KEY_COLUMN = 16
"""Cells for a key in the help; a longer key puts its description on the next line."""
MARKS = (
    ("⚠co", "co-reply: another ambassador answered the same post at once"),
    ("⚠#3", "text block #3: near-duplicate of another ambassador's reply"),
    ("⚠sig", "signed with a name that is not the account's"),
)
CLOSING = (
    "escape, q or ? closes this help.",
    "enter shows the marks in full; a shows every ambassador's signals.",
    "ctrl+p opens the command palette: every action is there too.",
    "The mouse works: click rows, topics and keys in the footer.",
)


def help_content(keys: list[KeyHelp], width: int) -> Content:
    """The help as lines of `width` cells: each key in its column, its description beside it
    and wrapped under itself (never back at the left edge)."""
    lines: list[Content] = []
    described = 2 + KEY_COLUMN + 1
    room = max(16, width - described)

    def entry(key: str, what: str) -> None:
        parts = textwrap.wrap(what, room, break_on_hyphens=False) or [""]
        if cell_len(key) <= KEY_COLUMN:
            pad = " " * (KEY_COLUMN + 1 - cell_len(key))
            lines.append(
                Content.from_markup("  [b]$key[/b]$pad$what", key=key, pad=pad, what=parts[0])
            )
            parts = parts[1:]
        else:
            lines.append(Content.from_markup("  [b]$key[/b]", key=key))
        lines.extend(Content(" " * described + part) for part in parts)

    where = None
    for item in keys:
        if item.where != where:
            if where is not None:
                lines.append(Content(""))
            for part in textwrap.wrap(item.where, max(16, width)):
                lines.append(Content.from_markup("[b $primary]$where[/]", where=part))
            where = item.where
        entry(item.key, item.description)
    lines.append(Content(""))
    lines.append(Content.from_markup("[b $primary]Marks on ambassador replies (Topics)[/]"))
    for mark, what in MARKS:
        entry(mark, what)
    lines.append(Content(""))
    for sentence in CLOSING:
        lines.extend(Content("  " + part) for part in textwrap.wrap(sentence, max(16, width - 2)))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Every key of the monitor, grouped by where it works."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close")
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 95%; height: 90%; border: round $primary;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, keys: list[KeyHelp]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(help_content(self.keys, 70), id="help-text")
        # Its own footer, over the feed's: the keys that work here (the one that closes
        # it), not the feed's keys, which do nothing while the help is open.
        yield FittedFooter()

    def on_resize(self) -> None:
        # The lines are wrapped to the box, which is known (or changed) only now.
        self.call_after_refresh(self.fit_to_width)

    def fit_to_width(self) -> None:
        text = self.query_one("#help-text", Static)
        if text.content_region.width:
            text.update(help_content(self.keys, text.content_region.width))


def write_export(
    db_path: Path,
    config: Config,
    choice: ExportChoice,
    selection: Selection,
    query: str,
    captured_at: datetime,
    *,
    view: SavedView | None = None,
) -> int:
    """Write the selection through `app.py export`'s code (atomic file, sidecar, reports)."""
    request = ExportRequest(
        report="mentions",
        format=choice.format,
        query=query,
        selection=ended_at(selection, captured_at),  # a `since:` ends at the capture
        config=config,
        output=str(choice.path),
        captured_at=captured_at,
        view=view,
    )
    # Same rule as `app.py export`: a spreadsheet finds UTF-8 CSV by its byte-order mark.
    encoding = "utf-8-sig" if choice.format == "csv" else "utf-8"
    return export_selection(db_path, request, encoding=encoding)
