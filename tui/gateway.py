"""The one way from the screens into the store and the live services.

Every module of `tui/` reads and writes through here and nowhere else: no screen opens a
`Store`, imports `cache` or writes SQL (tests/test_gateway.py checks it). Reads open the
store read-only, so reading never writes it (an `--offline` monitor writes only the
reader's marks, `--read-only` not even those); the calls that write say so in their
names and docstrings. What comes back is typed records
(frozen dataclasses from `cache`, `filters` and `sources`) or plain rows, never a
connection or a cursor, so results may cross from a worker thread to the screen.

A `Reader` is one read-only store for a worker's several reads in a row (the feed's page,
its count and its badges): `with reading(db_path) as reader:` and pass it to the calls.
The marks a reader keeps (read, starred) are written through `save_marks`, which opens
its own short writing connection.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cache.alerts.announced import AnnouncedAlerts
from cache.alerts.rules import Alert, describe, evaluate, list_alerts, rule_from_config
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store, StoreError, default_db_path, demo_db_path, describe_sqlite_error
from cache.db.upgrade import StoreUpgrade, upgrade_notices
from cache.db.write_lock import is_busy
from cache.export.request import ExportRequest
from cache.export.run import SidecarNotWritten, export_to
from cache.export.target import ExportTargetError
from cache.live.demo_policy import (
    DEMO_META_KEY,
    DemoStoreRefused,
    claim_demo_store,
    config_path_for,
    demo_store_path,
    refuse_demo_store,
    runs_demo,
)
from cache.live.poll_report import PollReport, describe_report
from cache.live.scheduler import Pollable, Scheduler
from cache.read import ambassadors, monitor_queries, search, threads, views
from cache.read.ambassadors import AmbassadorProfile, EvidencePost, profile_evidence_ids
from cache.read.marks import UNREAD_CAP, Marks, marks_for, unread_count
from cache.read.monitor_queries import (
    COUNT_CAP,
    OTHER_TOPIC,
    MentionDetail,
    NewRows,
    TopicCount,
    ambassador_ids,
    combine,
    topic_selection,
)
from cache.read.search import QueryError, query_selection
from cache.read.selection import Selection, ended_at
from cache.read.stale_rules import stale_rules_note
from cache.read.status import StoreStatus, store_status
from cache.read.thread_walk import (
    AccountPage,
    AccountPost,
    PostAuthor,
    TextBlockReplies,
    account_page,
    parody_pages,
    post_authors,
    reply_text_blocks,
    text_block_of,
)
from cache.read.views import CountsEnd, ViewCount, alert_views
from cache.write.marks import set_marks
from cache.write.reclassify import reclassify_if_changed
from filters.classify import Classifier
from filters.threads import Thread
from filters.views import SavedView
from sources.base import Source
from sources.model.config import Config, ConfigError
from sources.model.records import SourceState

if TYPE_CHECKING:
    # The collector and the replay bring the source adapters (tweepy, feedparser, requests,
    # atproto, Mastodon.py): they are imported only on the paths that poll (see
    # live_collector), so browsing a store starts without them (bench/startup.py).
    from cache.live.collector import Collector
    from sources.demo.replay import ReplaySource


class Reader:
    """One read-only store, for a worker's reads in a row; closes on leaving `with`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._store.close()


STEPS_BETWEEN_CHECKS = 10_000
"""SQLite virtual-machine steps between two looks at whether a read was superseded (a
fraction of a millisecond)."""


@contextlib.contextmanager
def until_superseded(reader: Reader, superseded: Callable[[], bool]) -> Iterator[None]:
    """Stop the reader's statements inside the block as soon as `superseded()` says a
    newer read took its place (its worker was cancelled), and leave the block quietly: a
    filter changed again while a search of a million mentions ran went on for its
    100-300 ms, on a core the new search needed."""
    conn = reader._store.conn
    conn.set_progress_handler(lambda: int(superseded()), STEPS_BETWEEN_CHECKS)
    try:
        yield
    except sqlite3.OperationalError:  # SQLite reports the stop as an interrupted statement
        if not superseded():
            raise
    finally:
        conn.set_progress_handler(None, 0)


