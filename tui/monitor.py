"""The live monitor: the feed, the topic panel, the filter bar and the status line.

Reads happen in thread workers, each with its own read-only store; a newer filter
cancels the older read (exclusive group) and a generation number drops stale results.
Sources are polled in workers too (`live.SourcePoller`). The widgets around the feed
live in their own modules: `filter_bar`, `topics_panel`, `live.StatusLine`.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from rich.console import RenderableType
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widget import AwaitMount
from textual.widgets import Header, Input, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from filters.topics import topic_ids
from filters.views import SavedView, check_views, saved_views
from sources.model.config import Config
from sources.model.config_watch import ConfigWatch
from sources.model.records import utc_now
from tui import live
from tui.account_view import AccountScreen
from tui.alerts_view import AlertsScreen
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.badges import FeedBadges, read_feed_badges
from tui.detail import DetailScreen
from tui.dialogs import ExportChoice, ExportDialog, HelpScreen, write_export
from tui.feed import PAGE_SIZE, FeedTable
from tui.feed_columns import TOPICS_PANEL_WIDTH, reader_layout
from tui.filter_bar import FilterBar
from tui.fitted_footer import FittedFooter
from tui.gateway import (
    COUNT_CAP,
    Alert,
    AlertsAnnouncedElsewhere,
    AlertWatcher,
    ExportTargetError,
    NewRowWatch,
    Pollable,
    Reader,
    Selection,
    SidecarNotWritten,
    ambassador_ids,
    any_ambassador_post,
    attach_marks,
    combine,
    count_newer,
    count_text,
    ended_at,
    feed_page,
    feed_rows_by_ids,
    reading,
    topic_selection,
    until_superseded,
)
from tui.keys import binding_commands, help_keys
from tui.links import copy_link, open_in_browser
from tui.messages import (
    AlertRaised,
    ArrivalsLoaded,
    BadgesLoaded,
    ExportFailed,
    ExportWritten,
    FeedPageLoaded,
    ManyStored,
    MatchesCounted,
    MentionsStored,
    PollingFailed,
    SourcePolled,
    SourcesEnded,
)
from tui.reading import (
    NewAboveMarker,
    PreviewLoaded,
    PreviewPane,
    ReaderSplit,
    request_preview,
)
from tui.row_opener import push_row_screen
from tui.safe_text import clean
from tui.sources_view import SourcesScreen
from tui.text_block_view import TextBlockScreen
from tui.thread_rows import OpenRow
from tui.timefmt import zone_label
from tui.topics_panel import TopicPanel
from tui.user_state import MarksSaved, ReaderMarks, UnreadCounted
from tui.views import AmbassadorsScreen, ListScreen, ParodyScreen
from tui.views_list import SavedViews, SavedViewsScreen
from tui.write_failures import not_written

FLUSH_SECONDS = 0.1
"""How often buffered arrivals are merged into the table (well inside 250 ms)."""
TOPICS_SECONDS = 5.0
OUTSIDE_SECONDS = 2.0
"""How often the store is checked for mentions another process wrote (one max(rowid))."""
SOURCES_SECONDS = 5.0
VIEW_SCREENS = (
    DetailScreen,
    ListScreen,
    AmbassadorDetailScreen,
    AccountScreen,  # the screens a thread walk opens, so a view key replaces the walk
    TextBlockScreen,
)
TEXTUAL_COMMANDS_LEFT_OUT = frozenset({"Keys", "Maximize"})
"""Textual's own palette entries the monitor does without: its key panel (which escape
does not close, listing keys the monitor does not have; `?` is the monitor's help) and
Maximize (the feed alone, without its filter, reading pane and status line)."""
POST_ACTIONS = frozenset({"toggle_star", "toggle_read", "copy_link"})
"""Actions on the post in view (`post_in_view`), offered only where there is one."""


def matches_text(store: Reader, selection: Selection, first_page: list[Any]) -> str:
    """How many mentions the feed's selection matches, as the filter line says it."""
    if len(first_page) < PAGE_SIZE:
        return str(len(first_page))
    return count_text(store, selection)


@dataclass(frozen=True)
class MonitorOptions:
    """Everything the monitor needs from the command line (built in tui.launch)."""

    db_path: Path
    mode: str = "offline"
    """`live` (configured sources), `demo` (bundled replay) or `offline` (no polling)."""
    config: Config = field(default_factory=Config)
    collector: Pollable | None = None
    """The collector whose sources the monitor polls (on the schedule `collect` uses), or
    None when nothing is polled."""
    alerts: AlertWatcher | None = None
    """The spike alert watcher the collector feeds, or None."""
    clock: Callable[[], datetime] = utc_now
    tz: tzinfo | None = None
    """Display time zone (None: the computer's)."""
    export_formats: tuple[str, ...] = ("csv", "jsonl")
    output_dir: Path = field(default_factory=Path.cwd)
    """Where exports and screenshots go unless the reader names another file."""
    topics: dict[str, str] = field(default_factory=dict)
    """Topic id -> label, in panel order."""
    views_file: Path | None = None
    """Where a view saved from the filter bar is written (created if missing); None keeps
    it for the session only (the demo, whose config is bundled)."""
    subtitle: str = ""
    read_only: bool = False
    """Write nothing outside the session: no export (a browser viewer of `app.py serve`
    would write files on the server's disk); pair it with views_file=None."""


