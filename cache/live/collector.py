"""The collector: run live sources on their schedules and store what they deliver.

Used headless by `app.py collect` and in the background by the monitor screen. Every
page a source yields goes through `ingest` together with the source states it carries
(one transaction), so a crash or a kill never stores a cursor past unstored mentions.

Threads: `poll_source` opens its own `Store` for the call, so it may be called from any
thread (the monitor calls it from worker threads). A per-source lock makes sure two polls
of one source never overlap; `run_forever` re-arms a source only after its poll finished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from cache.db.store import Store
from cache.live.poll_report import PollReport, describe_report
from cache.live.scheduler import Scheduler, Wait, start_thread
from cache.live.slots import SLOW_SECONDS, PollSlots
from cache.write.ingest import IngestResult, ingest, store_errors
from filters.classify import Classifier
from sources.base import PollOutcome, PollPage, Source
from sources.bluesky.jetstream import JetstreamSource
from sources.bluesky.source import BlueskySource, bluesky_configured
from sources.feeds.source import FeedSource
from sources.mastodon.source import MastodonSource, mastodon_configured
from sources.mastodon.stream import MastodonStreamSource
from sources.model.config import BEARER_ENV, Config
from sources.model.config_file import ConfigFileError, read_toml
from sources.model.records import SourceState, utc_now
from sources.model.redact import redact, redact_optional
from sources.model.secret_env import read_secret, source_environ
from sources.model.text import format_timestamp
from sources.x.source import StreamGate, XSource, x_configured
from sources.x.stream import XStreamSource

log = logging.getLogger("echowatch.collect")

Clock = Callable[[], datetime]
Listener = Callable[["PollReport", IngestResult], object]


@dataclass
class _Totals:
    new: int = 0
    updated: int = 0
    skipped: int = 0
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verbose: list[str] = field(default_factory=list)


def build_sources(config: Config, *, environ: dict[str, str] | None = None) -> list[Source]:
    """The sources a config asks for: X (when it has anything to poll), each feed,
    Bluesky and Mastodon (when their sections name anything to read).

    Without a bearer token, X is built only when the config file has an explicit `[x]`
    section: a feeds-only config should not fail every run for lack of a token it never
    wanted; a config that asks for X gets a source that reports the missing token.
    """
    env = source_environ() if environ is None else environ
    sources: list[Source] = []
    bearer = read_secret(env, BEARER_ENV)
    if x_configured(config) and (bearer.value or bearer.problem or _declares_x(config.path)):
        token = bearer.value
        gate = StreamGate() if config.x.stream and token and config.x.queries else None
        sources.append(XSource(config, token=env.get(BEARER_ENV, ""), stream_gate=gate))
        if gate is not None:
            sources.append(XStreamSource(config, token, gate))
    sources.extend(FeedSource(feed) for feed in config.feeds)
    bluesky = BlueskySource(config, environ=env) if bluesky_configured(config, env) else None
    if bluesky is not None:
        sources.append(bluesky)
    if config.bluesky.jetstream:
        sources.append(JetstreamSource(config, profiles=bluesky))
    mastodon = MastodonSource(config, environ=env) if mastodon_configured(config) else None
    if mastodon is not None:
        sources.append(mastodon)
        if config.mastodon.stream and config.mastodon.hashtags:
            sources.append(MastodonStreamSource(config, rest=mastodon))
    return sources


def nothing_to_poll(config: Config, *, environ: Mapping[str, str] | None = None) -> str:
    """Why `build_sources` built nothing, one clause per kind of source."""
    env = source_environ() if environ is None else environ
    return (
        f"no [[feeds]], {_why_no_x(config, env)}, and no [bluesky] or [mastodon] handles, "
        "hashtags, accounts or queries"
    )


def _why_no_x(config: Config, env: Mapping[str, str]) -> str:
    if not _declares_x(config.path) and not read_secret(env, BEARER_ENV).value:
        # X needs no [x] section (its query is the company's name), only its token.
        return f"X needs the {BEARER_ENV} environment variable"
    # X was asked for and not built: it has no endpoint, so every query is blank.
    if config.x.queries:
        what = "x.queries holds only blank queries (blank ones are left out)"
    elif not config.company.name.strip():
        what = "no X query: [company] name is blank (the default query is the company's name)"
    else:
        what = "x.queries is empty"
    return f"{what} and no X timeline to read"


def _declares_x(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return "x" in read_toml(path)
    except ConfigFileError:
        return False


class Collector:
    """Runs sources and stores their pages. See the module docstring for threading."""

    def __init__(
        self,
        config: Config,
        db_path: Path | str,
        *,
        sources: Sequence[Source] | None = None,
        clock: Clock = utc_now,
        classifier: Classifier | None = None,
    ) -> None:
        self.config = config
        self.db_path = Path(db_path)
        self.sources: dict[str, Source] = {
            s.name: s for s in (build_sources(config) if sources is None else sources)
        }
        self.clock = clock
        self.classifier = classifier or Classifier(config)
        self._listeners: list[Listener] = []
        self._poll_locks = {name: threading.Lock() for name in self.sources}
        self._write_lock = threading.Lock()
        """One writer at a time in this process; held at shutdown so no write is cut."""

    @property
    def names(self) -> list[str]:
        return list(self.sources)

    def add_listener(self, callback: Listener) -> None:
        """Call `callback(report_so_far, ingest_result)` after each stored page."""
        self._listeners.append(callback)

    # --- one poll -----------------------------------------------------------------

    def poll_source(
        self, name: str, stop: threading.Event | None = None, *, rearmed: bool = True
    ) -> PollReport:
        """Poll one source now and store what it yields; safe from any thread.

        When `stop` is set between two pages, the poll ends after the page being written.
        `rearmed=False` (`collect --once`): nothing polls again, so the stored states
        announce no next poll (see `_ingest_counting_new`).
        """
        source = self.sources[name]
        with self._poll_locks[name]:
            started = time.monotonic()
            now = self.clock()
            totals = _Totals()
            error: str | None = None
            outcome: PollOutcome
            try:
                with self._open_store() as store:
                    states = {s.name: s for s in store.source_states()}
                    pages = source.poll(states, now)
                    try:
                        self._store_pages(store, name, pages, totals, started, stop, rearmed)
                    finally:
                        _close(pages)
                outcome = source.outcome()
            except Exception as exc:  # one broken source never stops the others
                log.exception("%s: poll failed", name)
                error = f"internal error: {type(exc).__name__}: {exc}"[:300]
                outcome = PollOutcome(ok=False, error=error)
                crashed = True
            else:
                crashed = False
            if not outcome.ok:
                error = outcome.error or "failed"
            # Counted from the poll's end: a poll that failed after 20 s of a stalling host
            # is not due again the moment it ends, whatever its interval.
            ended = self.clock()
            next_at = None if outcome.stopped else ended + timedelta(seconds=outcome.next_poll_in)
            if crashed:
                self._record_crash(source, now, redact(error or ""), next_at)
            return PollReport(
                finished=outcome.finished,
                name=name,
                new=totals.new,
                updated=totals.updated,
                took_s=time.monotonic() - started,
                next_poll_at=next_at,
                error=redact_optional(error),
                warnings=tuple(redact(w) for w in totals.warnings),
                verbose=tuple(redact(w) for w in totals.verbose),
                new_ids=tuple(totals.new_ids),
                updated_ids=tuple(totals.updated_ids),
                stopped=outcome.stopped,
                skipped=totals.skipped,
            )

    def _record_crash(
        self, source: Source, now: datetime, error: str, next_at: datetime | None
    ) -> None:
        """Store the source failing with `error`: a poll that died before saving its
        state must not leave it looking never polled (`feeds list`, `status`, Sources)."""
        try:
            with self._open_store() as store, self._write_lock, store.writing():
                state = store.source_state(source.name)
                store.save_source_state(
                    replace(
                        state,
                        kind=state.kind or source.kind,
                        last_poll_at=format_timestamp(now),
                        last_error=error,
                        last_error_at=format_timestamp(now),
                        last_new=0,
                        next_poll_at=format_timestamp(next_at) if next_at else None,
                    )
                )
        except Exception:  # the store itself failing: the report still says what happened
            log.exception("%s: could not record the failed poll", source.name)

    def _open_store(self) -> Store:
        # Opening may create and migrate the file: two threads doing that at once would
        # trip over each other's schema lock, so opens take turns with writes.
        with self._write_lock:
            return Store.open(self.db_path)

    def _store_pages(
        self,
        store: Store,
        name: str,
        pages: Iterator[PollPage],
        totals: _Totals,
        started: float,
        stop: threading.Event | None,
        rearmed: bool,
    ) -> None:
        counted: dict[str, int] = {}
        for page in pages:
            with self._write_lock:
                result = _ingest_counting_new(store, page, self.classifier, counted, rearmed)
            totals.new += result.new
            totals.updated += result.updated
            totals.skipped += result.skipped
            totals.new_ids.extend(result.new_ids)
            totals.updated_ids.extend(result.updated_ids)
            totals.warnings.extend(page.batch.warnings)
            for skipped in page.batch.skipped:
                said = totals.warnings if skipped.first_report else totals.verbose
                said.append(f"skipped {skipped.where}: {skipped.reason}")
            if page.batch.mentions or result.updated:
                self._notify(
                    PollReport(
                        name=name,
                        new=result.new,
                        updated=result.updated,
                        took_s=time.monotonic() - started,
                        new_ids=tuple(result.new_ids),
                        updated_ids=tuple(result.updated_ids),
                        warnings=tuple(page.batch.warnings),
                    ),
                    result,
                )
            if stop is not None and stop.is_set():
                return

    def _notify(self, report: PollReport, result: IngestResult) -> None:
        for listener in list(self._listeners):
            try:
                listener(report, result)
            except Exception:  # a listener's bug must not lose the poll
                log.exception("listener %r failed", listener)

    # --- rounds and schedules -----------------------------------------------------

    def run_once(
        self,
        stop: threading.Event | None = None,
        *,
        parallel: int = 4,
        slow_s: float = SLOW_SECONDS,
    ) -> list[PollReport]:
        """Poll every source once (a few at a time, slots shared as `cache.live.slots`
        says); reports in source order."""
        reports: dict[str, PollReport] = {}
        pending = list(self.sources)
        slots = PollSlots(parallel, self.clock, slow_s=slow_s, states=self.stored_states())
        done = threading.Condition()

        def work(source_name: str) -> None:
            report = self.poll_source(source_name, stop, rearmed=False)
            with done:
                reports[source_name] = report
                done.notify_all()

        with done:
            while pending or slots.running:
                for source_name in list(pending):
                    if (stop and stop.is_set()) or not slots.may_start(source_name):
                        continue
                    pending.remove(source_name)
                    slots.start(source_name)
                    start_thread(work, source_name)
                if stop is not None and stop.is_set():
                    pending.clear()
                done.wait(timeout=0.5)
                for finished in [n for n in slots.running if n in reports]:
                    slots.ended(finished, ok=reports[finished].ok)
        return [reports[n] for n in self.sources if n in reports]

    def run_forever(
        self,
        stop: threading.Event,
        *,
        wait: Wait | None = None,
        on_report: Callable[[PollReport], None] | None = None,
        parallel: int = 4,
        grace_s: float = 10.0,
        slow_s: float = SLOW_SECONDS,
    ) -> bool:
        """Poll each source when due until `stop` is set (see `Scheduler.run`, the one
        schedule `collect` and the monitor share); True when no source is left to poll."""
        scheduler = Scheduler(self, parallel=parallel, grace_s=grace_s, slow_s=slow_s)
        return scheduler.run(stop, wait=wait, on_report=on_report)

    def stored_states(self) -> dict[str, SourceState]:
        """The sources' states as stored (empty when the store does not exist yet)."""
        if not self.db_path.exists():
            return {}
        with Store.open(self.db_path) as store:
            return {s.name: s for s in store.source_states()}

    def wait_for_writes(self) -> None:
        """Return once no write is in progress (shutdown: nothing is cut mid-transaction)."""
        with self._write_lock:
            pass


