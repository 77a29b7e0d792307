"""Glue between the monitor and the live parts: running the sources' schedule, their
health (the status line), and the spike alerts."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App
from textual.content import Content
from textual.widgets import Static

from sources.model.records import SourceState, utc_now
from sources.model.text import parse_timestamp
from sources.net.backoff import paused
from tui import timefmt
from tui.gateway import (
    Alert,
    Pollable,
    PollReport,
    describe_alert_text,
    poll_sources,
    read_source_states,
)
from tui.messages import PollingFailed, SourcePolled, SourcesEnded, SourceStatesLoaded
from tui.safe_text import clean, shorten
from tui.status_fit import fit_status

log = logging.getLogger("echowatch.tui")


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
    finished: dict[str, bool] | None = None,
) -> list[Content]:
    """One short piece of the status line per source: name, health, newest numbers."""
    parts: list[Content] = []
    for state in _top_level(states):
        name = clean(state.name.split("/", 1)[0], one_line=True)
        error = live_errors.get(name) or state.last_error
        if error and not paused(state.paused_until, now or utc_now()):
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
        elif (finished or {}).get(name):
            parts.append(Content.from_markup("$name [b $accent]■[/] finished", name=name))
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
        return clean(describe_alert_text(alert), one_line=True)
    what = f"view {alert.view}" if alert.view else alert.topic
    return clean(
        f"{what}: {alert.count} mentions in the hour from {when(alert.started_at)} "
        f"(baseline {alert.baseline:.1f} ± {alert.stdev:.1f}, k={alert.k:g})",
        one_line=True,
    )


IDLE_SLICE_SECONDS = 0.25
"""How often an idle schedule checks that the app still runs (it stops when the app ends)."""


class LivePolling:
    """Runs the sources' schedule (the same one `app.py collect` runs) in a thread of its own.

    Every finished poll comes back to the app as a typed `SourcePolled`; the schedule
    re-arms each source after its poll ends, so two polls of one source never overlap.
    A plain daemon thread rather than an app worker: it lives as long as the app, and the
    app's workers are what tests and the screens wait for. Quitting sets `stopping` (a poll
    in progress ends after the page it is writing); an app that ends any other way is
    noticed within `IDLE_SLICE_SECONDS`. A crash of the schedule itself (each poll's own
    errors are reports) comes back as `PollingFailed`, the thread's error funnel.
    """

    def __init__(self, app: App[Any], collector: Pollable, *, stopping: threading.Event):
        self.app = app
        self.collector = collector
        self.stopping = stopping
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="sources", daemon=True)
        self.thread.start()

    def _idle(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while not self.stopping.is_set():
            if not self.app.is_running:
                self.stopping.set()
                return
            left = until - time.monotonic()
            if left <= 0:
                return
            self.stopping.wait(min(left, IDLE_SLICE_SECONDS))

    def _report(self, report: PollReport) -> None:
        self.app.post_message(SourcePolled(report))

    def _run(self) -> None:
        try:
            ended = poll_sources(
                self.collector, self.stopping, wait=self._idle, on_report=self._report
            )
        except Exception as exc:
            log.exception("the sources' schedule failed")
            self.app.post_message(PollingFailed(f"{type(exc).__name__}: {exc}"))
            return
        if ended:
            self.app.post_message(SourcesEnded())


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


COLLECTOR_GRACE_S = 60.0
"""How long past a source's announced next poll a collector still counts as running."""


def collected_elsewhere(states: Iterable[SourceState], now: datetime) -> bool:
    """Whether another process is collecting into the store: a source it polls announced a
    next poll that is not overdue by more than `COLLECTOR_GRACE_S` (a collector that
    stopped leaves its last announcement behind, which soon falls overdue).

    Only a source whose last poll succeeded announces anything: a failed one's next poll
    is its backoff, kept after `collect --once` too for the next run to honour, so it says
    nothing of a collector running now. A collector whose every source fails is then not
    seen, and nothing arrives from it either."""
    for state in states:
        due = parse_timestamp(state.next_poll_at) if state.next_poll_at else None
        if (
            due is not None
            and state.last_poll_at
            and not state.last_error
            and (now - due).total_seconds() <= (COLLECTOR_GRACE_S)
        ):
            return True
    return False