def reading(db_path: Path) -> Reader:
    """Open the store at `db_path` read-only (it is never created or written)."""
    return Reader(Store.open(db_path, readonly=True))


# --- the feed ------------------------------------------------------------------------------


def feed_page(
    reader: Reader,
    selection: Selection,
    *,
    before: tuple[str, str] | None = None,
    limit: int,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """One page of the feed, newest first, older than `before` (created_at, id); with
    `now`, none dated after the present (`monitor_queries.present_period`)."""
    return monitor_queries.feed_page(reader._store, selection, before=before, limit=limit, now=now)


def count_matching(reader: Reader, selection: Selection, cap: int = COUNT_CAP) -> int:
    """How many mentions match (counting stops past `cap`)."""
    return monitor_queries.count_matching(reader._store, selection, cap)


def feed_rows_by_ids(
    reader: Reader, selection: Selection, ids: list[str], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The feed rows of `ids` that match `selection` (with `now`: none dated after it)."""
    return monitor_queries.feed_rows_by_ids(reader._store, selection, ids, now)


def any_ambassador_post(reader: Reader, ids: list[str]) -> bool:
    return monitor_queries.any_ambassador_post(reader._store, ids)


def feed_reply_badges(
    reader: Reader, config: Config, ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Mention id -> the badges of its ambassador reply (raises ConfigError on bad signals)."""
    return monitor_queries.feed_reply_badges(reader._store, config, ids)


class NewRowWatch:
    """Mentions another process stored since the watch started (see cache.read.monitor_queries)."""

    def __init__(self) -> None:
        self._watch = monitor_queries.NewRowWatch()

    def start(self, reader: Reader) -> None:
        self._watch.start(reader._store)

    def new_rows(self, reader: Reader, known: Iterable[str] = ()) -> NewRows:
        """Their ids when few, else how many (less the `known` ones already reported)."""
        return self._watch.new_rows(reader._store, frozenset(known))


def count_newer(
    reader: Reader, selection: Selection, after: tuple[str, str], now: datetime, cap: int
) -> int:
    """How many selected mentions are newer than `after` (created_at, id), up to `cap` + 1."""
    return monitor_queries.count_newer(reader._store, selection, after, now=now, cap=cap)


def mention_detail(reader: Reader, mention_id: str) -> MentionDetail | None:
    return monitor_queries.mention_detail(reader._store, mention_id)


def thread_for(reader: Reader, mention_id: str) -> Thread | None:
    return threads.thread_for(reader._store, mention_id)


# --- topics and saved views ----------------------------------------------------------------


def counts_end(reader: Reader, now: datetime, *, to_newest: bool) -> CountsEnd:
    return views.counts_end(reader._store, now, to_newest=to_newest)


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


class AlertsAnnouncedElsewhere:
    """Alerts another process's collector announced since the watch started (see
    cache.alerts.announced): how a monitor that polls nothing hears of spikes."""

    def __init__(self) -> None:
        self._watch = AnnouncedAlerts()

    def start(self, reader: Reader) -> None:
        self._watch.start(reader._store)

    def new_alerts(self, reader: Reader) -> list[Alert]:
        return self._watch.new_alerts(reader._store)


def judge_alert_hours(db_path: Path, config: Config) -> None:
    """WRITES: judge the hours no collector judged yet and store their alerts (as
    `app.py alerts` does). Raises StoreError when the store cannot be written."""
    classifier = Classifier(config)
    with Store.open(db_path, create=False) as store:
        # The alerts count the topics the store holds: bring them up to this config first.
        reclassify_if_changed(store, classifier)
        evaluate(
            store,
            rule_from_config(config),
            views=alert_views(config),
            classification=classifier.fingerprint(),
        )


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
    wait: Callable[[float], None] | None = None,
    on_report: Callable[[PollReport], None],
) -> bool:
    """Run the sources' schedule (the one `collect` runs) until `stop`; True when no
    source is left to poll."""
    return Scheduler(collector).run(stop, wait=wait, on_report=on_report)


# --- starting the monitor (tui.launch) -----------------------------------------------------


def store_damage(db_path: Path, *, upgrade: bool = True) -> str | None:
    """Why the store is damaged (a sentence), or None; read-only. A clean check of the
    unchanged file on record (cache/db/intact.py) stands in for reading it all again.
    The first open that may upgrade a store an older version wrote (without `upgrade`,
    such a store is refused: StoreError)."""
    with Store.open(db_path, readonly=True, upgrade=upgrade) as store:
        return store.damage(trust_record=True)


def stale_rules(db_path: Path, config: Config) -> str | None:
    """One line when the store's roles or topics are from other rules than `config`'s
    (`stale_rules_note`: browsing does not apply them), else None; read-only."""
    with Store.open(db_path, readonly=True) as store:
        return stale_rules_note(store, config)


def live_collector(
    config: Config, db_path: Path, *, sources: list[Source] | None = None
) -> tuple[Collector, AlertWatcher]:
    """WRITES: create and migrate the store, re-apply topics and roles if the config's
    rules changed; then the collector for its sources and the spike watcher it feeds
    (judging spikes after every stored batch, in the poll's own thread)."""
    from cache.live.collector import Collector  # the source adapters: only when polling

    with Store.open(db_path) as store:
        reclassify_if_changed(store, Classifier(config))
    collector = Collector(config, db_path, sources=sources)
    watcher = AlertWatcher(config, db_path=db_path)
    collector.add_listener(watcher.on_batch)
    return collector, watcher


def demo_replay(db: str | None, speed: float) -> tuple[Path, ReplaySource]:
    """WRITES (marks the store): the demo's store claimed for a replay at `speed` (see
    cache.live.demo_policy); raises DemoStoreRefused for a user's store."""
    from sources.demo.replay import ReplaySource  # the source adapters: only when polling

    path = demo_store_path(db)
    replay = ReplaySource(speed=speed)
    claim_demo_store(path, replay=replay)
    return path, replay


# --- threads, accounts and text blocks (the thread walk) ----------------------------------


@dataclass(frozen=True)
class ThreadRead:
    """One mention, its thread and who wrote each post of it."""

    detail: MentionDetail | None
    thread: Thread | None
    authors: dict[str, PostAuthor] = field(default_factory=dict)


def thread_ids(mention_id: str, thread: Thread | None) -> list[str]:
    """Every post id the thread view shows: the mention, the root, replies, reactions."""
    ids = [mention_id]
    if thread is not None:
        ids.append(thread.root.id)
        ids.extend(r.post.id for r in thread.root_reactions)
        for reply in thread.replies:
            ids.append(reply.post.id)
            ids.extend(r.post.id for r in reply.reactions)
    return list(dict.fromkeys(ids))


def read_thread(db_path: Path, mention_id: str) -> ThreadRead:
    """The mention `mention_id`, the thread it belongs to, and the author of every post."""
    with Store.open(db_path, readonly=True) as store:
        detail = monitor_queries.mention_detail(store, mention_id)
        if detail is None:
            return ThreadRead(None, None)
        thread = threads.thread_for(store, mention_id)
        return ThreadRead(detail, thread, post_authors(store, thread_ids(mention_id, thread)))


@dataclass(frozen=True)
class ReplySignals:
    """The badges of ambassador replies and the text block each one uses."""

    badges: dict[str, tuple[str, ...]]
    blocks: dict[str, int]


def read_reply_signals(db_path: Path, config: Config, ids: Sequence[str]) -> ReplySignals:
    """Badges and text blocks of the replies `ids` (none when the config cannot be used:
    the feed already says why)."""
    with Store.open(db_path, readonly=True) as store:
        try:
            return ReplySignals(
                monitor_queries.feed_reply_badges(store, config, ids),
                reply_text_blocks(store, config, ids),
            )
        except ConfigError:
            return ReplySignals({}, {})


def read_text_block(db_path: Path, config: Config, reply_id: str) -> TextBlockReplies | None:
    """Every reply sharing the text block of `reply_id`."""
    with Store.open(db_path, readonly=True) as store:
        return text_block_of(store, config, reply_id)


def read_account(db_path: Path, key: str) -> AccountPage | None:
    """One account with its newest posts (a parody account: its reactions)."""
    with Store.open(db_path, readonly=True) as store:
        return account_page(store, key)


def read_parody_accounts(db_path: Path) -> list[AccountPage]:
    """Every parody account with its newest reactions, the busiest first."""
    with Store.open(db_path, readonly=True) as store:
        return parody_pages(store)


def attach_marks(reader: Reader, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give feed rows their `read` and `starred` flags (rows are changed and returned)."""
    found = marks_for(reader._store, (row["id"] for row in rows))
    for row in rows:
        mark = found.get(row["id"], Marks())
        row["read"], row["starred"] = mark.read, mark.starred
    return rows


def unread_text(reader: Reader) -> str:
    """The unread count as the status line says it (`37`, `more than 10,000`)."""
    count = unread_count(reader._store)
    return f"more than {UNREAD_CAP:,}" if count > UNREAD_CAP else f"{count:,}"


def count_text(reader: Reader, selection: Selection) -> str:
    """How many mentions `selection` matches, as the filter line says it (`37`, `more than
    10,000`); an empty selection counts the whole store."""
    count = count_matching(reader, selection)
    return f"more than {COUNT_CAP:,}" if count > COUNT_CAP else f"{count:,}"


MARK_TRIES = 3
"""Times a mark is tried while another writer keeps the store busy (each try waits the
store's busy timeout for its turn): a long import transaction is waited out, not taken
for a store that cannot be written."""


@dataclass(frozen=True)
class MarksNotSaved:
    """Why marks could not be stored."""

    why: str
    busy: bool
    """Only because another writer kept the store busy: later marks may well be stored
    (a read-only, missing or damaged store will refuse them all)."""


def save_marks(
    db_path: Path,
    ids: Sequence[str],
    now: datetime,
    *,
    read: bool | None = None,
    starred: bool | None = None,
) -> MarksNotSaved | None:
    """Store the marks; None when saved, else why they were not.

    A store that cannot be written (read-only file or filesystem, busy, damaged) is not an
    error of the monitor: the reader is told, and the marks stay as they were.
    """
    failure = MarksNotSaved("not tried", busy=False)
    for _ in range(MARK_TRIES):
        try:
            with Store.open(db_path, create=False) as store:
                set_marks(store, ids, now, read=read, starred=starred)
        except StoreError as exc:
            failure = MarksNotSaved(str(exc), busy=is_busy(exc.__cause__ or exc))
        except sqlite3.DatabaseError as exc:
            failure = MarksNotSaved(describe_sqlite_error(db_path, exc), busy=is_busy(exc))
        else:
            return None
        if not failure.busy:
            break
    return failure


__all__ = [
    "COUNT_CAP",
    "DEMO_META_KEY",
    "OTHER_TOPIC",
    "AccountPage",
    "AccountPost",
    "Alert",
    "AlertWatcher",
    "AmbassadorProfile",
    "CountsEnd",
    "DemoStoreRefused",
    "EvidencePost",
    "ExportRequest",
    "ExportTargetError",
    "MentionDetail",
    "NewRows",
    "PollReport",
    "Pollable",
    "PostAuthor",
    "QueryError",
    "Reader",
    "Selection",
    "SidecarNotWritten",
    "SourceState",
    "StoreError",
    "StoreStatus",
    "StoreUpgrade",
    "TextBlockReplies",
    "TopicCount",
    "ViewCount",
    "ambassador_ids",
    "combine",
    "config_path_for",
    "counts_end",
    "default_db_path",
    "demo_db_path",
    "describe_report",
    "ended_at",
    "profile_evidence_ids",
    "query_selection",
    "reading",
    "refuse_demo_store",
    "runs_demo",
    "topic_selection",
    "upgrade_notices",
]
