"""The list views: ambassadors and parody accounts (sources: `tui.sources_view`).

Each is a screen with a table on top and the highlighted row's detail below. Data is
read in a worker with its own read-only store; nothing here blocks the screen.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from sources.model.config import Config
from sources.model.counted import counted
from sources.model.records import utc_now
from sources.model.text import format_delay
from tui import timefmt
from tui.account_view import (
    account_screen,
    account_summary,
    post_content,
    post_sections,
    target_content,
)
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.badges import NOTE, Badge, badge_text, profile_badges
from tui.fitted_footer import FittedFooter
from tui.gateway import (
    AccountPage,
    AmbassadorProfile,
    EvidencePost,
    Reader,
    ambassador_profiles,
    evidence_posts,
    read_parody_accounts,
    reading,
)
from tui.list_table import ListTable
from tui.over_feed import OverFeedScreen
from tui.safe_text import clean, shorten, shown_name
from tui.thread_rows import display_tz

NARROW_WIDTH = 100


ENTRY_INDENT = 4
"""Cells the wrapped lines of an entry in a list's detail pane are indented by."""


class ListScreen(OverFeedScreen):
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
        table = ListTable(cursor_type="row", id="list-table")
        yield table
        with VerticalScroll(id="list-detail"):
            yield Static(Content("Loading…"), id="list-detail-text")
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = self.TITLE_TEXT
        table = self.query_one(DataTable)
        widths = self.column_widths()
        for key, label in self.COLUMNS:
            table.add_column(label, key=key, width=widths.get(key))
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="list")
    def load(self) -> None:
        with reading(self.db_path) as store:
            items = self.read(store)
        self.post_message(self.Loaded(items))

    def read(self, store: Reader) -> list[Any]:
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
        self.fill_table()
        detail = self.query_one("#list-detail-text", Static)
        item = self.current()  # after a reload, still the row the reader was on
        detail.update(Content(self.EMPTY_TEXT) if item is None else self.describe(item))

    def fill_table(self) -> None:
        """(Re)build the rows from `items`, keeping the cursor on the same row."""
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        with self.app.batch_update():
            for key, width in self.column_widths().items():
                if key in table.columns:
                    table.columns[key].width = width  # type: ignore[index]
            table.clear()
            for item in self.items:
                cells = self.cells(item)
                table.add_row(*cells, key=self.key_of(item), height=self.row_height(cells))
            if 0 < cursor < table.row_count:
                table.move_cursor(row=cursor, animate=False)

    def column_widths(self) -> dict[str, int]:
        """Fixed widths of some columns (the others fit their content)."""
        return {}

    def row_height(self, cells: list[Any]) -> int:
        return 1

    def on_resize(self) -> None:
        table = self.query_one(DataTable)
        widths = self.column_widths()
        if any(
            k in table.columns and table.columns[k].width != w  # type: ignore[index]
            for k, w in widths.items()
        ):
            self.fill_table()  # cells may be laid out by the width (the ambassadors' badges)
        item = self.current()
        if item is not None:  # entries are wrapped for the pane's width (`entry_lines`)
            self.query_one("#list-detail-text", Static).update(self.describe(item))

    def entry_lines(self, entry: Content) -> list[Content]:
        """One entry of a list in the detail pane, wrapped to its width with every further
        line indented: a long entry stays apart from the next (as the parody page's)."""
        pane = self.query_one("#list-detail-text", Static).size.width
        width = pane or (self.size.width - 4 if self.size.width else 76)
        first, *rest = entry.wrap(max(8, width - ENTRY_INDENT)) or [entry]
        return [first, *(Content(" " * ENTRY_INDENT) + line for line in rest)]

    def theme_color(self, name: str) -> str:
        return str(self.app.theme_variables.get(name, "")) or "default"

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


@dataclass(frozen=True)
class AmbassadorItem:
    """One ambassador account: its profile (every signal) and its newest replies."""

    profile: AmbassadorProfile
    badges: tuple[Badge, ...]
    latest: tuple[EvidencePost, ...]

    @property
    def key(self) -> str:
        return self.profile.key


def ambassador_items(
    store: Reader, config: Config, now: datetime, *, latest: int = 3
) -> list[AmbassadorItem]:
    """Every ambassador with its badges and newest replies, the busiest first."""
    items = []
    for profile in ambassador_profiles(store, config, now):
        newest = evidence_posts(store, profile.reply_ids[-latest:] if latest else ())
        items.append(
            AmbassadorItem(
                profile,
                tuple(profile_badges(profile)),
                tuple(sorted(newest.values(), key=lambda p: (p.created_at, p.id), reverse=True)),
            )
        )
    items.sort(key=lambda i: (-i.profile.replies, i.profile.handle.lower()))
    return items


