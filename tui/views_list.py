"""The saved views on screen: the list (`v`) with each view's count in the topic window,
the dialog that names the current filter to save it as a view, and the one that asks
before `d` deletes a view from the config file.

View names and labels come from the user's config; they are still shown literally
(never as markup), like every other text on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from filters.topics import topic_ids
from filters.views import (
    NAME_RULE,
    SavedView,
    check_views,
    query_problem,
    saved_views,
    view_name_problem,
)
from sources.model.config import Config
from tui import timefmt
from tui.gateway import CountsEnd, Reader, ViewCount, counts_end, view_counts
from tui.safe_text import clean, plain
from tui.topics_panel import TopicPanel, counted_until
from tui.views import ListScreen


@dataclass(frozen=True)
class ViewWindow:
    """What the list counts: the topic panel's window, ending now or at the newest mention."""

    name: str
    length: timedelta
    ends_at_newest: bool
    rare_topics: Collection[str] = ()


@dataclass(frozen=True)
class _Counted:
    """A view's row: its counts, and the window and end they were counted in."""

    count: ViewCount
    window: ViewWindow
    end: CountsEnd

    @property
    def view(self) -> SavedView:
        return self.count.view


class SavedViewsScreen(ListScreen):
    """Every saved view with its count in the current topic window; enter uses one."""

    EMPTY_TEXT = (
        "No saved views yet. Filter with /, then press ctrl+s in the filter bar to save "
        "the filter as a view (or add a [views] table to the config)."
    )
    COLUMNS = (("view", "View"), ("count", "Count"), ("alert", "Alert"), ("query", "Query"))
    BINDINGS: ClassVar[list[Any]] = [
        *ListScreen.BINDINGS,
        Binding("enter", "choose", "Use view", show=True),
        Binding("t", "next_window", "1h/24h/7d"),
        Binding("d", "delete_view", "Delete"),
    ]

    class Chosen(Message):
        """The reader picked a view to use as the filter."""

        def __init__(self, view: SavedView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        db_path: Path,
        *,
        views: list[SavedView],
        config: Config,
        window: ViewWindow,
        clock: Callable[[], datetime],
        next_window: Callable[[], ViewWindow] | None = None,
        delete: Callable[[SavedView], None] | None = None,
        reread: Callable[[], list[SavedView]] | None = None,
    ) -> None:
        super().__init__(db_path)
        self.views = list(views)
        self.reread = reread
        """The views as the config file has them now (`SavedViews.reread`): the list is
        read again when it opens and on `r`, so a view added or removed by hand shows."""
        self.config = config
        self.window = window
        self.clock = clock
        self.next_window = next_window
        """Moves the topic panel to its next window and says which: `t` here moves both."""
        self.delete = delete
        """Asks, then deletes the view (`SavedViews.ask_and_delete`)."""
        self.end: CountsEnd | None = None
        self.TITLE_TEXT = f"Saved views · counts in the last {window.name}"

    def action_reload(self) -> None:
        if self.reread is not None:
            self.views = self.reread()
        super().action_reload()

    def read(self, store: Reader) -> list[Any]:
        window = self.window
        end = counts_end(store, self.clock(), to_newest=window.ends_at_newest)
        windows = [(window.name, window.length)]
        rare = window.rare_topics
        counts = view_counts(store, self.views, self.config, end.at, windows, rare=rare)
        return [_Counted(count, window, end) for count in counts]

    def fill_table(self) -> None:
        # The rows carry the window and the end they were counted in: the title follows
        # them, not a `t` pressed while they were read.
        if self.items:
            first: _Counted = self.items[0]
            self.title = self.window_title(first.window, first.end)
        super().fill_table()

    def window_title(self, window: ViewWindow, end: CountsEnd) -> str:
        until = counted_until(end, timefmt.for_app(self.app))
        return f"Saved views · counts in the {window.name} {until}"

    def action_next_window(self) -> None:
        if self.next_window is not None:
            self.window = self.next_window()
            self.title = f"Saved views · counts in the last {self.window.name}"
            self.action_reload()

    def key_of(self, item: Any) -> str:
        return str(item.count.view.name)

    def cells(self, item: Any) -> list[Any]:
        count: ViewCount = item.count
        return [
            plain(count.view.title, one_line=True),
            Text(str(count.counts.get(item.window.name, 0)), justify="right"),
            Text("alert" if count.view.alert else ""),
            plain(count.view.query, one_line=True),
        ]

    def describe(self, item: Any) -> Content:
        count: ViewCount = item.count
        view = count.view
        alert = "spike alerts: on" if view.alert else "spike alerts: off (alert = true turns on)"
        return Content.from_markup(
            "[b]$title[/b] ($name)\nquery: $query\n$count mentions in the $window $until · "
            "$alert\n[dim]enter: use it as the filter · t: 1h/24h/7d · d: delete · "
            "escape: back[/dim]",
            title=clean(view.title, one_line=True),
            name=clean(view.name, one_line=True),
            query=clean(view.query, one_line=True),
            count=str(count.counts.get(item.window.name, 0)),
            window=item.window.name,
            until=counted_until(item.end, timefmt.for_app(self.app)),
            alert=alert,
        )

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    def action_choose(self) -> None:
        item = self.current()
        if item is None:
            return
        self.app.pop_screen()
        self.app.post_message(self.Chosen(item.count.view))

    def action_delete_view(self) -> None:
        item = self.current()
        if item is not None and self.delete is not None:
            self.delete(item.count.view)

    def views_changed(self, views: list[SavedView]) -> None:
        """A view was deleted: list the ones left."""
        self.views = list(views)
        self.action_reload()


