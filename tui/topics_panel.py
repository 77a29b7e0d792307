"""The topic side panel: counts per topic for a window (1 h, 24 h, 7 d) with a trend each.

Choosing a topic filters the feed; "All topics" clears that part of the filter. The
panel reads its counts itself, in a worker with its own read-only store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from sources.model.records import utc_now
from tui import timefmt
from tui.gateway import (
    OTHER_TOPIC,
    CountsEnd,
    TopicCount,
    counts_end,
    rare_topics,
    reading,
    topic_counts,
    until_superseded,
)
from tui.messages import TopicCountsLoaded

WINDOWS: tuple[tuple[str, timedelta], ...] = (
    ("1h", timedelta(hours=1)),
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
)
ALL_TOPICS = "__all__"
_BARS = " ▁▂▃▄▅▆▇█"


def counted_until(end: CountsEnd, when: Callable[[object], str], *, short: bool = False) -> str:
    """Where the windows end, for a label: the clock or the newest stored post (a browsed
    store counts up to it: its last posts may be weeks old)."""
    if short:
        return f"to {'newest post' if end.newest_post else 'now'} {when(end.at)}"
    return f"up to {'the newest post' if end.newest_post else 'now'}, {when(end.at)}"


def sparkline(values: tuple[int, ...]) -> str:
    """One character per value, scaled to the largest (blank for zero)."""
    top = max(values, default=0)
    if top <= 0:
        return "·" * len(values)
    return "".join(_BARS[0 if v <= 0 else max(1, round(v / top * 8))] for v in values)


class TopicPanel(OptionList):
    """Topics with their counts in the current window; selecting one filters the feed.

    It moves with the keys of every other list of the monitor (`tui.list_table`), and
    shows a highlighted line as soon as it has the focus, so `enter` always has a topic
    to choose.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "first", "First", show=False),
        Binding("G", "last", "Last", show=False),
    ]

    DEFAULT_CSS = """
    TopicPanel { width: 36; height: 1fr; }
    """

    class TopicChosen(Message):
        """The reader picked a topic (None: all topics)."""

        def __init__(self, topic: str | None) -> None:
            super().__init__()
            self.topic = topic

    def __init__(
        self,
        labels: dict[str, str],
        *,
        db_path: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
        ends_at_newest: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.topics = list(labels)
        self.labels = {**labels, OTHER_TOPIC: "other"}
        self.db_path = db_path
        self.clock = clock
        self.ends_at_newest = ends_at_newest
        """Count up to the newest stored mention, not to this minute (a browsed store or
        the demo, whose story may have ended some time ago)."""
        self.window_index = 1
        self.counts: dict[str, int] = {}
        self.last_counts: list[TopicCount] = []
        self.chosen: str | None = None
        self.rare_topics: frozenset[str] = frozenset()
        """Topics with few mentions in the store: filters list them instead of probing."""

    @property
    def window_name(self) -> str:
        return WINDOWS[self.window_index][0]

    @property
    def window(self) -> timedelta:
        return WINDOWS[self.window_index][1]

    def on_mount(self) -> None:
        self._update_title()
        self.show_counts([TopicCount(t, 0, ()) for t in self.labels])

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            ids = [option.id for option in self.options]
            self.highlighted = ids.index(self.chosen) if self.chosen in ids else 0

    def refresh_counts(self) -> None:
        """Read the counts for the current window again, in a worker.

        The worker belongs to the app, so a failure reaches the app's one error funnel.
        """
        if self.db_path is None:
            return
        db_path, window, name = self.db_path, self.window, self.window_name
        self.app.run_worker(
            lambda: self._read_counts(db_path, window, name),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="topics",
            description="topics",
        )

    def _read_counts(self, db_path: Path, window: timedelta, window_name: str) -> None:
        worker = get_current_worker()
        with reading(db_path) as store, until_superseded(store, lambda: worker.is_cancelled):
            end = counts_end(store, self.clock(), to_newest=self.ends_at_newest)
            counts = topic_counts(store, self.topics, end.at, window)
            rare = rare_topics(store, self.topics)
            if not worker.is_cancelled:
                self.post_message(TopicCountsLoaded(counts, window_name, rare, end))

    @on(TopicCountsLoaded)
    def counts_loaded(self, message: TopicCountsLoaded) -> None:
        message.stop()
        self.rare_topics = message.rare_topics
        # "Last 24h" means up to now; counted up to the newest post instead, the panel says so.
        end = message.end
        self.border_subtitle = (
            Content(counted_until(end, timefmt.for_app(self.app), short=True))
            if end is not None and end.newest_post
            else None
        )
        self.show_counts(message.counts)

    def next_window(self) -> None:
        self.window_index = (self.window_index + 1) % len(WINDOWS)
        self._update_title()

    def _update_title(self) -> None:
        names = "  ".join(
            f"[{n}]" if i == self.window_index else n for i, (n, _) in enumerate(WINDOWS)
        )
        self.border_title = Content(f"Topics {names}")

    def on_resize(self) -> None:
        # The lines are fitted to the width: redraw them when it is known or changes.
        if self.last_counts:
            self.show_counts(self.last_counts)

    def show_counts(self, counts: list[TopicCount]) -> None:
        """Redraw the list with fresh counts, keeping the highlighted topic."""
        self.last_counts = counts
        self.counts = {c.topic: c.count for c in counts}
        highlighted = self.highlighted
        # One line per topic: name, count (6), trend (one cell per bucket); never wrapped.
        room = self.scrollable_content_region.width or 28
        trend_width = max((len(c.trend) for c in counts), default=0)
        # Labels are never cut to stubs: the trend gives up its oldest buckets first.
        longest = max((len(self.labels.get(c.topic, c.topic)) for c in counts), default=0)
        trend_width = max(0, min(trend_width, room - 6 - (longest + 3) - 1))
        width = max(6, room - 6 - trend_width - 1)
        options = [Option(Content.from_markup("[b]All topics[/b]"), id=ALL_TOPICS)]
        for count in counts:
            label = self.labels.get(count.topic, count.topic)
            marker = "▶ " if count.topic == self.chosen else "  "
            # A cut label keeps one blank before the count, which never runs into it.
            name = (marker + label)[: width - 1].ljust(width)
            line = Content.assemble(
                name,
                (f"{compact_count(count.count):>5} ", "bold"),
                (sparkline(count.trend)[-trend_width:] if trend_width else "", "$accent"),
            )
            options.append(Option(line, id=count.topic))
        self.set_options(options)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        topic = event.option.id
        self.chosen = None if topic in (None, ALL_TOPICS) else topic
        self.post_message(self.TopicChosen(self.chosen))


def compact_count(count: int) -> str:
    """A count in at most five characters: 9999, 14.7k, 147k, 1.2M."""
    if count < 10_000:
        return str(count)
    if count < 99_950:
        return f"{count / 1000:.1f}k"
    if count < 999_500:
        return f"{count / 1000:.0f}k"
    return f"{count / 1_000_000:.1f}M"
