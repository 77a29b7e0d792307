"""The list views: ambassadors, parody accounts, sources.

Each is a screen with a table on top and the highlighted row's detail below. Data is
read in a worker with its own read-only store; nothing here blocks the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cache.monitor_queries import ambassador_summaries, parody_summaries
from cache.store import SourceState, Store
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.detail import format_delay
from tui.safe_text import clean, plain, shorten


class ListScreen(Screen[None]):
    """A table of things and a panel about the highlighted one."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload"),
    ]
    DEFAULT_CSS = """
    ListScreen DataTable { height: 2fr; }
    ListScreen #list-detail { height: 1fr; border-top: solid $primary; padding: 0 1; }
    """
    COLUMNS: tuple[tuple[str, str], ...] = ()
    TITLE_TEXT = ""
    EMPTY_TEXT = "Nothing here yet."

    class Loaded(Message):
        def __init__(self, items: list[Any]) -> None:
            super().__init__()
            self.items = items

    def __init__(self, db_path: Path, **kwargs: Any) -> None:
        super().__init__()
        self.db_path = db_path
        self.items: list[Any] = []
        self.options = kwargs

    def compose(self) -> ComposeResult:
        yield Header()
        table: DataTable[Any] = DataTable(cursor_type="row", id="list-table")
        yield table
        with VerticalScroll(id="list-detail"):
            yield Static(Content("Loading…"), id="list-detail-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.TITLE_TEXT
        table = self.query_one(DataTable)
        for key, label in self.COLUMNS:
            table.add_column(label, key=key)
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="list")
    def load(self) -> None:
        with Store.open(self.db_path, readonly=True) as store:
            items = self.read(store)
        self.post_message(self.Loaded(items))

    def read(self, store: Store) -> list[Any]:
        raise NotImplementedError

    def cells(self, item: Any) -> list[Any]:
        raise NotImplementedError

    def describe(self, item: Any) -> Content:
        raise NotImplementedError

    def key_of(self, item: Any) -> str:
        return str(item.key)

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.items = message.items
        table = self.query_one(DataTable)
        table.clear()
        for item in self.items:
            table.add_row(*self.cells(item), key=self.key_of(item))
        detail = self.query_one("#list-detail-text", Static)
        if not self.items:
            detail.update(Content(self.EMPTY_TEXT))
        else:
            detail.update(self.describe(self.items[0]))

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        item = self.current()
        if item is not None:
            self.query_one("#list-detail-text", Static).update(self.describe(item))

    def current(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.items or not table.row_count:
            return None
        index = table.cursor_row
        return self.items[index] if 0 <= index < len(self.items) else None


class AmbassadorsScreen(ListScreen):
    """Ambassador accounts: replies, median delay, topics answered and never touched."""

    TITLE_TEXT = "Ambassadors"
    EMPTY_TEXT = "No ambassador accounts in the store yet."
    COLUMNS = (
        ("handle", "Account"),
        ("replies", "Replies"),
        ("delay", "Median delay"),
        ("answered", "Topics answered"),
        ("never", "Never touched"),
    )
    BINDINGS: ClassVar[list[Any]] = [
        *ListScreen.BINDINGS,
        Binding("enter", "open_account", "Signals", show=True),
    ]

    def read(self, store: Store) -> list[Any]:
        return ambassador_summaries(store, list(self.options.get("topics", ())))

    def cells(self, item: Any) -> list[Any]:
        return [
            plain("@" + clean(item.handle, one_line=True)),
            Text(str(item.replies), justify="right"),
            Text(format_delay(item.median_delay_s), justify="right"),
            Text(", ".join(item.topics_answered) or "–"),
            Text(", ".join(item.topics_never) or "–", style="italic"),
        ]

    def describe(self, item: Any) -> Content:
        lines = [
            Content.from_markup(
                "[b]$name[/b] @$handle · $replies · median delay $delay",
                name=clean(item.display_name, one_line=True),
                handle=clean(item.handle, one_line=True),
                replies=f"{item.replies} reply" if item.replies == 1 else f"{item.replies} replies",
                delay=format_delay(item.median_delay_s),
            ),
            Content("Latest replies:"),
        ]
        for created_at, text in item.latest:
            lines.append(Content(f"  {created_at}  {shorten(clean(text, one_line=True), 200)}"))
        if not item.latest:
            lines.append(Content("  none yet"))
        return Content("\n").join(lines)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_account()

    def action_open_account(self) -> None:
        item = self.current()
        if item is None:
            return
        self.app.push_screen(
            AmbassadorDetailScreen(
                self.db_path,
                item.key,
                config=self.options.get("config"),
                clock=self.options.get("clock"),
            )
        )


class ParodyScreen(ListScreen):
    """Parody accounts and what they reacted to."""

    TITLE_TEXT = "Parody accounts"
    EMPTY_TEXT = "No parody accounts in the store yet."
    COLUMNS = (("handle", "Account"), ("posts", "Posts"), ("reason", "Why parody"))

    def read(self, store: Store) -> list[Any]:
        return parody_summaries(store)

    def cells(self, item: Any) -> list[Any]:
        return [
            plain("@" + clean(item.handle, one_line=True)),
            Text(str(item.posts), justify="right"),
            plain(item.role_reason, one_line=True),
        ]

    def describe(self, item: Any) -> Content:
        lines = [
            Content.from_markup(
                "[b]$name[/b] @$handle\n$bio",
                name=clean(item.display_name, one_line=True),
                handle=clean(item.handle, one_line=True),
                bio=clean(item.bio) or "(no bio)",
            ),
            Content("Reactions:"),
        ]
        for reaction in item.reactions:
            target = (
                f"@{clean(reaction.target_author, one_line=True)} ({reaction.target_role or '?'}): "
                f"{shorten(clean(reaction.target_text, one_line=True), 100)}"
                if reaction.target_author
                else "(own post)"
            )
            lines.append(
                Content(
                    f"  {reaction.created_at}  {shorten(clean(reaction.text, one_line=True), 120)}"
                )
            )
            lines.append(Content(f"      ↳ on {target}"))
        if not item.reactions:
            lines.append(Content("  none yet"))
        return Content("\n").join(lines)


@dataclass(frozen=True)
class SourceHealth:
    """A source's stored state, plus what the running app saw of its last poll."""

    state: SourceState
    live_error: str | None = None

    @property
    def key(self) -> str:
        return self.state.name


def health_word(state: SourceState, live_error: str | None = None) -> str:
    if live_error or state.last_error:
        return "error"
    if state.paused_until:
        return "paused"
    if state.last_success_at:
        return "ok"
    return "waiting"


class SourcesScreen(ListScreen):
    """Each source's health: last poll, new items, paused until, last error."""

    TITLE_TEXT = "Sources"
    EMPTY_TEXT = "No source has been polled into this store yet."
    COLUMNS = (
        ("name", "Source"),
        ("health", "Health"),
        ("last_poll", "Last poll"),
        ("new", "New"),
        ("seen", "Seen"),
        ("paused", "Paused until"),
        ("error", "Last error"),
    )

    def read(self, store: Store) -> list[Any]:
        errors: dict[str, str] = dict(self.options.get("live_errors", {}))
        return [SourceHealth(s, errors.get(s.name)) for s in store.source_states()]

    def cells(self, item: Any) -> list[Any]:
        state: SourceState = item.state
        word = health_word(state, item.live_error)
        style = {"error": "bold red", "paused": "yellow", "ok": "green"}.get(word, "")
        return [
            plain(state.name, one_line=True),
            Text(word, style=style),
            Text(state.last_poll_at or "never"),
            Text(str(state.last_new), justify="right"),
            Text(str(state.items_seen), justify="right"),
            Text(state.paused_until or "–"),
            plain(shorten(clean(item.live_error or state.last_error or "–", one_line=True), 60)),
        ]

    def describe(self, item: Any) -> Content:
        state: SourceState = item.state
        return Content.from_markup(
            "[b]$name[/b] ($kind)\nlast poll $poll · last success $ok · next poll $next\n"
            "last error: $error",
            name=clean(state.name, one_line=True),
            kind=state.kind or "?",
            poll=state.last_poll_at or "never",
            ok=state.last_success_at or "never",
            next=state.next_poll_at or "?",
            error=clean(item.live_error or state.last_error or "none"),
        )