def while_shown(handler: Callable[..., None]) -> Callable[..., None]:
    """Drop a timer tick or a worker's answer that comes once shutdown has begun.

    Workers and pollers answer from other threads; an answer (or an interval's tick) that
    arrives while the app is closing would find the feed, the topic panel and the status
    line already removed, and fail there instead of doing nothing.
    """

    @functools.wraps(handler)
    def guarded(app: MonitorApp, *args: Any) -> None:
        if app.monitor_shown():
            handler(app, *args)

    return guarded


class MonitorApp(App[None]):
    """Echowatch's live monitor."""

    CSS_PATH = "monitor.tcss"
    TITLE = "Echowatch"
    BINDINGS: ClassVar[list[BindingType]] = [
        # `?` comes first: at 80 columns the footer is cut from the right, and help lists
        # every key and indicator.
        Binding("question_mark", "help", "Help"),
        # Read as it arrives, like `/` below: `q` then at once `/` quits instead of the
        # `/` opening the filter ahead of the `q` still queued for the widget in focus.
        # Only on the feed itself (`check_action`): the other screens bind `q` to Back.
        Binding("q", "quit", "Quit", priority=True),
        # One key, two words: the footer offers the one that applies (`check_action`).
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        # A priority binding runs as the key is read, before the keys queued behind it are
        # handed to the widget in focus: a query typed or pasted right after `/` then goes
        # into the filter, not to the feed's keys (`a` would open the ambassadors).
        Binding("slash", "open_filter", "Filter", priority=True),
        Binding("asterisk", "toggle_star", "Star"),
        Binding("m", "toggle_read", "Read/unread", show=False),
        Binding("y", "copy_link", "Copy link", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("enter", "open_detail", "Detail", show=False),
        Binding("o", "open_url", "Open link", show=False),
        Binding("t", "next_window", "1h/24h/7d"),
        Binding("ctrl+t", "toggle_topics", "Topic panel", show=False),
        Binding("a", "ambassadors", "Ambassadors"),
        Binding("p", "parody", "Parody"),
        Binding("s", "sources", "Sources"),
        Binding("e", "export", "Export"),
        Binding("v", "views", "Saved views", show=False),
        Binding("exclamation_mark", "alerts", "Alerts", show=False),
        Binding("ctrl+s", "save_svg", "Screenshot", show=False),
    ]

    def __init__(self, options: MonitorOptions) -> None:
        super().__init__()
        self._status_widget: live.StatusLine | None = None
        self.count_dirty = False
        """Mentions arrived since the filter line's count was taken."""
        self.options = options
        self.clock = options.clock
        self.topic: str | None = None
        """The topic chosen in the side panel (ANDed with the filter bar's query)."""
        self.paused = False
        self.paused_count = 0
        self.pending: dict[str, None] = {}
        self.pending_changes: dict[str, None] = {}
        """Shown mentions that were updated in the store, to be read again at the next flush."""
        self.backlog = False
        """More mentions were stored than are merged one by one: the next flush reads the
        newest page instead (or counts them above a reader down in the feed)."""
        self.generation = 0
        self.topics_dirty = True
        self.badges = FeedBadges()
        self.outside_writes = NewRowWatch()
        self.stopping = threading.Event()
        """Set on quit: a poll in progress ends after the page it is writing."""
        self.poller = (
            None
            if options.collector is None
            else live.LivePolling(self, options.collector, stopping=self.stopping)
        )
        self.alert_toasts = live.AlertToasts(self, bell=options.config.alerts.bell)
        self.outside_alerts = AlertsAnnouncedElsewhere() if self.poller is None else None
        """A monitor that polls nothing (`--offline`, a viewer of `serve`) reads the alerts
        the collector beside it announces; one that polls hears its own from its watcher."""
        self.topics_shown: bool | None = None
        """None: shown when the terminal is wide enough; True/False: the reader decided."""
        self.show_zone()
        self.saved_views = SavedViews(self, saved_views(options.config), options.views_file)
        self.config_watch = ConfigWatch(options.config.path, check=check_views)
        """The config is read once, at the start: an edit is announced (`say_config_change`)."""
        # A read-only monitor (`serve` without --writable, from the serve branch) keeps no
        # marks and says so when asked to.
        read_only = bool(getattr(options, "read_only", False))
        self.reader_marks = ReaderMarks(self, options.db_path, self.clock, writable=not read_only)

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield TopicPanel(
                self.options.topics,
                db_path=self.options.db_path,
                clock=self.clock,
                ends_at_newest=self.options.mode in ("offline", "demo"),
                id="topics",
            )
            with Vertical(id="feed-pane"):
                yield FilterBar(
                    clock=self.clock,
                    topics=topic_ids(self.options.config),
                    rare_topics=lambda: self.query_one(TopicPanel).rare_topics,
                    id="filter-bar",
                )
                yield NewAboveMarker(id="new-above")
                with ReaderSplit(id="reader", classes="-stacked"):
                    yield FeedTable(tz=self.options.tz, clock=self.clock, id="feed")
                    yield PreviewPane(tz=self.options.tz, id="preview")
        yield live.StatusLine(
            db_path=self.options.db_path,
            mode=self.options.mode,
            tz=self.options.tz,
            read_only=self.options.read_only,
            id="status",
        )
        yield FittedFooter()

    def monitor_shown(self) -> bool:
        """Whether the feed and the status line are on screen (not yet torn down)."""
        status = self._status_widget
        return status is not None and status.is_attached

    def on_mount(self) -> None:
        self._status_widget = self.query_one(live.StatusLine)
        self.query_one(FeedTable).focus()
        self.layout_for_width()
        self.show_status()
        self.reload_feed()
        self.refresh_topics()
        self.refresh_sources()
        self.set_interval(FLUSH_SECONDS, self.flush_arrivals)
        self.set_interval(TOPICS_SECONDS, self.refresh_topics)
        self.set_interval(SOURCES_SECONDS, self.refresh_sources)
        self.set_interval(OUTSIDE_SECONDS, self.check_outside_writes)
        # The commands print these on stderr; the monitor's screen covers that, so it says
        # them here (a feed's name in one comes from the config or an OPML title).
        for warning in self.options.config.warnings:
            self.notify(
                f"Config: {clean(warning, one_line=True)}",
                severity="warning",
                timeout=30,
                markup=False,
            )
        if self.poller is not None:
            watcher = self.options.alerts
            if watcher is not None:
                # Called in a poll thread: post_message is the thread-safe way in.
                watcher.add_listener(self.alert_heard)
            self.poller.start()

    @property
    def feed(self) -> FeedTable:
        return self.query_one(FeedTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def filter_text(self) -> str:
        """The query in force from the filter bar ("" = none)."""
        return self.filter_bar.text

    @property
    def filter_error(self) -> str | None:
        """The filter bar's error on show, or None."""
        return self.filter_bar.error

    @property
    def selection(self) -> Selection:
        """What the feed shows: the filter bar's query and the chosen topic, a `since:`
        without `until:` ending now (each read asks again, arrivals and counts alike)."""
        rare = self.query_one(TopicPanel).rare_topics
        chosen = combine(self.filter_bar.selection, topic_selection(self.topic, rare))
        return ended_at(chosen, self.clock())

    @property
    def query_text(self) -> str:
        """The selection as query text (for exports and the filter line)."""
        return self.filter_bar.query_text

    def open_store(self) -> Reader:
        """A read-only store for a worker's reads (through the gateway, never written)."""
        return reading(self.options.db_path)

    # --- reading the feed ----------------------------------------------------------------

    def reload_feed(self) -> None:
        self.paused_count = 0
        self.filter_bar.start_search()
        self.reload_newest()

    def reload_newest(self) -> None:
        """The selection's newest page in place of the rows: what is pending is in it, or
        older (paged in from the store as the reader goes down)."""
        self.generation += 1
        self.pending.clear()
        self.pending_changes.clear()
        self.backlog = self.feed.top_behind = False  # once: the page replaces every row
        self.load_first_page(self.selection, self.generation, self.badges.known_ids())

    @work(thread=True, exclusive=True, exit_on_error=False, group="feed", description="feed")
    def load_first_page(self, selection: Selection, generation: int, known: frozenset[str]) -> None:
        self.read_page(selection, generation, None, known)

    @work(thread=True, exclusive=True, exit_on_error=False, group="older", description="older")
    def load_older(
        self,
        selection: Selection,
        before: tuple[str, str],
        generation: int,
        known: frozenset[str],
    ) -> None:
        self.read_page(selection, generation, before, known)

    def read_page(
        self,
        selection: Selection,
        generation: int,
        before: tuple[str, str] | None,
        known: frozenset[str],
    ) -> None:
        """A page of the feed, then the badges not `known` yet (called in a worker); a newer
        read of the feed stops it."""
        worker = get_current_worker()
        with self.open_store() as store, until_superseded(store, lambda: worker.is_cancelled):
            if before is None and generation == 1:
                self.outside_writes.start(store)  # rows after this point are arrivals
                if self.outside_alerts is not None:
                    self.outside_alerts.start(store)  # alerts announced before are not news
            rows = attach_marks(
                store, feed_page(store, selection, before=before, limit=PAGE_SIZE, now=self.clock())
            )
            if worker.is_cancelled:
                return
            older = before is not None
            self.post_message(
                FeedPageLoaded(
                    rows, generation=generation, older=older, limit=PAGE_SIZE, below=before
                )
            )
            if not older:
                self.post_message(
                    MatchesCounted(matches_text(store, selection, rows), generation=generation)
                )
            self.read_badges(store, [i for i in ambassador_ids(rows) if i not in known])

    @work(thread=True, exit_on_error=False, group="arrivals", description="arrivals")
    def load_arrivals(
        self,
        ids: list[str],
        changed_ids: list[str],
        selection: Selection,
        generation: int,
        behind: tuple[tuple[str, str], int] | None = None,
    ) -> None:
        """The rows of `ids` to merge; for a feed behind the store (`behind`: the reader's
        row (created_at, id) and the rows shown above it), how many it leaves out above."""
        unshown = None
        with self.open_store() as store:
            rows = attach_marks(store, feed_rows_by_ids(store, selection, ids, self.clock()))
            if behind is not None:
                # Every selected mention newer than the reader's row is shown above it or
                # new: counted in the store, not merged (the rows above would have a gap).
                (after, shown), cap = behind, COUNT_CAP + behind[1]
                unshown = count_newer(store, selection, after, self.clock(), cap) - shown
            posted = any_ambassador_post(store, ids)
            # A row on screen is refreshed whatever the filter: it stays where the reader is.
            changed = attach_marks(store, feed_rows_by_ids(store, Selection(), changed_ids))
        self.post_message(
            ArrivalsLoaded(
                rows,
                generation=generation,
                ambassador_posted=posted,
                changed=changed,
                unshown_above=None if unshown is None else max(0, unshown),
            )
        )

    @work(thread=True, exit_on_error=False, group="badges", description="badges")
    def refresh_badges(self, ids: list[str]) -> None:
        with self.open_store() as store:
            self.read_badges(store, ids, refresh=True)

    def read_badges(self, store: Reader, ids: list[str], *, refresh: bool = False) -> None:
        """Post the badges of ambassador rows (in a worker, after the rows, so that a slow
        first analysis of a large store never holds back the feed)."""
        if ids or refresh:
            self.post_message(read_feed_badges(store, self.options.config, ids, refresh=refresh))

    def request_badge_refresh(self) -> None:
        if self.badges.ambassador_posted():
            self.refresh_badges(self.feed.ambassador_ids)

    @on(FeedPageLoaded)
    @while_shown
    def show_page(self, message: FeedPageLoaded) -> None:
        if message.generation != self.generation:
            return
        self.badges.fill(message.rows)
        self.reader_marks.over(message.rows)
        if message.older:
            self.feed.append_older(message.rows, limit=message.limit, below=message.below)
        else:
            self.feed.show_page(message.rows, limit=message.limit)
            self.filter_bar.found(self.filter_bar.matches)
        self.sync_preview()
        if not self.feed.row_count and self.query_text:
            self.preview.show_nothing(f"No mentions match {clean(self.query_text, one_line=True)}.")
        self.show_status()
        self.refresh_bindings()  # the keys about one post (*, m, y) need a post

    @on(MatchesCounted)
    @while_shown
    def matches_counted(self, message: MatchesCounted) -> None:
        if message.generation == self.generation:
            self.filter_bar.found(message.text)

    @on(BadgesLoaded)
    @while_shown
    def show_badges(self, message: BadgesLoaded) -> None:
        if message.problem is not None and self.badges.new_problem(message.problem):
            text = f"No ambassador badges: {clean(message.problem, one_line=True)}"
            self.notify(text, severity="warning", markup=False)
        if self.badges.loaded(message):
            self.refresh_badges(self.feed.ambassador_ids)
        self.feed.update_badges(message.badges)

    @on(FeedTable.NeedsOlder)
    def page_older(self, message: FeedTable.NeedsOlder) -> None:
        self.load_older(self.selection, message.before, self.generation, self.badges.known_ids())

    @on(MentionsStored)
    @while_shown
    def mentions_stored(self, message: MentionsStored) -> None:
        # Rows the monitor's own collector stored also come back from the outside-writes
        # check: one already shown is not news (nor counted while paused).
        shown = self.feed.known
        fresh = [i for i in message.new_ids if i not in self.pending and i not in shown]
        for mention_id in fresh:
            self.pending[mention_id] = None
        for mention_id in message.updated_ids:
            if mention_id in self.feed.known:
                self.pending_changes[mention_id] = None
        if self.paused:
            self.paused_count += len(fresh)
            self.show_status()
        self.topics_dirty = self.topics_dirty or bool(fresh)
        # The filter line counts the store, like the unread count: paused, it keeps counting
        # what arrives (the status line says how many of those wait to be shown), so it
        # never says fewer mentions than the store has unread.
        self.count_dirty = self.count_dirty or bool(fresh)

    @on(ManyStored)
    @while_shown
    def many_stored(self, message: ManyStored) -> None:
        if message.count <= 0:
            return
        self.backlog = True
        if self.paused:
            self.paused_count += message.count
            self.show_status()
        self.topics_dirty = self.count_dirty = True

    @while_shown
    def check_outside_writes(self) -> None:
        """The tick that notices mentions another process (a collector, an import) stored,
        and, when this monitor polls nothing, the alerts another process announced."""
        # Of many new rows only a count is read: those reported already are not counted.
        self.read_outside_writes([*self.pending, *self.feed.known])
        self.say_config_change()

    def say_config_change(self) -> None:
        """Once per edit of the config file in use: what it means (a stat each tick)."""
        change = self.config_watch.change()
        if change is not None:
            self.notify(
                f"{change.describe('the monitor')}. Saved views are read again when you "
                "open them (v).",
                severity="warning",
                timeout=30,
                markup=False,
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="outside", description="store")
    def read_outside_writes(self, known: list[str]) -> None:
        with self.open_store() as store:
            new = self.outside_writes.new_rows(store, known)
            alerts = [] if self.outside_alerts is None else self.outside_alerts.new_alerts(store)
        for alert in alerts:
            self.post_message(AlertRaised(alert))
        if new.ids:
            self.post_message(MentionsStored(new.ids, []))
        if new.more:
            self.post_message(ManyStored(new.more))

    @while_shown
    def flush_arrivals(self) -> None:
        feed = self.feed
        if self.paused:
            return
        if (self.backlog or feed.top_behind) and feed.following:
            self.reload_newest()  # the reader is at the top: the newest page, not a walk
        elif self.pending or self.pending_changes or self.backlog:
            if self.backlog:
                feed.fall_behind()
            self.backlog = False
            ids, changed = list(self.pending), list(self.pending_changes)
            self.pending.clear()
            self.pending_changes.clear()
            key = feed.cursor_key()
            behind = (key, feed.cursor_row) if feed.top_behind and key is not None else None
            self.load_arrivals(ids, changed, self.selection, self.generation, behind)
        else:
            return
        self.follow_open_threads()
        if self.topics_dirty:
            self.refresh_topics()

    def follow_open_threads(self) -> None:
        """An open post reads itself and its thread again (an ambassador's reply may have
        just arrived); it is drawn again only if something changed."""
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen):
                screen.action_reload()

    @on(FeedTable.NeedsNewest)
    def newest_needed(self) -> None:
        if not self.paused:  # paused, the resume brings them (the reader is at the top)
            self.reload_newest()

    @on(ArrivalsLoaded)
    @while_shown
    def merge_arrivals(self, message: ArrivalsLoaded) -> None:
        if message.generation == self.generation:
            self.reader_marks.over(message.rows)
            self.reader_marks.over(message.changed)
            # The filter line's count is not added up here but counted again at the next
            # topics tick (`mentions_stored` asked for it): the same mention can be reported
            # twice (by the collector and by the outside-writes check) once the bounded
            # feed has let it go.
            if message.unshown_above is not None:
                self.feed.set_new_above(message.unshown_above)
            self.feed.merge_arrivals(message.rows)
            self.feed.refresh_rows(message.changed)
            self.sync_preview()
            self.reread_preview(message)
            self.show_status()
        if message.ambassador_posted:
            self.request_badge_refresh()
            if isinstance(self.screen, AmbassadorsScreen):
                self.screen.action_reload()  # its signals change as replies arrive

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        # Set here rather than in `action_quit`: whatever ends the app (`q`, the palette, an
        # error), polls stop and the keys still queued behind it are ignored (`check_action`).
        self.stopping.set()
        super().exit(result, return_code, message)

    def push_screen(self, screen: Screen[Any] | str, *args: Any, **kwargs: Any) -> Any:
        """Open a screen, unless the app is quitting: `q` then at once `s` (or a row
        clicked) would push a screen that is never composed, and its `on_mount`, finding
        none of its widgets, would end the app in a traceback instead of quietly."""
        if self.stopping.is_set():
            refused = screen if isinstance(screen, Screen) else self.get_screen(screen)
            return AwaitMount(refused, [])  # nothing to wait for: awaiting it returns at once
        return super().push_screen(screen, *args, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offline, or once every source has ended, nothing arrives: Pause is neither
        offered nor bound; while paused, space offers Resume instead. Read-only, nothing
        is exported. The keys about one post work where a post is shown: the feed and the
        post's own view. In a text field `/` is text, not the filter key. Once quitting,
        no key does anything more."""
        if self.stopping.is_set():
            return False
        if action == "export" and self.options.read_only:
            return False
        if action == "open_filter" and isinstance(self.focused, Input | TextArea):
            return False  # `/` is typed there: the footer does not offer it as a key
        if action == "quit" and (
            len(self.screen_stack) > 1 or isinstance(self.focused, Input | TextArea)
        ):
            return False  # over the feed `q` is each screen's Back; in a field it is typed
        if action in POST_ACTIONS:
            return self.post_in_view() is not None
        if action == "pause":
            return not self.paused and self.arrivals_possible()
        if action == "resume":
            return self.paused
        return True

    def arrivals_possible(self) -> bool:
        """Whether new posts can still arrive: polled sources that have not all ended."""
        if self.options.mode == "offline":
            return False
        with contextlib.suppress(NoMatches):  # asked before the status line exists
            status = self.status_line
            return not (status.replay_finished or status.polling_ended)
        return True

    def post_in_view(self) -> str | None:
        """The post the reader looks at: the one opened, or the one under the feed's cursor."""
        if isinstance(self.screen, DetailScreen):
            return self.screen.mention_id
        if len(self.screen_stack) == 1:
            with contextlib.suppress(NoMatches):  # asked before the feed exists
                return self.feed.current_id
        return None

    def action_pause(self) -> None:
        if not self.paused:
            self.action_toggle_pause()

    def action_resume(self) -> None:
        if self.paused:
            self.action_toggle_pause()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.paused_count = 0
            self.flush_arrivals()
        self.show_status()
        self.refresh_bindings()  # Pause or Resume in the footer

    # --- topics ---------------------------------------------------------------------------

    def show_zone(self) -> None:
        """The header's zone, at the offset of now: a time in another one names its own
        (`tui.timefmt`), so the header follows a DST change while the monitor runs."""
        options = self.options
        zone = zone_label(self.clock(), options.tz)
        self.sub_title = f"{options.subtitle} · {zone}" if options.subtitle else zone

    @while_shown
    def refresh_topics(self) -> None:
        self.topics_dirty = False
        self.show_zone()
        self.query_one(TopicPanel).refresh_counts()
        if self.count_dirty:
            self.count_dirty = False
            if self.whole_store_counted() is not None:
                self.reader_marks.count_unread()  # counts the whole store along with it
            else:
                self.recount_matches(self.selection, self.generation)

    def whole_store_counted(self) -> int | None:
        """The feed's generation when the filter line counts the whole store (no filter, no
        topic, the first page in), else None. Then the unread count and the total are
        counted together, the total last: mentions are only added, so the line never
        shows fewer mentions than unread ones."""
        bar = self.filter_bar
        if self.query_text or bar.searching or bar.error:
            return None
        return self.generation

    @work(thread=True, exclusive=True, exit_on_error=False, group="recount", description="count")
    def recount_matches(self, selection: Selection, generation: int) -> None:
        """How many mentions match after arrivals, counted in the store (capped); a newer
        count stops it."""
        worker = get_current_worker()
        with self.open_store() as store, until_superseded(store, lambda: worker.is_cancelled):
            self.post_message(MatchesCounted(count_text(store, selection), generation=generation))

    @on(TopicPanel.TopicChosen)
    def topic_chosen(self, message: TopicPanel.TopicChosen) -> None:
        self.topic = message.topic
        self.filter_bar.set_topic(message.topic)
        self.reload_feed()
        self.feed.focus()

    def action_toggle_topics(self) -> None:
        self.topics_shown = not self.topics_shown_now
        self.layout_for_width()

    @property
    def topics_shown_now(self) -> bool:
        return self.topics_shown_for(self.size.width)

    def topics_shown_for(self, width: int) -> bool:
        if self.topics_shown is not None:
            return self.topics_shown
        return width >= TOPICS_PANEL_WIDTH

    def layout_for_width(self, width: int | None = None) -> None:
        """The feed gets the room: the topic panel shows on a wide terminal only (ctrl+t
        toggles it) and the reading pane sits beside the list from `SIDE_BY_SIDE_WIDTH`."""
        width = self.size.width if width is None else width
        self.query_one(TopicPanel).display = self.topics_shown_for(width)
        layout = reader_layout(width)
        reader = self.query_one("#reader")
        reader.set_class(layout == "side", "-side")
        reader.set_class(layout == "stacked", "-stacked")

    # --- the reading pane ------------------------------------------------------------------

    @on(FeedTable.RowHighlighted, "#feed")
    def sync_preview(self) -> None:
        """Show the post under the cursor (arrivals can move another row under it silently)."""
        mention_id = self.feed.current_id
        if mention_id is None:
            self.preview.show_nothing("No post selected.")
        elif mention_id != self.preview.mention_id:
            request_preview(self, mention_id)

    def reread_preview(self, arrivals: ArrivalsLoaded) -> None:
        """The post in the pane as it is now: edited by this poll, or its thread answered
        by a post that just arrived (only its row showed the change, `sync_preview` reads a
        post when the cursor moves to another)."""
        shown = self.preview.mention_id
        edited = any(r["id"] == shown for r in arrivals.changed)
        if shown is not None and shown == self.feed.current_id and (edited or arrivals.rows):
            request_preview(self, shown)

    @on(FeedTable.NewAbove)
    def new_above(self, message: FeedTable.NewAbove) -> None:
        self.query_one(NewAboveMarker).show_count(message.count)

    @on(PreviewLoaded)
    @while_shown
    def preview_loaded(self, message: PreviewLoaded) -> None:
        if message.preview.mention_id == self.feed.current_id:
            again = message.preview.mention_id == self.preview.mention_id
            self.preview.show(message.preview, self.clock())
            if not again:  # read again after a change: the dwell goes on
                self.reader_marks.viewing(message.preview.mention_id)

    @property
    def preview(self) -> PreviewPane:
        return self.query_one(PreviewPane)

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: `self.size` is still the old one while this handler runs.
        with contextlib.suppress(NoMatches):  # a resize can come before the widgets exist
            self.layout_for_width(event.size.width)

    def action_next_window(self) -> None:
        self.query_one(TopicPanel).next_window()
        self.refresh_topics()

    # --- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        if isinstance(self.focused, Input | TextArea) or isinstance(self.screen, ModalScreen):
            raise SkipAction  # a `/` typed into a field (a query, a file name) stays text
        # From another screen (its footer offers `/` too): back to the feed to filter it.
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.filter_bar.open()

    def apply_filter(self, text: str) -> bool:
        """Use `text` as the filter (as if typed into the bar); False on a mistake."""
        return self.filter_bar.apply(text)

    @on(FilterBar.Applied)
    def filter_applied(self, message: FilterBar.Applied) -> None:
        self.feed.focus()
        self.reload_feed()

    def action_clear_filter(self) -> None:
        bar = self.filter_bar
        if bar.editing:  # escape in the input cancels the edit; the filter stays in force
            bar.cancel_edit()
            self.feed.focus()
            return
        had_something = bool(bar.text or self.topic or bar.error or bar.editing)
        query_changed = bar.reset()
        if query_changed or self.topic:
            self.topic = None
            bar.set_topic(None)
            self.query_one(TopicPanel).chosen = None
            self.reload_feed()
            self.refresh_topics()
        self.feed.focus()
        if not had_something and len(self.screen_stack) == 1:
            self.feed.move_cursor(row=0)

    # --- saved views ----------------------------------------------------------------------

    def action_views(self) -> None:
        self.saved_views.open_list()

    def action_save_view(self) -> None:
        self.saved_views.ask_and_save()

    @on(SavedViewsScreen.Chosen)
    def view_chosen(self, message: SavedViewsScreen.Chosen) -> None:
        self.saved_views.use(message.view)

    @on(FilterBar.SaveRequested)
    def save_view_requested(self, message: FilterBar.SaveRequested) -> None:
        self.saved_views.ask_and_save()

    @property
    def active_view(self) -> SavedView | None:
        """The saved view in force as the filter, or None."""
        return self.filter_bar.view

    # --- status line ------------------------------------------------------------------------

    @property
    def status_line(self) -> live.StatusLine:
        return self.query_one(live.StatusLine)

    @property
    def live_errors(self) -> dict[str, str]:
        """Source name -> the error its last poll reported or raised in this run."""
        return self.status_line.live_errors

    def show_status(self) -> None:
        self.status_line.show(
            paused=self.paused, paused_count=self.paused_count, rows=self.feed.row_count
        )

    @while_shown
    def refresh_sources(self) -> None:
        self.status_line.refresh_sources()
        self.reader_marks.count_unread()

    # --- what the reader keeps: read, starred, copied -----------------------------------------

    def action_toggle_read(self) -> None:
        self.reader_marks.toggle_read()

    def action_toggle_star(self) -> None:
        self.reader_marks.toggle_star()

    @on(OpenRow)
    def open_walk_row(self, message: OpenRow) -> None:
        push_row_screen(self, message)

    @on(MarksSaved)
    @while_shown
    def marks_saved(self, message: MarksSaved) -> None:
        self.reader_marks.saved(message)

    @on(UnreadCounted)
    @while_shown
    def unread_counted(self, message: UnreadCounted) -> None:
        self.status_line.unread = message.text
        self.status_line.redraw()
        if message.total is not None and message.generation == self.generation:
            self.filter_bar.found(message.total)

    def action_copy_link(self) -> None:
        """`y`: the post's link (its id when it has none) to the clipboard, through OSC 52."""
        if isinstance(self.screen, DetailScreen):
            copy_link(self, self.screen.url, self.screen.mention_id)
            return
        mention_id = self.feed.current_id
        row = self.feed.known.get(mention_id or "")
        if row is not None:
            copy_link(self, row.url, row.id)

    # --- polling the sources -----------------------------------------------------------------

    @on(SourcePolled)
    @while_shown
    def source_polled(self, message: SourcePolled) -> None:
        report = message.report
        if report.new_ids or report.updated_ids:
            self.post_message(MentionsStored(report.new_ids, report.updated_ids))
        error = report.error
        if error and self.live_errors.get(report.name) != error:
            self.notify(
                f"{report.name}: {clean(error, one_line=True)}", severity="warning", markup=False
            )
        pausable = self.arrivals_possible()
        self.status_line.polled(report)
        self.refresh_sources()
        if self.arrivals_possible() != pausable:
            self.refresh_bindings()  # a replay that played out is no longer pausable

    @on(SourcesEnded)
    @while_shown
    def sources_ended(self) -> None:
        self.status_line.polling_ended = True
        self.show_status()
        self.refresh_bindings()

    @on(PollingFailed)
    @while_shown
    def polling_failed(self, message: PollingFailed) -> None:
        self.status_line.polling_ended = True
        self.live_errors["sources"] = message.error
        self.notify(
            f"Polling stopped: {clean(message.error, one_line=True)}",
            severity="error",
            markup=False,
        )
        self.show_status()
        self.refresh_bindings()

    # --- the one error funnel -------------------------------------------------------------------

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        group = worker.group
        text = clean(f"{type(error).__name__}: {error}", one_line=True)
        if group == "badges":
            self.badges.failed()
        elif group in ("feed", "older", "arrivals") and (self.filter_text or self.topic):
            self.filter_bar.show_error(f"the filter cannot be run: {text}")
        self.notify(f"{worker.description or group}: {text}", severity="error", markup=False)

    # --- actions ---------------------------------------------------------------------------------

    def show_view(self, screen: Screen[Any]) -> None:
        """Open a view in place of the one showing: views never pile up on each other."""
        while len(self.screen_stack) > 1 and isinstance(self.screen, VIEW_SCREENS):
            self.pop_screen()
        self.push_screen(screen)

    def action_open_detail(self) -> None:
        mention_id = self.feed.current_id
        if mention_id is not None:
            self.reader_marks.opened(mention_id)
            self.show_view(
                DetailScreen(self.options.db_path, mention_id, self.clock(), self.options.config)
            )

    @on(FeedTable.RowSelected, "#feed")
    def row_selected(self, event: FeedTable.RowSelected) -> None:
        event.stop()
        self.action_open_detail()

    def action_open_url(self) -> None:
        if isinstance(self.screen, DetailScreen):
            self.screen.action_open_url()
            return
        mention_id = self.feed.current_id
        row = self.feed.known.get(mention_id or "")
        if row is None or not row.url:
            self.notify("This mention has no link.", severity="warning", markup=False)
            return
        open_in_browser(self, row.url, row.id)

    def action_ambassadors(self) -> None:
        self.show_view(
            AmbassadorsScreen(self.options.db_path, config=self.options.config, clock=self.clock)
        )

    def action_parody(self) -> None:
        self.show_view(
            ParodyScreen(self.options.db_path, config=self.options.config, clock=self.clock)
        )

    def action_sources(self) -> None:
        status = self.status_line
        self.show_view(
            SourcesScreen(
                self.options.db_path,
                live_errors=dict(status.live_errors),
                finished=dict(status.finished),
            )
        )

    def action_alerts(self) -> None:
        may_write = self.options.mode != "offline"  # browsing judges no alert hours
        self.show_view(AlertsScreen(self.options.db_path, self.options.config, may_write=may_write))

    def alert_heard(self, alert: Alert) -> None:
        """The watcher raised an alert (in a poll thread: post_message is the way in)."""
        self.post_message(AlertRaised(alert))

    @on(AlertRaised)
    @while_shown
    def alert_raised(self, message: AlertRaised) -> None:
        self.alert_toasts.add(message.alert)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(list(help_keys(self.BINDINGS))))

    def action_save_svg(self) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        name, folder = f"echowatch-{stamp}.svg", self.options.output_dir
        try:
            path = self.save_screenshot(name, str(folder))
        except OSError as error:  # a folder the reader may not write, or one removed since
            text = clean(not_written("Screenshot", folder / name, error), one_line=True)
            self.notify(text, severity="error", markup=False)
            return
        self.notify(f"Screenshot saved to {path}", markup=False)

    def action_export(self) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        summary = f"mentions matching: {self.query_text}" if self.query_text else "all mentions"
        dialog = ExportDialog(
            self.options.export_formats,
            self.options.output_dir,
            f"echowatch-mentions-{stamp}",
            clean(summary, one_line=True),
        )
        self.push_screen(dialog, self.export_chosen)

    def export_chosen(self, choice: ExportChoice | None) -> None:
        if choice is not None:
            self.export(choice, self.selection, self.query_text, self.active_view)

    @work(thread=True, exit_on_error=False, group="export", description="export")
    def export(
        self, choice: ExportChoice, selection: Selection, query: str, view: SavedView | None
    ) -> None:
        options = self.options
        try:
            rows = write_export(
                options.db_path, options.config, choice, selection, query, self.clock(), view=view
            )
        except OSError as error:  # about the reader's file, not the temporary one beside it
            self.post_message(ExportFailed(not_written("Export", choice.path, error)))
            return
        except ExportTargetError as error:  # a folder, the store itself: says which
            self.post_message(ExportFailed(f"Export not saved: {error}"))
            return
        except SidecarNotWritten as error:  # the rows are in place; their sidecar is stale
            self.post_message(ExportFailed(f"Export written, sidecar not: {error}"))
            return
        self.post_message(ExportWritten(choice.path, rows))

    @on(ExportWritten)
    @while_shown
    def export_written(self, message: ExportWritten) -> None:
        self.status_line.last_export = message.path
        self.notify(f"Exported {message.rows} rows to {message.path}", markup=False)
        self.show_status()

    @on(ExportFailed)
    @while_shown
    def export_failed(self, message: ExportFailed) -> None:
        self.notify(clean(message.text, one_line=True), severity="error", markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual offers some actions of its own (Screenshot, Quit): the monitor's entry,
        # which names its key, replaces the built-in one so the palette lists each once.
        # Of Pause and Resume (one key), the palette offers the one that applies now.
        offered = [
            b
            for b in self.BINDINGS
            if not isinstance(b, Binding)
            or b.action not in ("pause", "resume")
            or self.check_action(b.action, ())
        ]
        ours = list(binding_commands(self, offered))
        titles = {command.title for command in ours} | TEXTUAL_COMMANDS_LEFT_OUT
        yield from (c for c in super().get_system_commands(screen) if c.title not in titles)
        yield from ours
        yield SystemCommand(
            "Save filter as view",
            "Save the filter in force as a saved view (ctrl+s in the filter bar)",
            self.action_save_view,
        )
