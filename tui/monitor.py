"""The live monitor: the feed, the topic panel, the filter bar and the status line.

Reads happen in thread workers, each with its own read-only store; a newer filter
cancels the older read (exclusive group) and a generation number drops stale results.
Sources are polled in workers too (one group per source); a poll re-arms its own timer
when it ends, so two polls of one source never overlap.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from cache.monitor_queries import (
    ambassador_ids,
    any_ambassador_post,
    combine,
    feed_page,
    feed_reply_badges,
    feed_rows_by_ids,
    newest_time,
    topic_counts,
    topic_selection,
)
from cache.search import QueryError, Selection, query_selection
from cache.store import SourceState, Store
from filters.topics import topic_ids
from sources.config import Config, ConfigError
from sources.records import utc_now
from tui import live
from tui.alerts_view import AlertsScreen
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.detail import DetailScreen, open_in_browser
from tui.dialogs import ExportChoice, ExportDialog, HelpScreen, write_export
from tui.feed import PAGE_SIZE, FeedTable
from tui.keys import binding_commands, describe_query_error, help_keys
from tui.messages import (
    AlertRaised,
    ArrivalsLoaded,
    BadgesLoaded,
    ExportWritten,
    FeedPageLoaded,
    MentionsStored,
    SourcePolled,
    SourceStatesLoaded,
    TopicCountsLoaded,
)
from tui.safe_text import clean
from tui.topics_panel import TopicPanel
from tui.views import AmbassadorsScreen, ListScreen, ParodyScreen, SourcesScreen

FLUSH_SECONDS = 0.1
"""How often buffered arrivals are merged into the table (well inside 250 ms)."""
TOPICS_SECONDS = 5.0
SOURCES_SECONDS = 5.0
VIEW_SCREENS = (DetailScreen, ListScreen, AmbassadorDetailScreen)
NARROW_WIDTH = 100


@dataclass(frozen=True)
class MonitorOptions:
    """Everything the monitor needs from the command line (built in tui.launch)."""

    db_path: Path
    mode: str = "offline"
    """`live` (configured sources), `demo` (bundled replay) or `offline` (no polling)."""
    config: Config = field(default_factory=Config)
    collector: Any = None
    """A cache.collector.Collector, or None when nothing is polled."""
    alerts: Any = None
    """A cache.alerts.AlertWatcher the collector feeds, or None."""
    clock: Callable[[], datetime] = utc_now
    tz: tzinfo | None = None
    """Display time zone (None: the computer's)."""
    export_formats: tuple[str, ...] = ("csv", "jsonl")
    output_dir: Path = field(default_factory=Path.cwd)
    """Where exports and screenshots go unless the reader names another file."""
    topics: dict[str, str] = field(default_factory=dict)
    """Topic id -> label, in panel order."""
    subtitle: str = ""


class MonitorApp(App[None]):
    """Echowatch's live monitor."""

    CSS_PATH = "monitor.tcss"
    TITLE = "Echowatch"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("space", "toggle_pause", "Pause"),
        Binding("slash", "open_filter", "Filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("enter", "open_detail", "Detail", show=False),
        Binding("o", "open_url", "Open link", show=False),
        Binding("t", "next_window", "1h/24h/7d"),
        Binding("ctrl+t", "toggle_topics", "Topic panel", show=False),
        Binding("a", "ambassadors", "Ambassadors"),
        Binding("p", "parody", "Parody"),
        Binding("s", "sources", "Sources"),
        Binding("e", "export", "Export"),
        Binding("exclamation_mark", "alerts", "Alerts", show=False),
        Binding("ctrl+s", "save_svg", "Screenshot", show=False),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, options: MonitorOptions) -> None:
        super().__init__()
        self.options = options
        self.clock = options.clock
        self.filter_text = ""
        self.filter_selection = Selection()
        self.filter_error: str | None = None
        self.topic: str | None = None
        self.paused = False
        self.paused_count = 0
        self.pending: dict[str, None] = {}
        self.generation = 0
        self.source_states: dict[str, SourceState] = {}
        self.live_errors: dict[str, str] = {}
        self.last_export: Path | None = None
        self.topics_dirty = True
        self.new_alerts: list[Any] = []
        self.badge_problem: str | None = None
        """Why badges cannot be read (said once), or None."""
        self.stopping = threading.Event()
        """Set on quit: a poll in progress ends after the page it is writing."""
        self.topics_shown: bool | None = None
        """None: shown when the terminal is wide enough; True/False: the reader decided."""
        self.sub_title = options.subtitle

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield TopicPanel(self.options.topics, id="topics")
            with Vertical(id="feed-pane"):
                yield Input(placeholder="topic:pay lang:de role:ambassador, or words", id="filter")
                yield Static(id="filter-line")
                yield FeedTable(tz=self.options.tz, clock=self.clock, id="feed")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.display = False
        filter_input.cursor_blink = False if self.is_headless else filter_input.cursor_blink
        self.query_one(FeedTable).focus()
        self.layout_for_width()
        self.show_filter_line()
        self.show_status()
        self.reload_feed()
        self.refresh_topics()
        self.refresh_sources()
        self.set_interval(FLUSH_SECONDS, self.flush_arrivals)
        self.set_interval(TOPICS_SECONDS, self.refresh_topics)
        self.set_interval(SOURCES_SECONDS, self.refresh_sources)
        collector = self.options.collector
        if collector is not None:
            watcher = self.options.alerts
            if watcher is not None:
                # Called in a poll thread: post_message is the thread-safe way in.
                watcher.add_listener(lambda alert: self.post_message(AlertRaised(alert)))
            for name in live.source_names(collector):
                self.poll_source(name)

    @property
    def feed(self) -> FeedTable:
        return self.query_one(FeedTable)

    @property
    def selection(self) -> Selection:
        """What the feed shows: the filter bar's query and the chosen topic."""
        return combine(self.filter_selection, topic_selection(self.topic))

    @property
    def query_text(self) -> str:
        """The selection as query text (for exports and the filter line)."""
        parts = [self.filter_text.strip()]
        if self.topic:
            parts.append(f"topic:{self.topic}")
        return " ".join(p for p in parts if p)

    def open_store(self) -> Store:
        return Store.open(self.options.db_path, readonly=True)

    # --- reading the feed ----------------------------------------------------------------

    def reload_feed(self) -> None:
        self.generation += 1
        self.pending.clear()
        self.paused_count = 0
        self.load_first_page(self.selection, self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="feed", description="feed")
    def load_first_page(self, selection: Selection, generation: int) -> None:
        with self.open_store() as store:
            rows = feed_page(store, selection, limit=PAGE_SIZE)
            if get_current_worker().is_cancelled:
                return
            self.post_message(
                FeedPageLoaded(rows, generation=generation, older=False, limit=PAGE_SIZE)
            )
            self.read_badges(store, ambassador_ids(rows), generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="older", description="older")
    def load_older(self, selection: Selection, before: tuple[str, str], generation: int) -> None:
        with self.open_store() as store:
            rows = feed_page(store, selection, before=before, limit=PAGE_SIZE)
            if get_current_worker().is_cancelled:
                return
            self.post_message(
                FeedPageLoaded(rows, generation=generation, older=True, limit=PAGE_SIZE)
            )
            self.read_badges(store, ambassador_ids(rows), generation)

    @work(thread=True, exit_on_error=False, group="arrivals", description="arrivals")
    def load_arrivals(
        self, ids: list[str], selection: Selection, generation: int, shown: list[str]
    ) -> None:
        """New rows first; then, if an ambassador posted, the badges of every ambassador
        row (a new reply can make an older one a co-reply or part of a text block)."""
        with self.open_store() as store:
            rows = feed_rows_by_ids(store, selection, ids)
            self.post_message(ArrivalsLoaded(rows, generation=generation))
            if any_ambassador_post(store, ids):
                self.read_badges(store, [*ambassador_ids(rows), *shown], generation)

    def read_badges(self, store: Store, ids: list[str], generation: int) -> None:
        """Read the badges of ambassador rows and post them (called in a worker thread).

        They come after the rows so a slow analysis (the first one on a large store)
        never holds back the feed; until then the rows simply show no marker.
        """
        if not ids:
            return
        try:
            badges = feed_reply_badges(store, self.options.config, ids)
        except ConfigError as exc:
            self.post_message(BadgesLoaded({}, generation=generation, problem=str(exc)))
            return
        self.post_message(BadgesLoaded(badges, generation=generation))

    @on(FeedPageLoaded)
    def show_page(self, message: FeedPageLoaded) -> None:
        if message.generation != self.generation:
            return
        if message.older:
            self.feed.append_older(message.rows, limit=message.limit)
        else:
            self.feed.show_page(message.rows, limit=message.limit)
        self.show_status()

    @on(BadgesLoaded)
    def show_badges(self, message: BadgesLoaded) -> None:
        if message.problem is not None:
            if message.problem != self.badge_problem:
                self.notify(
                    f"No ambassador badges: {clean(message.problem, one_line=True)}",
                    severity="warning",
                    markup=False,
                )
            self.badge_problem = message.problem
            return
        if message.generation == self.generation:
            self.feed.update_badges(message.badges)

    @on(FeedTable.NeedsOlder)
    def page_older(self, message: FeedTable.NeedsOlder) -> None:
        self.load_older(self.selection, message.before, self.generation)

    @on(MentionsStored)
    def mentions_stored(self, message: MentionsStored) -> None:
        fresh = [i for i in message.new_ids if i not in self.pending]
        for mention_id in fresh:
            self.pending[mention_id] = None
        if self.paused:
            self.paused_count += len(fresh)
            self.show_status()
        self.topics_dirty = self.topics_dirty or bool(fresh)

    def flush_arrivals(self) -> None:
        if self.paused or not self.pending:
            return
        ids = list(self.pending)
        self.pending.clear()
        self.load_arrivals(ids, self.selection, self.generation, self.feed.ambassador_ids)
        if self.topics_dirty:
            self.refresh_topics()

    @on(ArrivalsLoaded)
    def merge_arrivals(self, message: ArrivalsLoaded) -> None:
        if message.generation != self.generation:
            return
        self.feed.merge_arrivals(message.rows)
        self.show_status()

    async def action_quit(self) -> None:
        self.stopping.set()
        await super().action_quit()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.paused_count = 0
            self.flush_arrivals()
        self.show_status()

    # --- topics ---------------------------------------------------------------------------

    def refresh_topics(self) -> None:
        self.topics_dirty = False
        panel = self.query_one(TopicPanel)
        self.load_topic_counts(list(self.options.topics), panel.window, panel.window_name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="topics", description="topics")
    def load_topic_counts(self, topics: list[str], window: Any, window_name: str) -> None:
        with self.open_store() as store:
            now = self.clock()
            if self.options.mode in ("offline", "demo"):
                # A store being browsed, or the demo (whose story ended up to a week ago):
                # the window ends at the newest mention, not at this minute.
                now = newest_time(store) or now
            counts = topic_counts(store, topics, now, window)
        if not get_current_worker().is_cancelled:
            self.post_message(TopicCountsLoaded(counts, window_name))

    @on(TopicCountsLoaded)
    def show_topic_counts(self, message: TopicCountsLoaded) -> None:
        self.query_one(TopicPanel).show_counts(message.counts)

    @on(TopicPanel.TopicChosen)
    def topic_chosen(self, message: TopicPanel.TopicChosen) -> None:
        self.topic = message.topic
        self.show_filter_line()
        self.reload_feed()
        self.feed.focus()

    def action_toggle_topics(self) -> None:
        self.topics_shown = not self.topics_shown_now
        self.layout_for_width()

    @property
    def topics_shown_now(self) -> bool:
        if self.topics_shown is not None:
            return self.topics_shown
        return self.size.width >= NARROW_WIDTH

    def layout_for_width(self) -> None:
        """Below 100 columns the feed needs the room: the topic panel hides (ctrl+t)."""
        self.query_one(TopicPanel).display = self.topics_shown_now

    def on_resize(self) -> None:
        with contextlib.suppress(NoMatches):  # a resize can come before the widgets exist
            self.layout_for_width()

    def action_next_window(self) -> None:
        self.query_one(TopicPanel).next_window()
        self.refresh_topics()

    # --- filter --------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.value = self.filter_text
        field.focus()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> bool:
        """Use `text` as the filter; on a mistake show where and keep the old filter."""
        try:
            selection = query_selection(text, self.clock(), topics=topic_ids(self.options.config))
        except QueryError as exc:
            self.filter_error = describe_query_error(text, exc)
            self.show_filter_line()
            position = getattr(exc, "position", None)
            if isinstance(position, int):  # put the cursor on the mistake (1-based column)
                self.query_one("#filter", Input).cursor_position = max(0, position - 1)
            return False
        self.filter_error = None
        self.filter_text = text.strip()
        self.filter_selection = selection
        self.query_one("#filter", Input).display = False
        self.feed.focus()
        self.show_filter_line()
        self.reload_feed()
        return True

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        had_something = bool(self.filter_text or self.topic or self.filter_error or field.display)
        field.display = False
        field.value = ""
        self.filter_error = None
        if self.filter_text or self.topic:
            self.filter_text = ""
            self.filter_selection = Selection()
            self.topic = None
            self.query_one(TopicPanel).chosen = None
            self.reload_feed()
            self.refresh_topics()
        self.feed.focus()
        self.show_filter_line()
        if not had_something and len(self.screen_stack) == 1:
            self.feed.move_cursor(row=0)

    def show_filter_line(self) -> None:
        line = self.query_one("#filter-line", Static)
        if self.filter_error:
            line.update(
                Content.from_markup("[b $error]$error_text[/]", error_text=self.filter_error)
            )
            line.set_class(True, "-error")
            return
        line.set_class(False, "-error")
        if self.query_text:
            line.update(
                Content.from_markup(
                    "[b]filter:[/b] $query  [dim](/ edit · esc clear)[/dim]",
                    query=clean(self.query_text, one_line=True),
                )
            )
        else:
            line.update(Content.from_markup("[dim]no filter · / to filter[/dim]"))

    # --- status line ------------------------------------------------------------------------

    def show_status(self) -> None:
        parts: list[Content] = []
        mode = self.options.mode
        if self.paused:
            parts.append(
                Content.from_markup(
                    "[b $warning]⏸ PAUSED[/] $count new", count=str(self.paused_count)
                )
            )
        elif mode == "offline":
            parts.append(Content.from_markup("[b]OFFLINE[/b]"))
        else:
            parts.append(Content.from_markup("[b $success]● LIVE[/]"))
        if mode == "demo":
            parts.append(Content("demo replay"))
        parts.append(Content(f"{self.feed.row_count} rows"))
        parts.extend(live.source_summaries(self.source_states, self.live_errors, self.options.tz))
        if self.last_export is not None:
            parts.append(Content(f"exported to {self.last_export}"))
        self.query_one("#status", Static).update(Content(" · ").join(parts))

    def refresh_sources(self) -> None:
        self.load_source_states()

    @work(thread=True, exclusive=True, exit_on_error=False, group="states", description="states")
    def load_source_states(self) -> None:
        with self.open_store() as store:
            states = store.source_states()
        self.post_message(SourceStatesLoaded(states))

    @on(SourceStatesLoaded)
    def show_source_states(self, message: SourceStatesLoaded) -> None:
        self.source_states = {s.name: s for s in message.states}
        self.show_status()

    # --- polling the sources -----------------------------------------------------------------

    def poll_source(self, name: str) -> None:
        self.run_worker(
            lambda: self._poll(name),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group=f"poll:{name}",
            description=f"poll:{name}",
        )

    def _poll(self, name: str) -> None:
        if self.stopping.is_set():
            return
        report = self.options.collector.poll_source(name, stop=self.stopping)
        self.post_message(SourcePolled(name, report))

    @on(SourcePolled)
    def source_polled(self, message: SourcePolled) -> None:
        report = message.report
        new_ids = list(getattr(report, "new_ids", ()) or ())
        if new_ids:
            self.post_message(MentionsStored(new_ids))
        error = getattr(report, "error", None)
        if error and self.live_errors.get(message.name) != error:
            self.notify(
                f"{message.name}: {clean(error, one_line=True)}", severity="warning", markup=False
            )
        if error:
            self.live_errors[message.name] = str(error)
        else:
            self.live_errors.pop(message.name, None)
        delay = live.seconds_until(getattr(report, "next_poll_at", None), self.clock())
        if delay is not None:
            self.set_timer(delay, lambda: self.poll_source(message.name))
        self.refresh_sources()

    # --- the one error funnel -------------------------------------------------------------------

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        group = worker.group
        text = clean(f"{type(error).__name__}: {error}", one_line=True)
        if group.startswith("poll:"):
            name = group.removeprefix("poll:")
            self.live_errors[name] = text
            self.set_timer(live.RETRY_SECONDS, lambda: self.poll_source(name))
            self.show_status()
        elif group in ("feed", "older", "arrivals") and (self.filter_text or self.topic):
            self.filter_error = f"the filter cannot be run: {text}"
            self.show_filter_line()
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
        open_in_browser(self, row.url)

    def action_ambassadors(self) -> None:
        self.show_view(
            AmbassadorsScreen(self.options.db_path, config=self.options.config, clock=self.clock)
        )

    def action_parody(self) -> None:
        self.show_view(ParodyScreen(self.options.db_path))

    def action_sources(self) -> None:
        self.show_view(SourcesScreen(self.options.db_path, live_errors=dict(self.live_errors)))

    def action_alerts(self) -> None:
        self.show_view(AlertsScreen(self.options.db_path, self.options.config))

    @on(AlertRaised)
    def alert_raised(self, message: AlertRaised) -> None:
        # Alerts come in bursts (a backfill judges many hours): one toast per burst.
        if not self.new_alerts:
            self.set_timer(0.5, self.announce_alerts)
        self.new_alerts.append(message.alert)

    def announce_alerts(self) -> None:
        alerts, self.new_alerts = self.new_alerts, []
        if not alerts:
            return
        if len(alerts) == 1:
            text = f"Spike: {live.describe_alert(alerts[0])}  (! lists alerts)"
        else:
            topics = ", ".join(sorted({clean(a.topic, one_line=True) for a in alerts}))
            text = f"{len(alerts)} spike alerts: {topics}  (! lists them)"
        self.notify(text, severity="warning", timeout=15, markup=False)
        if self.options.config.alerts.bell:
            self.bell()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(list(help_keys(self.BINDINGS))))

    def action_save_svg(self) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        path = self.save_screenshot(f"echowatch-{stamp}.svg", str(self.options.output_dir))
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
            self.export(choice, self.selection, self.query_text)

    @work(thread=True, exit_on_error=False, group="export", description="export")
    def export(self, choice: ExportChoice, selection: Selection, query: str) -> None:
        options = self.options
        rows = write_export(options.db_path, options.config, choice, selection, query, self.clock())
        self.post_message(ExportWritten(choice.path, rows))

    @on(ExportWritten)
    def export_written(self, message: ExportWritten) -> None:
        self.last_export = message.path
        self.notify(f"Exported {message.rows} rows to {message.path}", markup=False)
        self.show_status()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from binding_commands(self, self.BINDINGS)
