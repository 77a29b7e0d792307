"""The filter bar: the query input (shown while editing), the active filter line, its errors.

The bar turns query text into a `Selection` through `cache.read.search.query_selection` (the
one entry point from text to SQL). A mistake is shown under the input with a caret at
its column and the old filter stays in force; a good query hides the input and says so
with `Applied`. The topic chosen in the side panel is shown on the same line, so the
whole selection is always visible; the app owns the topic and tells the bar.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from filters.views import SavedView
from tui.gateway import QueryError, Selection, query_selection
from tui.keys import describe_query_error
from tui.safe_text import clean

PLACEHOLDER = "topic:pay lang:de role:ambassador, or words"
MOST_LINES = 3
"""The filter line's height at most: a long query is cut with `…` (the bar holds it all),
so the feed, its count and its headers stay on screen."""


class FilterInput(Input):
    """The query input; the footer names its `enter` while a filter is typed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Apply")]


class FilterBar(Vertical):
    """The query input and the line under it that always shows what the feed selects."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar #filter { margin: 0; }
    FilterBar #filter-line { height: auto; padding: 0 1; color: $text-muted; }
    FilterBar #filter-line.-error { color: $error; background: $error 10%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown while the input has the focus: the footer then names what typing allows.
        Binding(
            "escape", "app.clear_filter", "Cancel", tooltip="Cancel the edit; the filter stays"
        ),
        Binding("ctrl+s", "save_view", "Save as view", tooltip="Save the filter as a view"),
    ]

    class SaveRequested(Message):
        """The reader asked to save the filter in force as a view (ctrl+s in the bar)."""

    class Applied(Message):
        """A new filter is in force (text "" = none): the feed should be read again."""

        def __init__(self, text: str, selection: Selection) -> None:
            super().__init__()
            self.text = text
            self.selection = selection

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        topics: Sequence[str],
        rare_topics: Callable[[], Collection[str]] = tuple,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.topics = list(topics)
        """The configured topic ids the query language accepts in `topic:`."""
        self.rare_topics = rare_topics
        """The topics with few mentions in the store now (they are listed, not probed)."""
        self.text = ""
        self.selection = Selection()
        self.error: str | None = None
        self.mistake: tuple[str, QueryError] | None = None
        """The query and its error on show: described again for the line's width."""
        self.topic: str | None = None
        """The topic chosen in the side panel (shown here; the app keeps it)."""
        self.view: SavedView | None = None
        """The saved view in force (its query is `text`), or None."""
        self.searching = False
        """A new selection is being read: the rows below are still the old ones."""
        self.matches: str | None = None
        """How many mentions the selection matches ("37", "more than 10,000"), once counted."""

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=PLACEHOLDER, id="filter")
        yield Static(id="filter-line")

    def on_mount(self) -> None:
        field = self.input
        field.display = False
        if self.app.is_headless:
            field.cursor_blink = False
        self.show_line()

    @property
    def input(self) -> Input:
        return self.query_one("#filter", Input)

    @property
    def editing(self) -> bool:
        return bool(self.input.display)

    @property
    def query_text(self) -> str:
        """The whole selection as query text (for exports and the line)."""
        parts = [self.text]
        if self.topic:
            parts.append(f"topic:{self.topic}")
        return " ".join(p for p in parts if p)

    def open(self) -> None:
        """Show the input with the active query in it, ready to edit."""
        field = self.input
        field.display = True
        field.value = self.text
        # At once, not by `focus()` (which waits behind the queued messages): keys typed
        # right after `/` are already queued and must reach the input, not the feed.
        self.screen.set_focus(field)

    @on(Input.Submitted, "#filter")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply(event.value)

    def action_save_view(self) -> None:
        """Apply what is typed (if it changed), then ask the app to save it as a view."""
        if self.editing and not self.apply(self.input.value):
            return  # the mistake is on show; nothing to save yet
        self.post_message(self.SaveRequested())

    def apply(self, text: str, *, view: SavedView | None = None) -> bool:
        """Use `text` as the filter; on a mistake show where and keep the old filter.

        `view`: the saved view whose query `text` is. Without one, the view in force stays
        only while its query does (editing it into another filter ends the view).
        """
        try:
            selection = query_selection(
                text, self.clock(), topics=self.topics, rare_topics=self.rare_topics()
            )
        except QueryError as exc:
            self.show_error(describe_query_error(text, exc), mistake=(text, exc))
            position = getattr(exc, "position", None)
            if isinstance(position, int):  # put the cursor on the mistake (1-based column)
                self.input.cursor_position = max(0, position - 1)
            return False
        self.error = None
        self.text = text.strip()
        self.selection = selection
        if view is not None or (self.view is not None and self.view.query != self.text):
            self.view = view
        self.input.display = False
        self.start_search()
        self.post_message(self.Applied(self.text, selection))
        return True

    def cancel_edit(self) -> None:
        """Close the input and drop what was typed and its error; the filter stays."""
        self.input.display = False
        self.input.value = self.text
        self.error = None
        self.show_line()

    def start_search(self) -> None:
        """The selection changed: say so until its rows are on screen (`found`)."""
        self.searching, self.matches = True, None
        self.show_line()

    def found(self, matches: str | None) -> None:
        """The rows of the selection are on screen; `matches` once they are counted."""
        self.searching, self.matches = False, matches
        self.show_line()

    def reset(self) -> bool:
        """Close the input and forget the query and any error; True if the query changed."""
        field = self.input
        field.display = False
        field.value = ""
        self.error = None
        had_query = bool(self.text)
        self.view = None
        self.text = ""
        self.selection = Selection()
        if had_query:
            self.start_search()
        else:
            self.show_line()
        return had_query

    def set_topic(self, topic: str | None) -> None:
        self.topic = topic
        self.show_line()

    def show_error(self, text: str, *, mistake: tuple[str, QueryError] | None = None) -> None:
        """An error in red under the input until the next good filter or escape; a
        `mistake` in the query is shown at the line's width, the caret under it."""
        self.error = text
        self.mistake = mistake
        self.show_line()

    def on_resize(self) -> None:
        self.show_line()  # the query and the caret are cut to the line's width

    def show_line(self) -> None:
        line = self.query_one("#filter-line", Static)
        if self.error is None:
            self.mistake = None
        elif self.mistake is not None:
            text, exc = self.mistake
            self.error = describe_query_error(text, exc, self._line_width(line))
        line.set_class(bool(self.error), "-error")
        if self.error:
            line.update(Content.from_markup("[b $error]$error_text[/]", error_text=self.error))
            return
        line.update(self._fitted_line(line))

    def _fitted_line(self, line: Static) -> Content:
        """The line for what is in force, at most `MOST_LINES` high at the line's width:
        the query keeps as much of its start as fits, then `…`; the count and keys stay."""
        width, rules = self._line_width(line), line.styles.get_rules()
        query = clean(self.query_text, one_line=True)
        title = clean(self.view.title, one_line=True) if self.view is not None else ""
        whole = self._state_line(title, query)
        if not width or whole.get_height(rules, width) <= MOST_LINES:
            return whole
        # A label is only the view's name: half a line of it at most.
        title = Content(title).truncate(max(8, width // 2), ellipsis=True).plain

        def fits(kept: int) -> bool:
            shown = self._state_line(title, query[:kept] + "…")
            return shown.get_height(rules, width) <= MOST_LINES

        kept, too_many = 0, min(len(query), MOST_LINES * width) + 1
        while too_many - kept > 1:  # the most characters of the query that fit
            middle = (kept + too_many) // 2
            kept, too_many = (middle, too_many) if fits(middle) else (kept, middle)
        return self._state_line(title, query[:kept].rstrip() + "…")

    def _state_line(self, title: str, query: str) -> Content:
        """The line without an error: what is in force (`query` as it fits) and its count."""
        if self.searching:
            return Content.from_markup(
                "[b $warning]searching…[/] $query", query=query or "all mentions"
            )
        if self.view is not None:
            return Content.from_markup(
                "[b]view:[/b] [b $accent]$title[/]  $query$count  [dim](/ edit · esc clear)[/dim]",
                title=title,
                query=query,
                count=self._count_text(),
            )
        if self.query_text:
            return Content.from_markup(
                "[b]filter:[/b] $query$count  [dim](/ edit · esc clear)[/dim]",
                query=query,
                count=self._count_text(),
            )
        return Content.from_markup(
            "[dim]no filter$count · / to filter[/dim]", count=self._count_text(noun="mention")
        )

    def _line_width(self, line: Static) -> int:
        """Cells a line of the filter line holds (0 before the first layout: no limit)."""
        padding = line.styles.padding
        return max(0, self.size.width - padding.left - padding.right) if self.size.width else 0

    def _count_text(self, noun: str = "match") -> str:
        """` · 1 match`, ` · 12 matches`, ` · 1 mention`: `noun` in the singular; the count
        is text (`10,000+`), so only exactly `1` keeps it so."""
        if self.matches is None:
            return ""
        if self.matches == "0" and self.query_text:
            return " · no mentions match"  # the query is on the line already
        if self.matches != "1":
            noun += "es" if noun.endswith("ch") else "s"
        return f" · {self.matches} {noun}"
