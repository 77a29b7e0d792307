"""Small modal screens: the export question and the key help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

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
from tui.gateway import ExportRequest, Selection, export_selection


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
        lines: list[Content] = []
        where = None
        for item in self.keys:
            if item.where != where:
                if where is not None:
                    lines.append(Content(""))
                lines.append(Content.from_markup("[b $primary]$where[/]", where=item.where))
                where = item.where
            lines.append(
                Content.from_markup(
                    "  [b]$key[/b]$pad$what",
                    key=item.key,
                    pad=" " * max(1, 16 - len(item.key)),
                    what=item.description,
                )
            )
        lines.append(Content(""))
        lines.append(Content.from_markup("[b $primary]Marks on ambassador replies (Topics)[/]"))
        lines.append(Content("  ⚠co   co-reply: another ambassador answered the same post at once"))
        lines.append(Content("  ⚠#3   text block #3: near-duplicate of another ambassador's reply"))
        lines.append(Content("  ⚠sig  signed with a name that is not the account's"))
        lines.append(Content("  enter shows them in full; a shows every ambassador's signals"))
        lines.append(Content(""))
        lines.append(Content("ctrl+p opens the command palette: every action is there too."))
        lines.append(Content("The mouse works: click rows, topics and keys in the footer."))
        with VerticalScroll():
            yield Static(Content("\n").join(lines), id="help-text")


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
        selection=selection,
        config=config,
        output=str(choice.path),
        captured_at=captured_at,
        view=view,
    )
    # Same rule as `app.py export`: a spreadsheet finds UTF-8 CSV by its byte-order mark.
    encoding = "utf-8-sig" if choice.format == "csv" else "utf-8"
    return export_selection(db_path, request, encoding=encoding)