class SaveViewDialog(ModalScreen[str | None]):
    """Asks for the name of a new view; refuses a name in use or one that cannot be a key,
    and any name for a filter the config loader would refuse as a view's query."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    SaveViewDialog { align: center middle; }
    SaveViewDialog > Vertical {
        width: 70; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 0 1;
    }
    SaveViewDialog #save-view-error { color: $error; height: auto; }
    """

    def __init__(
        self, query: str, taken: Collection[str], where: str, query_problem: str | None = None
    ) -> None:
        super().__init__()
        self.filter_query = query
        self.taken = set(taken)
        self.where = where
        self.query_problem = query_problem
        """Why the loader would refuse the filter as a view (`filters.views.query_problem`)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(f"Save the filter as a view, {self.where}:"))
            yield Static(
                Content.styled(clean(self.filter_query, one_line=True), "bold"),
                id="save-view-query",
            )
            yield Static(Content(f"Name: {NAME_RULE}. Enter saves, escape cancels."))
            yield Input(placeholder="strike_de", id="save-view-name")
            yield Static(Content(""), id="save-view-error")

    def on_mount(self) -> None:
        field = self.query_one("#save-view-name", Input)
        if self.app.is_headless:
            field.cursor_blink = False
        field.focus()
        if self.query_problem:  # said before a name is typed in vain
            self.query_one("#save-view-error", Static).update(Content(self.problem("") or ""))

    @on(Input.Submitted, "#save-view-name")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        problem = self.problem(name)
        if problem:
            self.query_one("#save-view-error", Static).update(Content(problem))
            return
        self.dismiss(name)

    def problem(self, name: str) -> str | None:
        if self.query_problem:
            return (
                f"This filter cannot be a view: {self.query_problem}\n"
                "Escape goes back to the filter."
            )
        if not name:
            return "Give the view a name."
        if problem := view_name_problem(name):
            return f"{problem[0].upper()}{problem[1:]}."
        if name in self.taken:
            return f"A view named {name!r} exists already: choose another name."
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteViewDialog(ModalScreen[bool]):
    """Asks before a view is deleted: deleting rewrites the user's config file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Delete"),
        Binding("n,escape", "answer(False)", "Keep"),
    ]
    DEFAULT_CSS = """
    DeleteViewDialog { align: center middle; }
    DeleteViewDialog > Vertical {
        width: 70; max-width: 95%; height: auto; border: round $error;
        background: $surface; padding: 0 1;
    }
    """

    def __init__(self, view: SavedView, where: str) -> None:
        super().__init__()
        self.view = view
        self.where = where

    def compose(self) -> ComposeResult:
        view = self.view
        with Vertical():
            yield Static(
                Content(
                    f"Delete the view {clean(view.name, one_line=True)} "
                    f"({clean(view.query, one_line=True)})? {self.where}"
                ),
                id="delete-view-question",
            )
            yield Static(Content("y deletes it, n or escape keeps it."))

    def action_answer(self, delete: bool) -> None:
        self.dismiss(delete)


