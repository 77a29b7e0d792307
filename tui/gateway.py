"""The one way from the screens into the store and the live services.

Every module of `tui/` reads and writes through here and nowhere else: no screen opens a
`Store`, imports `cache` or writes SQL (tests/test_gateway.py checks it). Reads open the
store read-only, so `--offline` (or a store on a read-only disk) is never written; the
calls that write say so in their names and docstrings. What comes back is typed records
(frozen dataclasses from `cache`, `filters` and `sources`) or plain rows, never a
connection or a cursor, so results may cross from a worker thread to the screen.

A `Reader` is one read-only store for a worker's several reads in a row (the feed's page,
its count and its badges): `with reading(db_path) as reader:` and pass it to the calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cache import ambassadors, monitor_queries, search, threads, views
from cache.alerts import Alert, AlertWatcher, describe, evaluate, list_alerts, rule_from_config
from cache.ambassadors import AmbassadorProfile, EvidencePost, profile_evidence_ids
from cache.collector import Collector
from cache.demo_policy import (
    DEMO_META_KEY,
    DemoStoreRefused,
    claim_demo_store,
    demo_store_path,
    refuse_demo_store,
    runs_demo,
)
from cache.export import ExportRequest, export_to
from cache.monitor_queries import (
    COUNT_CAP,
    OTHER_TOPIC,
    MentionDetail,
    ParodySummary,
    TopicCount,
    ambassador_ids,
    combine,
    topic_selection,
)
from cache.poll_report import PollReport
from cache.reclassify import reclassify_if_changed
from cache.scheduler import Pollable, Scheduler
from cache.search import QueryError, Selection, query_selection
from cache.status import StoreStatus, store_status
from cache.store import Store, StoreError, default_db_path, demo_db_path
from cache.views import ViewCount, alert_views
from filters.classify import Classifier
from filters.threads import Thread
from filters.views import SavedView
from sources.base import Source
from sources.config import Config
from sources.records import SourceState
from sources.replay import ReplaySource


class Reader:
    """One read-only store, for a worker's reads in a row; closes on leaving `with`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._store.close()


def reading(db_path: Path) -> Reader:
    """Open the store at `db_path` read-only (it is never created or written)."""
    return Reader(Store.open(db_path, readonly=True))


# --- the feed ------------------------------------------------------------------------------


def feed_page(
    reader: Reader, selection: Selection, *, before: tuple[str, str] | None = None, limit: int
) -> list[dict[str, Any]]:
    """One page of the feed, newest first, older than `before` (created_at, id)."""
    return monitor_queries.feed_page(reader._store, selection, before=before, limit=limit)


def count_matching(reader: Reader, selection: Selection, cap: int = COUNT_CAP) -> int:
    """How many mentions match (counting stops past `cap`)."""
    return monitor_queries.count_matching(reader._store, selection, cap)


def feed_rows_by_ids(reader: Reader, selection: Selection, ids: list[str]) -> list[dict[str, Any]]:
    """The feed rows of `ids` that match `selection`."""
    return monitor_queries.feed_rows_by_ids(reader._store, selection, ids)


def any_ambassador_post(reader: Reader, ids: list[str]) -> bool:
    return monitor_queries.any_ambassador_post(reader._store, ids)


