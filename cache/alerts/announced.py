"""Alerts another process announced: what a monitor that polls nothing shows as news.

A collector's `AlertWatcher` announces each new alert once (notify_command, its listeners)
and marks it with `notified_at`. A monitor with its own collector hears of its alerts
from the watcher; one that polls nothing (`--offline`, every viewer of `app.py serve`)
reads the alerts announced since it opened instead, so it shows the same alerts at the
same moment, and none that were announced before it opened (no replay of old news).
"""

from __future__ import annotations

import threading

from cache.alerts.rules import ALERT_COLUMNS, Alert, alert_from_row
from cache.db.store import Store


class AnnouncedAlerts:
    """The alerts announced since `start`, each reported once. Used from worker threads."""

    def __init__(self) -> None:
        self._since: str | None = None
        """The latest `notified_at` seen: later checks read only from there on."""
        self._seen: set[tuple[str, str]] = set()
        """(topic, started_at) of the alerts announced at `_since`: `notified_at` has a
        resolution of a second, so another may still come with the same value."""
        self._started = False
        self._lock = threading.Lock()

    def start(self, store: Store) -> None:
        """Take every alert announced until now as known (they are not news)."""
        with self._lock:
            self._begin(store)

    def new_alerts(self, store: Store) -> list[Alert]:
        """The alerts announced since the last call (or `start`), oldest first."""
        with self._lock:
            if not self._started:
                self._begin(store)
                return []
            found = self._read(store, self._since)
            fresh = [a for a in found if (a.topic, a.started_at) not in self._seen]
            self._take(found)
            return fresh

    def _begin(self, store: Store) -> None:
        latest = store.conn.execute("SELECT max(notified_at) FROM alerts").fetchone()[0]
        self._since, self._seen = None, set()
        if latest is not None:
            self._take(self._read(store, latest))
        self._started = True

    @staticmethod
    def _read(store: Store, since: str | None) -> list[Alert]:
        sql = f"SELECT {ALERT_COLUMNS} FROM alerts WHERE notified_at IS NOT NULL"
        params: list[str] = []
        if since is not None:
            sql += " AND notified_at >= ?"
            params.append(since)
        return [
            alert_from_row(row) for row in store.rows(sql + " ORDER BY notified_at, id", params)
        ]

    def _take(self, alerts: list[Alert]) -> None:
        """Move `_since` to the latest of `alerts` and remember the ones announced then."""
        if not alerts:
            return
        latest = max(a.notified_at or "" for a in alerts)
        if latest != self._since:
            self._since = latest
            self._seen = set()
        self._seen.update((a.topic, a.started_at) for a in alerts if a.notified_at == latest)