class SavedViews:
    """The monitor's saved views: the list, using one as the filter, saving the filter.

    Kept out of `MonitorApp` so the app only routes keys and messages here. A saved view
    is written to `views_file` (created if missing); without one (the demo, whose config
    is bundled) it is kept for the session and the reader is told so.
    """

    def __init__(self, app: Any, views: list[SavedView], views_file: Path | None) -> None:
        self.app = app
        self.views = list(views)
        self.views_file = views_file
        self.session_only: set[str] = set()
        """Views saved without a file to write (the demo, --read-only): in no config."""

    def open_list(self) -> None:
        self.app.show_view(
            SavedViewsScreen(
                self.app.options.db_path,
                views=self.views,
                config=self.app.options.config,
                window=self.window(),
                clock=self.app.clock,
                next_window=self.next_window,
                delete=self.ask_and_delete,
                reread=self.reread,
            )
        )

    def reread(self) -> list[SavedView]:
        """The views of the config file in use as it is now (edited by hand while the
        monitor runs), checked against the topics the monitor runs with, and those kept
        for this session; when the file does not load, the list as it was, and why."""
        from sources.model.config import ConfigError, load_config

        running = self.app.options.config
        path = running.path
        if path is None or not path.is_file():
            return self.views
        try:
            edited = load_config(path)
            views = saved_views(replace(running, views=edited.views))
        except ConfigError as exc:
            self.app.notify(
                f"Saved views not read again: {exc}", severity="warning", timeout=15, markup=False
            )
            return self.views
        names = {view.name for view in views}
        kept = [v for v in self.views if v.name in self.session_only and v.name not in names]
        self.views = [*views, *kept]
        return self.views

    def _panel(self) -> TopicPanel:
        return self.app.query_one(TopicPanel)  # the app queries its default screen

    def window(self) -> ViewWindow:
        panel = self._panel()
        return ViewWindow(panel.window_name, panel.window, panel.ends_at_newest, panel.rare_topics)

    def next_window(self) -> ViewWindow:
        """The topic panel's next window (it reads its counts again), for the list."""
        self.app.action_next_window()
        return self.window()

    def use(self, view: SavedView) -> None:
        """Make `view` the filter (the side panel's topic is dropped: the view is the filter)."""
        app = self.app
        app.topic = None
        app.filter_bar.set_topic(None)
        app.query_one(TopicPanel).chosen = None
        if app.filter_bar.apply(view.query, view=view):
            app.refresh_topics()

    def ask_and_save(self) -> None:
        query = self.app.query_text
        if not query:
            self.app.notify(
                "Nothing to save: filter with / first, then save the filter as a view.",
                severity="warning",
                markup=False,
            )
            return
        where = (
            f"written to {self.views_file}"
            if self.views_file is not None
            else "kept for this session: the demo's config is bundled"
        )
        names = [v.name for v in self.views]
        # The check every command runs on the config's views: a filter it refuses (`*`
        # selects everything) would, once saved, stop every command until edited out.
        problem = query_problem(query, topic_ids(self.app.options.config))

        def chosen(name: str | None) -> None:
            if name:
                self.save(name, query)

        self.app.push_screen(SaveViewDialog(query, names, where, problem), chosen)

    def save(self, name: str, query: str) -> None:
        from sources.model.config import ConfigError
        from sources.model.config_write import add_view

        if self.views_file is not None:
            try:
                add_view(self.views_file, name, query, check=check_views)
                self._own_write()
            except (ConfigError, OSError) as exc:
                self.app.notify(
                    f"View not saved: {exc}", severity="error", timeout=15, markup=False
                )
                return
            where = f"to {self.views_file}"
        else:
            where = "for this session (start with --config FILE to keep views)"
            self.session_only.add(name)
        view = SavedView(name, query)
        self.views.append(view)
        self.use(view)
        self.app.notify(f"Saved view {name} {where}", markup=False)

    def _own_write(self) -> None:
        """The monitor's own write into its config is no edit to announce."""
        watch = getattr(self.app, "config_watch", None)
        if watch is not None:
            watch.accept()

    def ask_and_delete(self, view: SavedView) -> None:
        """Ask, then delete `view`: from the config file, or from this session when it was
        only kept for it. Without a file to write, a view of the config stays."""
        in_session = view.name in self.session_only
        if self.views_file is None and not in_session:
            why = (
                "the monitor was opened read-only"
                if getattr(self.app.options, "read_only", False)
                else "the demo's config is bundled with the program"
            )
            self.app.notify(
                f"View {view.name} not deleted: {why}.", severity="warning", markup=False
            )
            return
        where = (
            "It is forgotten for this session."
            if in_session
            else f"Its entry leaves {self.views_file} (comments and other keys stay)."
        )

        def answered(delete: bool | None) -> None:
            if delete:
                self.delete(view, in_session=in_session)

        self.app.push_screen(DeleteViewDialog(view, where), answered)

    def delete(self, view: SavedView, *, in_session: bool) -> None:
        from sources.model.config import ConfigError
        from sources.model.config_write import remove_view

        if not in_session and self.views_file is not None:
            try:
                remove_view(self.views_file, view.name)
                self._own_write()
            except (ConfigError, OSError) as exc:
                self.app.notify(
                    f"View not deleted: {exc}", severity="error", timeout=15, markup=False
                )
                return
            where = f"from {self.views_file}"
        else:
            self.session_only.discard(view.name)
            where = "for this session"
        self.views = [v for v in self.views if v.name != view.name]
        bar = self.app.filter_bar
        if bar.view is not None and bar.view.name == view.name:
            bar.view = None  # its query stays the filter, as typed text would
            bar.show_line()
        screen = self.app.screen
        if isinstance(screen, SavedViewsScreen):
            screen.views_changed(self.views)
        self.app.notify(f"Deleted view {view.name} {where}", markup=False)