class AmbassadorsScreen(ListScreen):
    """Ambassador accounts: replies, median delay, and their signals as compact badges."""

    TITLE_TEXT = "Ambassadors"
    EMPTY_TEXT = "No ambassador accounts in the store yet."
    COLUMNS = (
        ("handle", "Account"),
        ("replies", "Replies"),
        ("delay", "Median delay"),
        ("signals", "Signals"),
    )
    BINDINGS: ClassVar[list[Any]] = [
        *ListScreen.BINDINGS,
        Binding("enter", "open_account", "Signals", show=True),
    ]
    DEFAULT_CSS = """
    AmbassadorsScreen DataTable { height: auto; max-height: 65%; }
    AmbassadorsScreen #list-detail { height: 1fr; }
    """

    def read(self, store: Reader) -> list[Any]:
        clock = self.options.get("clock") or utc_now
        return ambassador_items(store, self.options.get("config") or Config(), clock())

    def column_widths(self) -> dict[str, int]:
        handles = [len(clean(i.profile.handle, one_line=True)) + 1 for i in self.items]
        widths = {"handle": min(20, max([8, *handles])), "replies": 7, "delay": 12}
        padding = 2 * self.query_one(DataTable).cell_padding * len(self.COLUMNS)
        # The badges get what the other columns leave (2 cells for the scroll bar).
        left = self.size.width - sum(widths.values()) - padding - 2
        return {**widths, "signals": max(16, left)}

    @property
    def narrow(self) -> bool:
        """Below 100 columns the badges that are only context (notes) stay in the panel."""
        return self.size.width < NARROW_WIDTH

    def cells(self, item: Any) -> list[Any]:
        profile: AmbassadorProfile = item.profile
        width = self.column_widths()["signals"]
        badges = [b for b in item.badges if b.kind != NOTE] if self.narrow else item.badges
        return [
            Text(
                "@" + clean(profile.handle, one_line=True),
                end="",
                no_wrap=True,
                overflow="ellipsis",
            ),
            Text(str(profile.replies), justify="right"),
            Text(format_delay(profile.median_reply_delay_seconds), justify="right"),
            badge_text(badges, self.badge_color, width),
        ]

    def badge_color(self, kind: str) -> str:
        return self.theme_color("success" if kind == "good" else "warning")

    def row_height(self, cells: list[Any]) -> int:
        return max(1, len(cells[-1].plain.split("\n")))

    def describe(self, item: Any) -> Content:
        profile: AmbassadorProfile = item.profile
        replies = profile.replies
        lines = [
            Content.from_markup(
                "[b]$name[/b] @$handle · $replies · median delay $delay, fastest $fastest",
                name=shown_name(profile.display_name),
                handle=shown_name(profile.handle),
                replies=counted(replies, "reply", "replies"),
                delay=format_delay(profile.median_reply_delay_seconds),
                fastest=format_delay(profile.fastest_reply_delay_seconds),
            ),
            Content(f"answers: {', '.join(profile.topics_answered) or 'nothing yet'}"),
        ]
        for finding in profile.findings:
            mark = "⚠" if finding.severity == "warning" else "·"
            label = clean(finding.label, one_line=True)
            line = f"{mark} {label}"
            lines.append(
                Content.styled(line, "$warning") if finding.severity == "warning" else Content(line)
            )
        lines.append(Content("Latest replies (enter: every signal with its evidence):"))
        when = timefmt.for_app(self.app)
        for post in item.latest:
            text = shorten(clean(post.text, one_line=True), 200)
            lines.extend(self.entry_lines(Content(f"  {when(post.created_at)}  {text}")))
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
    """Parody accounts like the ambassadors: the list, the selected one's reactions in full
    under it, and `enter` for its page (each reaction a row that opens its thread)."""

    TITLE_TEXT = "Parody accounts"
    EMPTY_TEXT = "No parody accounts in the store yet."
    COLUMNS = (("handle", "Account"), ("posts", "Posts"), ("reason", "Why parody"))
    BINDINGS: ClassVar[list[Any]] = [
        *ListScreen.BINDINGS,
        Binding("enter", "open_account", "Reactions", show=True),
    ]
    # The list takes the rows it has (no empty lines under three accounts); the reactions
    # get the rest of the height.
    DEFAULT_CSS = """
    ParodyScreen DataTable { height: auto; max-height: 40%; }
    ParodyScreen #list-detail { height: 1fr; }
    """

    @work(thread=True, exclusive=True, exit_on_error=False, group="list")
    def load(self) -> None:
        self.post_message(self.Loaded(read_parody_accounts(self.db_path)))

    def column_widths(self) -> dict[str, int]:
        handles = [len(clean(i.handle, one_line=True)) + 1 for i in self.items]
        widths = {"handle": min(30, max([8, *handles])), "posts": 5}
        padding = 2 * self.query_one(DataTable).cell_padding * len(self.COLUMNS)
        # The reason gets what is left (2 cells for the scroll bar) and wraps in it, so
        # no part of it is cut off at 80 columns.
        left = self.size.width - sum(widths.values()) - padding - 2
        return {**widths, "reason": max(20, left)}

    def cells(self, item: Any) -> list[Any]:
        width = self.column_widths()["reason"]
        reason = textwrap.wrap(clean(item.role_reason, one_line=True), width) or ["–"]
        return [
            Text(
                "@" + clean(item.handle, one_line=True),
                end="",
                no_wrap=True,
                overflow="ellipsis",
            ),
            Text(str(item.posts), justify="right"),
            Text("\n".join(reason[:3]), end="", no_wrap=True, overflow="ellipsis"),
        ]

    def row_height(self, cells: list[Any]) -> int:
        return max(1, len(cells[-1].plain.split("\n")))

    def now(self) -> datetime:
        clock = self.options.get("clock") or utc_now
        return clock()

    def describe(self, item: Any) -> Content:
        page: AccountPage = item
        now, tz = self.now(), display_tz(self.app)
        lines = [account_summary(page)]
        for section in post_sections(page):
            how = (
                "enter: the account, each reaction a way into its thread"
                if section.name == "Reactions"
                else "enter: the account"
            )
            lines.extend([Content(""), Content.styled(section.heading(how), "b")])
            for post in section.posts:
                lines.append(Content(""))
                lines.append(post_content(post, page.platform, now, tz))
                if post.target_id and (post.target_text or post.target_author):
                    lines.append(target_content(post, page.platform))
            if not section.posts:
                lines.append(Content(section.none_shown(page)))
        return Content("\n").join(lines)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_account()

    def action_open_account(self) -> None:
        item = self.current()
        if item is not None:
            self.app.push_screen(
                account_screen(self.db_path, item.key, self.now(), self.options.get("config"))
            )