def _ingest_counting_new(
    store: Store,
    page: PollPage,
    classifier: Classifier,
    counted: dict[str, int],
    rearmed: bool = True,
) -> IngestResult:
    """Store a page with its states, each saying how many new mentions this poll stored
    so far (`last_new`: the status line's `+N`, `feeds list`'s "new in the last poll").

    Only the store knows which mentions are new, so the states are saved after the
    mentions, in the same transaction (a cursor never runs ahead of what was stored).
    `counted` runs across the poll's pages, per state name.

    Not `rearmed`: a stored next poll tells an offline monitor that a collector is still
    running (tui.live.collected_elsewhere), so none is kept, except a failed source's:
    that one is its backoff, which the next run honours (Scheduler.initial_schedule)."""
    with store_errors(store), store.writing():
        result = ingest(store, page.batch, classifier)
        for state in page.states:
            counted[state.name] = counted.get(state.name, 0) + result.new
            next_poll = state.next_poll_at if rearmed or state.last_error else None
            store.save_source_state(
                replace(state, last_new=counted[state.name], next_poll_at=next_poll)
            )
    return result


def _close(pages: Iterator[PollPage]) -> None:
    close = getattr(pages, "close", None)
    if close is not None:
        close()


__all__ = ["Collector", "PollReport", "SourceState", "build_sources", "describe_report"]