class StatusLine(Static):
    """One line: live/paused/offline/replay finished, rows shown, each source's health,
    the last export. Each state starts with its own mark and word (`?` explains them).

    It reads the sources' stored states itself (in an app worker, so failures reach the
    app's error funnel); the app hands it each poll's report and tells it about the feed.
    """

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    def __init__(
        self,
        *,
        db_path: Path,
        mode: str,
        tz: tzinfo | None = None,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.db_path = db_path
        self.mode = mode
        self.tz = tz
        self.read_only = read_only
        """A viewer that writes nothing (each browser of `app.py serve`)."""
        self.source_states: dict[str, SourceState] = {}
        self.live_errors: dict[str, str] = {}
        """Source name -> the error its last poll reported or raised in this run."""
        self.finished: dict[str, bool] = {}
        """Source name -> whether its last poll said it has nothing more, ever."""
        self.polling_ended = False
        """No source is left to poll (each stopped for good)."""
        self.last_export: Path | None = None
        self.paused = False
        self.paused_count = 0
        self.rows = 0
        self.unread: str | None = None
        """Unread mentions in the store (`37`, `more than 10,000`), once counted."""

    def show(self, *, paused: bool, paused_count: int, rows: int) -> None:
        self.paused, self.paused_count, self.rows = paused, paused_count, rows
        self.redraw()

    def polled(self, report: PollReport) -> None:
        """A poll ended: remember its error (or that it had none) and whether it finished."""
        if report.error:
            self.live_errors[report.name] = report.error
        else:
            self.live_errors.pop(report.name, None)
        self.finished[report.name] = report.finished
        self.redraw()

    @property
    def replay_finished(self) -> bool:
        """Every polled source played to its end (the demo replay): nothing more comes."""
        return bool(self.finished) and all(self.finished.values())

    def state_mark(self) -> Content:
        """The first piece: what the feed is doing, each state with its own look."""
        if self.mode == "offline":
            return self._offline_mark()
        if self.paused:
            # The feed stays frozen after the sources end: what waits is still to be shown.
            paused = Content.from_markup(
                "[b $warning]⏸ PAUSED[/] $count new waiting", count=f"{self.paused_count:,}"
            )
            return paused + self._end_note()
        if self.replay_finished:
            return Content.from_markup("[b $accent]■ REPLAY FINISHED[/] nothing more arrives")
        if self.polling_ended:
            return Content.from_markup("[b $error]■ STOPPED[/] no source left to poll")
        return Content.from_markup("[b $success]● LIVE[/]")

    def _end_note(self) -> Content:
        """Beside PAUSED: the sources ended meanwhile (nothing more will join the wait)."""
        if self.replay_finished:
            return Content.from_markup(" · [b $accent]■[/] replay finished")
        if self.polling_ended:
            return Content.from_markup(" · [b $error]■[/] stopped")
        return Content("")

    def _offline_mark(self) -> Content:
        """This monitor polls nothing; another process may (`serve`'s own collector, a
        live monitor or `collect` on the same store): LIVE while one keeps polling."""
        clock = getattr(self.app, "clock", None)
        now = clock() if callable(clock) else datetime.now(UTC)
        viewer = " read-only viewer" if self.read_only else ""
        if collected_elsewhere(self.source_states.values(), now):
            who = "" if self.read_only else " collected by another process"
            return Content.from_markup("[b $success]● LIVE[/]$rest", rest=viewer + who)
        rest = f"{viewer} · nothing polled" if viewer else " nothing polled"
        return Content.from_markup("[b $text-muted]○ OFFLINE[/]$rest", rest=rest)

    def redraw(self) -> None:
        notes = []
        if self.mode == "demo":
            notes.append(Content("demo replay"))
        notes.append(Content(f"{self.rows} loaded"))
        if self.unread is not None:
            notes.append(Content.from_markup("[b]$n unread[/b]", n=self.unread))
        clock = getattr(self.app, "clock", None)
        now = clock() if callable(clock) else None
        sources = source_summaries(
            self.source_states, self.live_errors, self.tz, now, self.finished
        )
        width = self.content_region.width  # 0 before the first layout: no limit yet
        self.update(fit_status(self.state_mark(), notes, sources, self.last_export, width))

    def on_resize(self) -> None:
        self.redraw()

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
        self.post_message(SourceStatesLoaded(read_source_states(db_path)))

    @on(SourceStatesLoaded)
    def states_loaded(self, message: SourceStatesLoaded) -> None:
        message.stop()
        self.source_states = {s.name: s for s in message.states}
        self.redraw()
