"""The alert watcher: judges the newest hours after each stored batch and announces new
live alerts through the user's `notify_command` (with `cache.alerts.notify`'s payload).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from cache.alerts.notify import notify_payload, payload_text
from cache.alerts.rules import (
    ALERT_COLUMNS,
    LIVE,
    Alert,
    alert_from_row,
    describe,
    evaluate,
    rule_from_config,
)
from cache.db.store import Store, now_text
from cache.read.hourly_counts import CountCache
from cache.read.views import alert_views
from filters.classify import Classifier
from filters.spikes import (
    hour_from_text,
    hour_start,
)
from sources.model.config import Config
from sources.model.records import utc_now
from sources.model.redact import redact
from sources.model.secret_env import child_environ
from sources.model.text import format_timestamp

log = logging.getLogger("echowatch.alerts")


def run_notify_command(
    command: str, alert: Alert, timeout: float, payload: str | None = None
) -> str | None:
    """Run `command` (through the shell) with the alert as JSON on stdin.

    `payload` is that JSON (default: the alert's own fields; the watcher passes
    `cache.alerts.notify.notify_payload`, which adds the top posts' text, author and link).
    Returns None on success, else a sentence saying what went wrong; never raises.
    No secret (X, Bluesky, Mastodon) is in the command's environment.
    """
    payload = payload or json.dumps(alert.to_json(), ensure_ascii=False) + "\n"
    env = child_environ()
    try:
        # Through the shell on purpose: the command is the user's own, from their config.
        # In a session of its own, so that a timeout can stop its children (a pipeline,
        # a background job) with it instead of leaving them running after the shell.
        process = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        return f"notify_command could not be started: {exc}"
    try:
        _, stderr = process.communicate(payload.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(process)
        return f"notify_command did not finish within {timeout:g} s and was stopped"
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        last = f": {redact(detail[-1])[:200]}" if detail else ""
        return f"notify_command exited with status {process.returncode}{last}"
    return None


STOP_GRACE_SECONDS = 2.0
"""How long a timed-out notify_command has to end on SIGTERM before it is killed."""


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the command's whole process group, then SIGKILL what is left after a grace."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.communicate(timeout=STOP_GRACE_SECONDS)
        return
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    # Not communicate(): a grandchild that left the group may hold the pipes open forever.
    process.wait()
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


class AlertWatcher:
    """Judges the newest hours after each stored batch; the collector and the TUI share it.

    `on_batch(report, result)` is a `Collector.add_listener` callback. The watcher uses
    the store it is given (from the thread that opened it), or opens one on `db_path` for
    each check, in the calling thread. New `live` alerts are logged and
    announced through `notify_command`; `on_alert` callbacks receive them too.
    """

    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        db_path: Path | str | None = None,
        clock: Callable[[], datetime] = utc_now,
        run_command: bool = True,
    ) -> None:
        if store is None and db_path is None:
            raise ValueError("AlertWatcher needs a store or a db_path")
        self.config = config
        self.rule = rule_from_config(config)
        self.views = alert_views(config)
        """The saved views with `alert = true`, judged beside the topics."""
        self.classification = Classifier(config).fingerprint()
        """What the store's topics come from (the collector re-applies it at its start)."""
        self.clock = clock
        self.run_command = run_command
        self._store = store
        self._db_path = Path(db_path) if db_path is not None else None
        self._cache = CountCache(self.views)
        self._lock = threading.Lock()
        self.listeners: list[Callable[[Alert], None]] = []

    def add_listener(self, callback: Callable[[Alert], None]) -> None:
        """Call `callback(alert)` for every new live alert."""
        self.listeners.append(callback)

    @contextlib.contextmanager
    def _opened(self) -> Iterator[Store]:
        # A store opened per check, in the calling thread: the collector calls listeners
        # from short-lived poll threads, and a connection must not outlive its thread.
        if self._store is not None:
            yield self._store
            return
        assert self._db_path is not None
        with Store.open(self._db_path) as store:
            yield store

    def on_batch(self, report: object, result: object) -> list[Alert]:
        """Listener for `Collector.add_listener`: judge the open hours after a stored batch."""
        return self.check(new_ids=getattr(result, "new_ids", None) or ())

    __call__ = on_batch

    def check(self, now: datetime | None = None, *, new_ids: Iterable[str] = ()) -> list[Alert]:
        """Judge every hour not yet judged for good; return the new live alerts.

        `new_ids` are mentions stored since the last check, so counts of hours that are
        already cached can include late arrivals.
        """
        with self._lock, self._opened() as store:
            self._cache.add_late(store, new_ids)
            evaluation = evaluate(
                store,
                self.rule,
                now or self.clock(),
                cache=self._cache,
                views=self.views,
                classification=self.classification,
            )
            if evaluation.rejudged:
                log.warning(
                    "the alert rule changed: judged %d hours of stored history again "
                    "(%d alerts still stand, %d withdrawn, %d new)",
                    evaluation.hours_judged,
                    evaluation.kept,
                    evaluation.withdrawn,
                    len(evaluation.opened),
                )
            for alert in evaluation.opened:
                if alert.mode == LIVE:
                    log.warning("spike alert: %s", describe(alert))
                else:  # found in hours over by the clock (a backlog, a catch-up): not news
                    log.info("past spike (history): %s", describe(alert))
            if evaluation.live_from is None:
                return []
            # Alerts not yet announced whose spike is still going by the clock: this check's
            # live ones, and any found in hours already over (a restart, a catch-up, a
            # listing by `app.py alerts`) that are still hot within the cooldown.
            still_going = format_timestamp(
                hour_start(hour_from_text(evaluation.live_from) + 1)
                - timedelta(minutes=self.rule.cooldown_minutes)
            )
            pending = [
                alert_from_row(row)
                for row in store.rows(
                    f"SELECT {ALERT_COLUMNS} FROM alerts WHERE notified_at IS NULL "
                    "AND (last_hot_at >= ? OR (mode = ? AND last_hot_at >= ?)) "
                    "ORDER BY started_at, topic",
                    [still_going, LIVE, evaluation.live_from],
                )
            ]
            for alert in pending:
                self._announce(store, alert)
            return pending

    def _announce(self, store: Store, alert: Alert) -> None:
        command = self.config.alerts.notify_command
        if command and self.run_command:
            problem = run_notify_command(
                command,
                alert,
                float(self.config.alerts.notify_timeout_seconds),
                payload_text(notify_payload(store, alert)),
            )
            if problem:
                log.error("alert %s %s: %s", alert.topic, alert.started_at, problem)
        with store.writing():
            store.conn.execute(
                "UPDATE alerts SET notified_at = ? WHERE id = ?", [now_text(), alert.id]
            )
        for callback in self.listeners:
            try:
                callback(alert)
            except Exception:  # a listener's bug must not stop the collector
                log.exception("alert listener failed")
