"""The live feed: a bounded, keyed DataTable of mentions, newest at the top.

Rows are keyed by mention id. Arrivals are merged in one `batch_update()`: the cursor
stays on the mention it was on and a reader scrolled down into the feed keeps seeing the
same rows; only a reader "following" the top (cursor on the newest row, scrolled to the
top) moves along with the new rows. The table keeps at most `window` rows; older ones are
paged in from the store when the reader reaches the bottom (`NeedsOlder`).

More arrivals at once than are merged row by row (an import) are not merged: a reader at
the top gets the newest page instead, one down in the feed keeps the rows and is told how
many are new above (`top_behind`) until they go to the top (`NeedsNewest`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from filters.topic_vocab import SHORT_NAMES
from sources.model.records import utc_now
from tui.badges import reply_marker
from tui.feed_columns import (
    FIXED_COLUMNS,
    NO_TEXT,
    ROLE_BADGES,
    SOURCE_ICONS,
    column_widths,
    time_cap,
    time_label,
)
from tui.list_table import ListTable
from tui.safe_text import clean

LIVE_WINDOW = 500
"""Rows the live table keeps; more only while the reader pages back into history."""
PAGE_SIZE = 200

TOPIC_CHIPS = SHORT_NAMES
"""Short words a reader recognises for the default topics (a configured topic shows its id);
the filter line takes them as topic names too."""


class _TimeCell(Text):
    """The time cell; it carries the row's (created_at, id) so the table can sort by it."""

    sort_key: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class FeedRow:
    """What the table knows about one row."""

    id: str
    created_at: str
    url: str
    role: str = ""
    topics: tuple[str, ...] = ()
    badges: tuple[str, ...] = ()
    """An ambassador reply's badges ("co-reply 40 s with @x"); the cell shows a marker."""
    read: bool = False
    starred: bool = False
    platform: str = ""
    time_flag: str = ""
    """Why the time is not a plain one (`undated`, a surprising year), as stored."""


