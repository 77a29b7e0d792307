"""Glue between the monitor and the live parts: polling the collector's sources, their
health (the status line), and the spike alerts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App
from textual.content import Content
from textual.widgets import Static

from cache.alerts.rules import Alert, describe
from cache.db.store import SourceState, Store
from sources.model.text import parse_timestamp
from tui import timefmt
from tui.messages import SourcePolled, SourceStatesLoaded
from tui.safe_text import clean, shorten

RETRY_SECONDS = 30.0
"""After a poll that crashed (not one that reported an error), try again this much later."""
MIN_DELAY, MAX_DELAY = 0.05, 3600.0


def source_names(collector: Any) -> list[str]:
    """The names of the sources a collector polls, whatever shape it exposes them in."""
    for attribute in ("source_names", "names"):
        value = getattr(collector, attribute, None)
        if callable(value):
            value = value()
        if value:
            return [str(v) for v in value]
    sources = getattr(collector, "sources", None)
    if isinstance(sources, dict):
        return [str(k) for k in sources]
    if sources:
        return [str(getattr(s, "name", s)) for s in sources]
    return []


def seconds_until(when: Any, now: datetime) -> float | None:
    """Seconds from `now` to `when` (a datetime or stored timestamp), clamped; None: never."""
    if when is None:
        return None
    if isinstance(when, str):
        try:
            when = parse_timestamp(when)
        except ValueError:
            return None
    if not isinstance(when, datetime):
        return None
    return min(MAX_DELAY, max(MIN_DELAY, (when - now).total_seconds()))


def _top_level(states: dict[str, SourceState]) -> Iterable[SourceState]:
    # `source/part` rows (one X query each) are details of their source; the status line
    # shows each source once.
    names = {name.split("/", 1)[0] for name in states}
    for name in sorted(names):
        yield states.get(name) or next(s for n, s in states.items() if n.startswith(name + "/"))


def clock_time(stored: str | None, tz: tzinfo | None, now: datetime | None = None) -> str:
    """A stored timestamp as every view writes it (`14:02`, `Tue 14:02`; "never" when
    missing), in the display time zone."""
    moment = parse_timestamp(stored) if stored else None
    if moment is None:
        return "never"
    return timefmt.when(moment, now or datetime.now(UTC), tz)


def source_summaries(
    states: dict[str, SourceState],
    live_errors: dict[str, str],
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> list[Content]:
    """One short piece of the status line per source: name, health, newest numbers."""
    parts: list[Content] = []
    for state in _top_level(states):
        name = clean(state.name.split("/", 1)[0], one_line=True)
        error = live_errors.get(name) or state.last_error
        if error:
            parts.append(
                Content.from_markup(
                    "$name [b $error]✗[/] $why",
                    name=name,
                    why=shorten(clean(error, one_line=True), 40),
                )
            )
        elif state.paused_until:
            parts.append(
                Content.from_markup(
                    "$name [b $warning]paused[/] until $until",
                    name=name,
                    until=clock_time(state.paused_until, tz, now),
                )
            )
        else:
            when = clock_time(state.last_success_at or state.last_poll_at, tz, now)
            parts.append(
                Content.from_markup(
                    "$name [b $success]✓[/] $when +$new",
                    name=name,
                    when=when,
                    new=str(state.last_new),
                )
            )
    for name, error in sorted(live_errors.items()):
        if name not in states and not any(n.startswith(name + "/") for n in states):
            parts.append(
                Content.from_markup(
                    "$name [b $error]✗[/] $why",
                    name=clean(name, one_line=True),
                    why=shorten(clean(error, one_line=True), 40),
                )
            )
    return parts


def describe_alert(alert: Alert, when: Callable[[object], str] | None = None) -> str:
    """One line about a spike alert, its hour written as every view writes times
    (`when`, from `tui.timefmt.for_app`; without it, as cache.alerts.rules describes it)."""
    if when is None:
        return clean(describe(alert), one_line=True)
    what = f"view {alert.view}" if alert.view else alert.topic
    return clean(
        f"{what}: {alert.count} mentions in the hour from {when(alert.started_at)} "
        f"(baseline {alert.baseline:.1f} ± {alert.stdev:.1f}, k={alert.k:g})",
        one_line=True,
    )


class SourcePoller:
    """Polls each source of a collector in the app's workers (one group per source).

    A poll re-arms its own timer when it ends, so two polls of one source never overlap;
    its report comes back to the app as `SourcePolled`. Running in app workers keeps a
    crashing poll inside the app's one error funnel, which calls `crashed`.
    """

    def __init__(
        self,
        app: App[Any],
        collector: Any,
        *,
        stopping: threading.Event,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.collector = collector
        self.stopping = stopping
        self.clock = clock

    def start(self) -> None:
        for name in source_names(self.collector):
            self.poll(name)

    def poll(self, name: str) -> None:
        self.app.run_worker(
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
        report = self.collector.poll_source(name, stop=self.stopping)
        self.app.post_message(SourcePolled(name, report))

    def polled(self, name: str, report: Any) -> None:
        """A poll ended: poll again when the source asked to be polled next."""
        delay = seconds_until(getattr(report, "next_poll_at", None), self.clock())
        if delay is not None:
            self.app.set_timer(delay, lambda: self.poll(name))

    def crashed(self, name: str) -> None:
        """A poll raised instead of reporting: try again a little later."""
        self.app.set_timer(RETRY_SECONDS, lambda: self.poll(name))


class AlertToasts:
    """Spike alerts as toasts: alerts come in bursts (a backfill judges many hours), so
    each burst becomes one literal notification, and the bell rings when configured."""

    BURST_SECONDS = 0.5

    def __init__(self, app: App[Any], *, bell: bool) -> None:
        self.app = app
        self.bell = bell
        self.pending: list[Alert] = []

    def add(self, alert: Alert) -> None:
        if not self.pending:
            self.app.set_timer(self.BURST_SECONDS, self.announce)
        self.pending.append(alert)

    def announce(self) -> None:
        alerts, self.pending = self.pending, []
        if not alerts:
            return
        if len(alerts) == 1:
            when = timefmt.for_app(self.app)
            text = f"Spike: {describe_alert(alerts[0], when)}  (! lists alerts)"
        else:
            topics = ", ".join(sorted({clean(a.topic, one_line=True) for a in alerts}))
            text = f"{len(alerts)} spike alerts: {topics}  (! lists them)"
        self.app.notify(text, severity="warning", timeout=15, markup=False)
        if self.bell:
            self.app.bell()


class StatusLine(Static):
    """One line: live/paused/offline, rows shown, each source's health, the last export.

    It reads the sources' stored states itself (in an app worker, so failures reach the
    app's error funnel); the app tells it about the feed and about errors it saw live.
    """

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    def __init__(
        self, *, db_path: Path, mode: str, tz: tzinfo | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.db_path = db_path
        self.mode = mode
        self.tz = tz
        self.source_states: dict[str, SourceState] = {}
        self.live_errors: dict[str, str] = {}
        """Source name -> the error its last poll reported or raised in this run."""
        self.last_export: Path | None = None
        self.paused = False
        self.paused_count = 0
        self.rows = 0
        self.unread: str | None = None
        """Unread mentions in the store (`37`, `more than 10,000`), once counted."""

    def show(self, *, paused: bool, paused_count: int, rows: int) -> None:
        self.paused, self.paused_count, self.rows = paused, paused_count, rows
        self.redraw()

    def redraw(self) -> None:
        parts: list[Content] = []
        if self.paused:
            parts.append(
                Content.from_markup(
                    "[b $warning]⏸ PAUSED[/] $count new", count=str(self.paused_count)
                )
            )
        elif self.mode == "offline":
            parts.append(Content.from_markup("[b]OFFLINE[/b]"))
        else:
            parts.append(Content.from_markup("[b $success]● LIVE[/]"))
        if self.mode == "demo":
            parts.append(Content("demo replay"))
        parts.append(Content(f"{self.rows} loaded"))
        if self.unread is not None:
            parts.append(Content.from_markup("[b]$n unread[/b]", n=self.unread))
        clock = getattr(self.app, "clock", None)
        now = clock() if callable(clock) else None
        parts.extend(source_summaries(self.source_states, self.live_errors, self.tz, now))
        if self.last_export is not None:
            parts.append(Content(f"exported to {self.last_export}"))
        self.update(Content(" · ").join(parts))

    def refresh_sources(self) -> None:
        """Read the sources' states again (in a worker)."""
        db_path = self.db_path
        self.app.run_worker(
            lambda: self._read_states(db_path),
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="states",
            description="states",
        )

    def _read_states(self, db_path: Path) -> None:
        with Store.open(db_path, readonly=True) as store:
            states = store.source_states()
        self.post_message(SourceStatesLoaded(states))

    @on(SourceStatesLoaded)
    def states_loaded(self, message: SourceStatesLoaded) -> None:
        message.stop()
        self.source_states = {s.name: s for s in message.states}
        self.redraw()