def feed_reply_badges(
    reader: Reader, config: Config, ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Mention id -> the badges of its ambassador reply (raises ConfigError on bad signals)."""
    return monitor_queries.feed_reply_badges(reader._store, config, ids)


class NewRowWatch:
    """Mentions another process stored since the watch started (see cache.monitor_queries)."""

    def __init__(self) -> None:
        self._watch = monitor_queries.NewRowWatch()

    def start(self, reader: Reader) -> None:
        self._watch.start(reader._store)

    def new_ids(self, reader: Reader) -> list[str]:
        return self._watch.new_ids(reader._store)


def mention_detail(reader: Reader, mention_id: str) -> MentionDetail | None:
    return monitor_queries.mention_detail(reader._store, mention_id)


def thread_for(reader: Reader, mention_id: str) -> Thread | None:
    return threads.thread_for(reader._store, mention_id)


# --- topics and saved views ----------------------------------------------------------------


def newest_time(reader: Reader) -> datetime | None:
    return monitor_queries.newest_time(reader._store)


def topic_counts(
    reader: Reader, topics: list[str], now: datetime, window: timedelta
) -> list[TopicCount]:
    return monitor_queries.topic_counts(reader._store, topics, now, window)


def rare_topics(reader: Reader, topics: Iterable[str]) -> frozenset[str]:
    return search.rare_topics(reader._store, topics)


def view_counts(
    reader: Reader,
    saved: Iterable[SavedView],
    config: Config,
    now: datetime,
    windows: list[tuple[str, timedelta]],
    *,
    rare: Iterable[str] = (),
) -> list[ViewCount]:
    return views.view_counts(
        reader._store, saved, config, now, windows, rare_topics=frozenset(rare)
    )


# --- accounts ------------------------------------------------------------------------------


def ambassador_profiles(reader: Reader, config: Config, now: datetime) -> list[AmbassadorProfile]:
    return ambassadors.ambassador_profiles(reader._store, config, now)


def evidence_posts(reader: Reader, ids: Iterable[str]) -> dict[str, EvidencePost]:
    """The stored posts behind `ids` (ids not in the store are left out)."""
    return ambassadors.evidence_posts(reader._store, ids)


def parody_summaries(reader: Reader) -> list[ParodySummary]:
    return monitor_queries.parody_summaries(reader._store)


# --- sources and status --------------------------------------------------------------------


def source_states(reader: Reader) -> list[SourceState]:
    return reader._store.source_states()


def read_source_states(db_path: Path) -> list[SourceState]:
    """Every source's stored state (health, last poll, cursor), read-only."""
    with reading(db_path) as reader:
        return source_states(reader)


def status_of(reader: Reader) -> StoreStatus:
    """What `app.py status` prints: mentions per platform and source, sources' health."""
    return store_status(reader._store)


# --- alerts --------------------------------------------------------------------------------


def stored_alerts(reader: Reader, limit: int) -> list[Alert]:
    """The newest stored spike alerts."""
    return list_alerts(reader._store, limit)


def judge_alert_hours(db_path: Path, config: Config) -> None:
    """WRITES: judge the hours no collector judged yet and store their alerts (as
    `app.py alerts` does). Raises StoreError when the store cannot be written."""
    with Store.open(db_path, create=False) as store:
        evaluate(store, rule_from_config(config), views=alert_views(config))


def describe_alert_text(alert: Alert) -> str:
    """One line about a spike alert (raw: clean it for display)."""
    return describe(alert)


# --- exports -------------------------------------------------------------------------------


def export_selection(db_path: Path, request: ExportRequest, *, encoding: str) -> int:
    """Write an export file (the store is only read); returns the rows written."""
    with Store.open(db_path, readonly=True) as store:
        return export_to(store, request, encoding=encoding)


# --- the live services: the sources' schedule ----------------------------------------------


def poll_sources(
    collector: Pollable,
    stop: threading.Event,
    *,
    wait: Callable[[float], None],
    on_report: Callable[[PollReport], None],
) -> bool:
    """Run the sources' schedule (the one `collect` runs) until `stop`; True when no
    source is left to poll."""
    return Scheduler(collector).run(stop, wait=wait, on_report=on_report)


# --- starting the monitor (tui.launch) -----------------------------------------------------


def store_damage(db_path: Path) -> str | None:
    """Why the store is damaged (a sentence), or None; read-only."""
    with Store.open(db_path, readonly=True) as store:
        return store.damage()


def live_collector(
    config: Config, db_path: Path, *, sources: list[Source] | None = None
) -> tuple[Collector, AlertWatcher]:
    """WRITES: create and migrate the store, re-apply topics and roles if the config's
    rules changed; then the collector for its sources and the spike watcher it feeds
    (judging spikes after every stored batch, in the poll's own thread)."""
    with Store.open(db_path) as store:
        reclassify_if_changed(store, Classifier(config))
    collector = Collector(config, db_path, sources=sources)
    watcher = AlertWatcher(config, db_path=db_path)
    collector.add_listener(watcher.on_batch)
    return collector, watcher


def demo_replay(db: str | None, speed: float) -> tuple[Path, ReplaySource]:
    """WRITES (marks the store): the demo's store claimed for a replay at `speed` (see
    cache.demo_policy); raises DemoStoreRefused for a user's store."""
    path = demo_store_path(db)
    replay = ReplaySource(speed=speed)
    claim_demo_store(path, replay=replay)
    return path, replay


__all__ = [
    "COUNT_CAP",
    "DEMO_META_KEY",
    "OTHER_TOPIC",
    "Alert",
    "AlertWatcher",
    "AmbassadorProfile",
    "DemoStoreRefused",
    "EvidencePost",
    "ExportRequest",
    "MentionDetail",
    "ParodySummary",
    "PollReport",
    "Pollable",
    "QueryError",
    "Reader",
    "Selection",
    "SourceState",
    "StoreError",
    "StoreStatus",
    "TopicCount",
    "ViewCount",
    "ambassador_ids",
    "combine",
    "default_db_path",
    "demo_db_path",
    "profile_evidence_ids",
    "query_selection",
    "reading",
    "refuse_demo_store",
    "runs_demo",
    "topic_selection",
]