class FeedTable(ListTable):
    """Mentions, newest first, in a bounded window."""

    DEFAULT_CSS = """
    FeedTable { height: 1fr; }
    FeedTable > .datatable--header { text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [  # j/k come from ListTable
        Binding("g,home", "scroll_top", "Newest", show=False),
        Binding("G,end", "scroll_bottom", "Oldest loaded", show=False),
    ]

    class NewAbove(Message):
        """How many rows arrived above the reader's cursor since it left the top."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class NeedsNewest(Message):
        """The reader went to the top of a table that is behind the store (`top_behind`):
        the newest page should replace the rows."""

    class NeedsOlder(Message):
        """The reader reached the bottom: the next older page should be loaded."""

        def __init__(self, before: tuple[str, str]) -> None:
            super().__init__()
            self.before = before

    def __init__(
        self, *, tz: tzinfo | None = None, clock: Callable[[], datetime] = utc_now, **kwargs: Any
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.tz = tz
        self.clock = clock
        self.window = LIVE_WINDOW
        self.has_older = False
        """True while the store may hold older mentions than the last row."""
        self.loading_older = False
        self.known: dict[str, FeedRow] = {}
        self.new_above = 0
        """Rows that arrived above the cursor while the reader was down in the feed."""
        self.auto_selected: str | None = None
        """The row the cursor was put on by the table (first page, following new posts),
        not by the reader; None once the reader moves. Such a row is not "looked at"."""
        self.time_width = 0
        """Cells of the longest time label in the table (the Time column is that wide)."""
        self.top_behind = False
        """The store holds newer rows of the selection than the top of the table that were
        not merged (too many at once); `new_above` counts them."""
        self.time_cap = time_cap(0)
        """The cells a time label may take at this width (`time_cap`): longer ones are
        written shorter, so that old dates further down never narrow the author."""
        self.widths = column_widths(0, self.time_width)

    def on_mount(self) -> None:
        labels = [*((key, label) for key, label, _ in FIXED_COLUMNS), ("text", "Text")]
        for key, label in labels:
            self.add_column(label, key=key, width=self.widths[key])

    # --- building rows ---------------------------------------------------------------

    def _theme_color(self, name: str) -> str:
        return str(self.app.theme_variables.get(name, "")) or "default"

    def _time_cell(self, mention_id: str, created_at: str, time_flag: object) -> _TimeCell:
        label = time_label(created_at, time_flag, self.clock(), self.tz, width=self.time_cap)
        self.time_width = max(self.time_width, len(label))
        time_cell = _TimeCell(label, style="dim", end="")
        time_cell.sort_key = (created_at, mention_id)
        return time_cell

    def _cells(self, row: dict[str, Any]) -> list[Any]:
        time_cell = self._time_cell(row["id"], row["created_at"], row.get("time_flag"))
        icon = self._source_cell(row["platform"], row.get("read", False), row.get("starred", False))
        author = Text(end="", no_wrap=True, overflow="ellipsis")
        badge = ROLE_BADGES.get(row["role"])
        if badge is not None:
            author.append(badge[0], style=Style(color=self._theme_color(badge[1]), bold=True))
            author.append(" ")
        author.append(clean(row["author"] or row["author_name"] or "?", one_line=True))
        chips = self._topics_cell(row["topics"], row.get("badges", ()))
        words = clean(row["text"] or row["title"], one_line=True)
        text = Text(
            words or NO_TEXT,
            style="" if words else "dim",
            end="",
            no_wrap=True,
            overflow="ellipsis",
        )
        return [time_cell, icon, author, chips, text]

    def _source_cell(self, platform: str, read: bool, starred: bool) -> Text:
        # Each mark has a place of its own: a star never hides whether the post is read.
        cell = Text(end="", no_wrap=True)
        cell.append(
            "★" if starred else " ", style=Style(color=self._theme_color("warning"), bold=True)
        )
        cell.append(" " if read else "•", style=Style(color=self._theme_color("accent"), bold=True))
        cell.append(SOURCE_ICONS.get(platform, "?"), style="bold")
        return cell

    def show_marks(self, mention_id: str, *, read: bool, starred: bool) -> bool:
        """Show a row's new marks (False when the row is not in the table)."""
        row = self.known.get(mention_id)
        if row is None:
            return False
        self.known[mention_id] = replace(row, read=read, starred=starred)
        self.update_cell(mention_id, "src", self._source_cell(row.platform, read, starred))
        return True

    def _topics_cell(self, topics: Iterable[str], badges: Sequence[str]) -> Text:
        """The badge marker and whole topic words: the ones that do not fit are counted
        (`work pay +1`), never cut to stubs."""
        chips = Text(end="", no_wrap=True, overflow="ellipsis")
        marker = reply_marker(badges)
        if marker:
            chips.append(marker, style=Style(color=self._theme_color("warning"), bold=True))
        words = [TOPIC_CHIPS.get(t) or clean(t, one_line=True) for t in topics]
        width = self.widths["topics"]
        for index, word in enumerate(words):
            gap = " " if chips.plain else ""
            rest = len(words) - index - 1
            more = f" +{rest}" if rest else ""
            if chips.plain and len(chips.plain) + len(gap + word + more) > width:
                chips.append(f"{gap}+{len(words) - index}", style="dim")
                break
            chips.append(gap)
            chips.append(word, style="italic")
        return chips

    def _add(self, row: dict[str, Any]) -> bool:
        if row["id"] in self.known:
            return False
        self.add_row(*self._cells(row), key=row["id"])
        self.known[row["id"]] = FeedRow(
            row["id"],
            row["created_at"],
            row.get("url") or "",
            row.get("role") or "",
            tuple(row["topics"]),
            tuple(row.get("badges", ())),
            bool(row.get("read", False)),
            bool(row.get("starred", False)),
            row["platform"],
            row.get("time_flag") or "",
        )
        return True

    def refresh_rows(self, rows: list[dict[str, Any]]) -> int:
        """Show the current state of rows already in the table (a mention was updated)."""
        changed = 0
        with self.app.batch_update():
            for row in rows:
                shown = self.known.get(row["id"])
                if shown is None:
                    continue
                marks = {
                    "read": row.get("read", shown.read),
                    "starred": row.get("starred", shown.starred),
                }
                cells = self._cells({**row, **marks, "badges": shown.badges})
                for key, cell in zip(("src", "author", "topics", "text"), cells[1:], strict=True):
                    self.update_cell(row["id"], key, cell)
                self.known[row["id"]] = replace(
                    shown, role=row.get("role") or "", topics=tuple(row["topics"]), **marks
                )
                changed += 1
        return changed

    @property
    def ambassador_ids(self) -> list[str]:
        """The rows written by ambassadors (whose badges may change as replies arrive)."""
        return [r.id for r in self.known.values() if r.role == "ambassador"]

    def update_badges(self, badges: Mapping[str, Sequence[str]]) -> int:
        """Give rows their (new) badges; ids not in the table are ignored. Returns changes."""
        changed = 0
        with self.app.batch_update():
            for mention_id, found in badges.items():
                row = self.known.get(mention_id)
                if row is None or row.badges == tuple(found):
                    continue
                self.known[mention_id] = replace(row, badges=tuple(found))
                self.update_cell(mention_id, "topics", self._topics_cell(row.topics, found))
                changed += 1
        return changed

    # --- what the app calls ----------------------------------------------------------------

    @property
    def row_ids(self) -> list[str]:
        """The mention ids of the rows, top to bottom."""
        return [str(row.key.value) for row in self.ordered_rows]

    @property
    def current_id(self) -> str | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def show_page(self, rows: list[dict[str, Any]], *, limit: int) -> None:
        """Replace the rows with a fresh first page (a new filter, the first load)."""
        with self.app.batch_update():
            self.clear()
            self.known.clear()
            self.set_new_above(0)
            self.top_behind = False
            self.window = LIVE_WINDOW
            self.time_width = 0
            for row in rows:
                self._add(row)
            self.fit_columns()
        self.auto_selected = self.current_id
        self.has_older = len(rows) >= limit
        self.loading_older = False

    def append_older(
        self, rows: list[dict[str, Any]], *, limit: int, below: tuple[str, str] | None = None
    ) -> None:
        """Add a page of older mentions at the bottom (they are older than every row). A
        page read `below` another last row (rows were let go or read again meanwhile)
        would leave a gap: it is asked for again from the last row now."""
        if below is not None and below != self.oldest():
            self.loading_older = False
            self._maybe_need_older()
            return
        with self.app.batch_update():
            added = sum(self._add(row) for row in rows)
            self.fit_columns()
        self.window += added
        self.has_older = len(rows) >= limit
        self.loading_older = False

    def merge_arrivals(self, rows: list[dict[str, Any]]) -> int:
        """Merge new mentions into place without moving the reader; returns rows added.

        One older than the last row while older ones are still to be paged in is left to
        that page (at the bottom, the next page would start below it, past the rows
        between); one newer than the reader's row of a table behind the store is counted
        above it instead (`top_behind`)."""
        bottom = self.oldest() if self.has_older else None
        reading = self.cursor_key() if self.top_behind else None
        rows = [
            r
            for r in rows
            if (bottom is None or (r["created_at"], r["id"]) > bottom)
            and (reading is None or (r["created_at"], r["id"]) < reading)
        ]
        if not rows:
            return 0
        following = self.following
        cursor_id = self.current_id
        old_index = self.cursor_row
        top_index = int(self.scroll_y)
        order = self.row_ids
        top_id = order[top_index] if top_index < len(order) else None
        with self.app.batch_update():
            added = sum(self._add(row) for row in rows)
            if not added:
                return 0
            self.fit_columns()
            self.sort("time", key=lambda cell: cell.sort_key, reverse=True)
            self._trim(keep=cursor_id)
            if following or cursor_id is None:
                self.move_cursor(row=0, scroll=False)
                self.auto_selected = self.current_id
                return added
            target: int | None = None
            if cursor_id in self.known:
                # The cursor keeps its mention and its line on screen: what arrived above
                # it pushes the view down by as many rows and is counted ("N new above").
                new_index = self.get_row_index(cursor_id)
                self.move_cursor(row=new_index, scroll=False)
                shift = new_index - old_index
                if shift > 0:
                    self.set_new_above(self.new_above + shift)
                    target = top_index + shift
            elif top_index > 0 and top_id in self.known:
                target = self.get_row_index(top_id)
            if target is not None:
                self.call_after_refresh(self.scroll_to, y=target, animate=False, immediate=True)
        return added

    def fall_behind(self) -> None:
        """More arrived than is merged row by row: the rows above the reader's stay, and the
        top is behind the store until the reader goes there (`new_above` counts what it
        leaves out); the rows below are read again from the store, where the arrivals
        older than the reader's row now sit among them."""
        self.top_behind = True
        below = self.row_ids[self.cursor_row + 1 :]
        with self.app.batch_update():
            for mention_id in below:
                self.remove_row(mention_id)
                del self.known[mention_id]
        self.has_older = True
        self.loading_older = False  # a page still on its way below the old last row is dropped
        self._maybe_need_older()

    @property
    def following(self) -> bool:
        """The reader is at the top (cursor on the first row, not scrolled), or no row is
        shown: new rows come in above and the cursor goes along with them."""
        return self.current_id is None or (self.cursor_row == 0 and self.scroll_y == 0)

    def cursor_key(self) -> tuple[str, str] | None:
        """(created_at, id) of the row under the cursor."""
        row = self.known.get(self.current_id or "")
        return None if row is None else (row.created_at, row.id)

    def set_new_above(self, count: int) -> None:
        if count != self.new_above:
            self.new_above = count
            self.post_message(self.NewAbove(count))

    def _trim(self, *, keep: str | None) -> None:
        ids = self.row_ids
        for mention_id in ids[self.window :]:
            if mention_id == keep:
                continue
            self.remove_row(mention_id)
            del self.known[mention_id]
            self.has_older = True

    def oldest(self) -> tuple[str, str] | None:
        ids = self.row_ids
        if not ids:
            return None
        last = self.known[ids[-1]]
        return (last.created_at, last.id)

    # --- paging back ---------------------------------------------------------------------

    def _maybe_need_older(self) -> None:
        if not self.has_older or self.loading_older or not self.row_count:
            return
        near_bottom = self.cursor_row >= self.row_count - 3 or (
            self.max_scroll_y > 0 and self.scroll_y >= self.max_scroll_y - 1
        )
        oldest = self.oldest()
        if near_bottom and oldest is not None:
            self.loading_older = True
            self.post_message(self.NeedsOlder(oldest))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._maybe_need_older()

    def action_scroll_top(self) -> None:
        super().action_scroll_top()
        self._ask_newest()  # the cursor may have been on the first row already

    def _ask_newest(self) -> None:
        if self.top_behind and self.cursor_row == 0:
            self.post_message(self.NeedsNewest())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.top_behind:
            self._ask_newest()  # the rows above are not all there: reaching the top loads them
        else:
            # Walking up through the new rows counts them as seen.
            self.set_new_above(min(self.new_above, self.cursor_row))
        if self.current_id != self.auto_selected:
            self.auto_selected = None  # the reader moved
        self._maybe_need_older()

    # --- width ------------------------------------------------------------------------------

    def fit_columns(self) -> None:
        """Give the columns their widths for this width and the time labels shown
        (`tui.feed_columns.column_widths`); topic cells are laid out again for theirs."""
        cap = time_cap(self.size.width)
        if cap != self.time_cap:
            self.time_cap = cap
            self._write_times_again()
        widths = column_widths(self.size.width, self.time_width)
        if widths == self.widths or "text" not in self.columns:
            return
        topics_changed = widths["topics"] != self.widths["topics"]
        self.widths = widths
        for key, width in widths.items():
            self.columns[key].width = width  # type: ignore[index]
        if topics_changed:
            for mention_id, row in self.known.items():
                self.update_cell(mention_id, "topics", self._topics_cell(row.topics, row.badges))
        # Rows drawn at the old widths are cached; DataTable recomputes its virtual size on
        # the next idle when told the dimensions changed.
        self._clear_caches()
        self._require_update_dimensions = True
        self.refresh()

    def _write_times_again(self) -> None:
        """Every time cell in the forms that fit `time_cap` now (the feed was resized)."""
        self.time_width = 0
        with self.app.batch_update():
            for mention_id, row in self.known.items():
                cell = self._time_cell(mention_id, row.created_at, row.time_flag)
                self.update_cell(mention_id, "time", cell)

    def on_resize(self) -> None:
        self.fit_columns()
        # A smaller table keeps its scroll offset: the row under the cursor (the post the
        # reading pane shows) could be left off screen. Once the new size is laid out,
        # scroll just enough to show it again.
        self.call_after_refresh(self._keep_cursor_in_view)

    def _keep_cursor_in_view(self) -> None:
        if self.row_count and self.is_attached:
            self._scroll_cursor_into_view(animate=False)
