"""The one schedule for live sources, used by `app.py collect` and by the monitor alike.

Each source is polled when due and re-armed only after its poll ended, counting its
interval from the poll's end (so two polls of one source never overlap, and a slow
failing poll is not due again the moment it ends), a few at a time: `cache.live.slots`
keeps slow and failing sources from holding every slot. Every finished poll is handed to `on_report`
as a typed `PollReport`: `collect` logs it, the monitor posts it to the screen.

The scheduler owns no store: `Collector.poll_source` opens its own for each poll, so the
scheduler may run in any thread (`collect`'s main thread, a monitor worker thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from cache.live.poll_report import PollReport
from cache.live.slots import SLOW_SECONDS, PollSlots
from sources.model.records import SourceState
from sources.model.text import parse_timestamp

log = logging.getLogger("echowatch.collect")

Wait = Callable[[float], None]
OnReport = Callable[[PollReport], None]

RETRY_SECONDS = 30.0
"""After a poll that crashed outside the source (not one that reported an error), try
again this much later instead of dropping the source."""


class Pollable(Protocol):
    """What the scheduler needs of a collector (`cache.live.collector.Collector` is one)."""

    @property
    def names(self) -> list[str]: ...

    def clock(self) -> datetime: ...

    def poll_source(self, name: str, stop: threading.Event | None = None) -> PollReport: ...

    def stored_states(self) -> dict[str, SourceState]: ...

    def wait_for_writes(self) -> None: ...


class Scheduler:
    """Polls each source of a collector when due until stopped; see the module docstring."""

    def __init__(
        self,
        collector: Pollable,
        *,
        parallel: int = 4,
        grace_s: float = 10.0,
        slow_s: float = SLOW_SECONDS,
    ):
        self.collector = collector
        self.parallel = parallel
        self.grace_s = grace_s
        self.slow_s = slow_s

    def run(
        self, stop: threading.Event, *, wait: Wait | None = None, on_report: OnReport | None = None
    ) -> bool:
        """Poll each source when due until `stop` is set; re-arm after each poll ends.

        Returns True when it ended because no source is left to poll (every one stopped
        for good: a feed that is gone, a refused token), False when `stop` ended it.

        `wait(seconds)` idles until the next due time (default: `stop.wait`), the seam that
        lets tests advance a fake clock instead of sleeping. On stop, polls in progress get
        `grace_s` to finish their page; a write in progress always completes.
        """
        clock = self.collector.clock
        idle = wait or stop.wait
        states = self.collector.stored_states()
        due = self.initial_schedule(states)
        slots = PollSlots(
            self.parallel,
            clock,
            slow_s=self.slow_s,
            states=states,
        )
        finished: list[PollReport] = []
        lock = threading.Condition()
        running: dict[str, threading.Thread] = {}

        def work(source_name: str) -> None:
            report = self._poll(source_name, stop)
            with lock:
                finished.append(report)
                lock.notify_all()

        while not stop.is_set():
            now = clock()
            for source_name, at in sorted(due.items(), key=lambda item: item[1]):
                if at <= now and slots.may_start(source_name):
                    del due[source_name]
                    slots.start(source_name)
                    running[source_name] = start_thread(work, source_name)
            with lock:
                if running and not finished:
                    lock.wait(timeout=0.5)
                reports, finished[:] = list(finished), []
            for report in reports:
                running.pop(report.name, None)
                slots.ended(report.name, ok=report.ok)
                if report.next_poll_at is not None:
                    due[report.name] = report.next_poll_at
                if on_report is not None:
                    on_report(report)
            if reports or stop.is_set():
                continue
            if not due and not running:
                log.warning("no source left to poll")
                return True
            if not running and due:
                delay = (min(due.values()) - clock()).total_seconds()
                if delay > 0:
                    idle(delay)
        self._shutdown(list(running.values()))
        return False

    def _poll(self, name: str, stop: threading.Event) -> PollReport:
        try:
            return self.collector.poll_source(name, stop)
        except Exception as exc:  # poll_source reports source errors; this is anything else
            log.exception("%s: poll crashed", name)
            retry = self.collector.clock() + timedelta(seconds=RETRY_SECONDS)
            error = f"internal error: {type(exc).__name__}: {exc}"[:300]
            return PollReport(name=name, error=error, next_poll_at=retry)

    def initial_schedule(self, states: dict[str, SourceState] | None = None) -> dict[str, datetime]:
        """Poll now, except a source that failed last run and is still backing off."""
        collector = self.collector
        now = collector.clock()
        due = dict.fromkeys(collector.names, now)
        stored = collector.stored_states() if states is None else states
        for name, state in stored.items():
            if name not in due:
                continue
            next_at = parse_timestamp(state.next_poll_at) if state.next_poll_at else None
            if state.last_error and next_at is not None and next_at > now:
                due[name] = next_at
        return due

    def _shutdown(self, threads: Iterable[threading.Thread]) -> None:
        deadline = time.monotonic() + self.grace_s
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        # Whatever is still running (a slow fetch) is a daemon thread: waiting for the
        # collector's write lock waits for a write in progress. A later one that the process
        # exit cuts off is an uncommitted transaction, which SQLite rolls back.
        self.collector.wait_for_writes()


def start_thread(target: Callable[[str], None], name: str) -> threading.Thread:
    # Daemon threads: a fetch stuck in a slow server must not keep the process alive.
    thread = threading.Thread(target=target, args=(name,), name=f"poll:{name}", daemon=True)
    thread.start()
    return thread
