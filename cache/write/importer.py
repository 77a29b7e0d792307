"""Import archive files into the store: the engine behind `app.py import`."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cache.db import fts
from cache.db.access import DISK_FULL
from cache.db.store import Store, StoreError, describe_sqlite_error, write_refusal
from cache.write.ingest import IngestResult
from cache.write.pipeline import FLUSH_MENTIONS, BulkIngest
from filters.classify import Classifier
from sources.archive.files import DEFAULT_MAX_LINE_BYTES, ArchiveError
from sources.archive.packing import (
    STDIN_NAME,
    STDIN_SOURCE,
    file_by_its_own_name,
    is_stream,
    names_own_file,
    source_name,
    stdin_as_file,
)
from sources.model.records import ParsedBatch, Skipped, utc_now


@dataclass
class ImportReport:
    totals: IngestResult = field(default_factory=IngestResult)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    files_read: int = 0
    times_from_ids: int = 0
    """Posts without created_at whose time was taken from their id (derived, not reported)."""
    interrupted: bool = False
    """Stopped by `stop` (SIGTERM, Ctrl-C) after a committed transaction, before the end."""
    index_segments_merged: int = 0
    """Full-text index segments merged into one at the end (`merge_index`; 0: none)."""
    index_merge_seconds: float = 0.0
    """The wall time of that merge."""


MERGE_SHARE = 0.5
"""The least share of the store's mentions an import must have added for it to end by
merging the full-text index into one segment (`merge_index`). Each transaction writes a
segment of its own and FTS5 lets 16 gather on a level before merging them
(`cache.db.fts.AUTOMERGE`), so a million imported leave 10-15, and every search looks
each word up in each: on a million, merged into one in 1.3-1.5 s, `Verdi OR Gewerkschaft`
took 2.4-2.5 ms against 4.6-5.9 (bench/README.md). The merge rewrites the whole index,
about 1.5 µs a stored mention against the 45-60 an imported one costs: at half the store
or more, at most about 7 % more time for the import."""

MERGE_STOP_CHECK = 1_000
"""SQLite steps between two looks at `stop` while the index is merged (one call to Python
a thousand steps: nothing beside the merge's own work)."""


def import_paths(
    store: Store,
    paths: Iterable[Path],
    classifier: Classifier,
    *,
    on_progress: Callable[[ImportReport], None] | None = None,
    batch: int | None = None,
    parallel: bool | None = None,
    stdin: BinaryIO | None = None,
    stop: threading.Event | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    merge_index: bool = True,
    mastodon_instance: str = "",
) -> ImportReport:
    """Import every file; a file that cannot be read is reported and the rest go on.

    A path `-` reads `stdin` (plain or gzip), recorded with the source `stdin`.

    Whatever goes wrong inside one file (unreadable, not an archive, or an error no one
    foresaw) is reported with the file's name, and the next file is imported; only a
    store that cannot be written stops the import. A JSON line over `max_line_bytes` or
    nested too deeply is skipped with its line number (see `sources.archive.files`).

    `batch` mentions go in one transaction (default `FLUSH_MENTIONS`); `parallel`
    (default: when there is a second core) classifies in a worker process meanwhile.
    When `stop` is set, the import ends after the transaction being written: what was
    parsed but not stored yet is left for the next run of the same import, which stores
    it once (imports are idempotent).

    `mastodon_instance`: the instance saved Mastodon answers came from, for the answers
    that do not say (`import --instance`; see `sources.mastodon.statuses.parse_statuses`).

    `merge_index`: an import that added at least `MERGE_SHARE` of the store's mentions
    ends by merging the full-text index into one segment (`_merge_index`).
    """
    report = ImportReport()
    renames: dict[str, str] = {}  # a temporary copy of stdin is reported as `-`

    def rename(text: str | Skipped) -> Any:
        for copy, shown in renames.items():
            if isinstance(text, Skipped):
                text = Skipped(text.where.replace(copy, shown), text.reason)
            else:
                text = text.replace(copy, shown)
        return text

    def stored(done: ParsedBatch, result: IngestResult) -> None:
        report.skipped.extend(rename(s) for s in done.skipped)
        report.warnings.extend(rename(w) for w in done.warnings)
        if on_progress:
            on_progress(report)

    size = batch or FLUSH_MENTIONS
    paths = list(paths)
    with (
        _saying_what_was_stored(store, report),
        BulkIngest(store, classifier, flush=size, parallel=parallel, on_stored=stored) as bulk,
    ):
        report.totals = bulk.totals  # added up once, by the bulk ingest, as batches commit
        for number, path in enumerate(paths):
            # The worker reads the next file while the last chunks of this one are stored.
            then = paths[number + 1] if number + 1 < len(paths) else None
            if then is not None and _read_here(then):
                then = None  # its copy is made when its turn comes
            try:
                with _readable(path, stdin) as (readable, source):
                    renames[str(readable)] = str(path)
                    for parsed, classified, times_from_ids in bulk.read(
                        readable,
                        source=source,
                        seen_at=utc_now(),
                        max_line_bytes=max_line_bytes,
                        then=then,
                        mastodon_instance=mastodon_instance,
                    ):
                        if stop is not None and stop.is_set():
                            report.interrupted = True
                            return report
                        report.times_from_ids += times_from_ids
                        bulk.add(parsed, classified)
            except ArchiveError as exc:
                report.unreadable.append(rename(str(exc)))
            except (StoreError, sqlite3.Error, KeyboardInterrupt, SystemExit):
                raise  # the store itself failed, or the user stopped: nothing more to do
            except Exception as exc:
                # What was read of this file before the error is kept (whole posts).
                report.unreadable.append(
                    rename(
                        f"{path}: stopped reading after an error: {type(exc).__name__}: "
                        f"{str(exc)[:200]}"
                    )
                )
            else:
                report.files_read += 1
            bulk.flush()
    if merge_index:
        _merge_index(store, report, stop)
    return report


@contextmanager
def _saying_what_was_stored(store: Store, report: ImportReport) -> Iterator[None]:
    """A store failure that stops the import (a full disk) says what this import stored
    before it: each batch is a transaction of its own, so those committed before the one
    that failed stay stored, and a second run of the same import adds only the rest."""
    try:
        yield
    except StoreError as exc:
        raise StoreError(_stored_before(str(exc), exc, report.totals)) from exc
    except sqlite3.DatabaseError as exc:
        if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
            raise  # an integrity or programming error is a bug, not a store problem
        described = describe_sqlite_error(store.path, exc)
        raise StoreError(_stored_before(described, exc, report.totals)) from exc


def _stored_before(described: str, exc: BaseException, totals: IngestResult) -> str:
    stored = (
        f"{described}; this import stored {totals.new} new and {totals.updated} updated "
        "mentions before it, and they are kept"
    )
    refused = write_refusal(exc)
    if refused is None:
        return stored  # damage, say: its own message says what to do
    then = "free space, then" if refused == DISK_FULL else "once it can be written,"
    return f"{stored}: {then} run the same import again to add the rest (nothing is stored twice)"


def _merge_index(store: Store, report: ImportReport, stop: threading.Event | None) -> None:
    """Merge the full-text index into one segment when the import added at least
    `MERGE_SHARE` of the store's mentions and left it in more than one. The import is
    stored already: a merge that fails (the disk full, another writer holding the store
    too long) or is stopped (`stop`: a million mentions take 1.5 s, ten million about 15)
    is rolled back, reported as a warning, and leaves the index as it was, searchable."""
    if not report.totals.new or (stop is not None and stop.is_set()):
        return
    # At least the share: no more than new / share mentions in all. Asked with a walk of
    # that many entries, so a small import into a large store does not count it all.
    if store.holds_more_mentions_than(int(report.totals.new / MERGE_SHARE)):
        return
    try:
        segments = fts.segment_count(store.conn)
    except sqlite3.OperationalError:  # no full-text index of ours (its tables dropped)
        return
    if segments <= 1:
        return
    started = time.perf_counter()
    if stop is not None:  # a nonzero answer makes SQLite stop the statement ("interrupted")
        store.conn.set_progress_handler(stop.is_set, MERGE_STOP_CHECK)
    try:
        with store.writing():
            fts.optimize(store.conn)
    except sqlite3.Error as exc:
        report.warnings.append(f"{store.path}: full-text index left as it was: {exc}")
        return
    finally:
        store.conn.set_progress_handler(None, 0)
    report.index_segments_merged = segments
    report.index_merge_seconds = time.perf_counter() - started


def _read_here(path: Path) -> bool:
    """Whether this process reads `path` itself rather than the worker by its name: `-`,
    a stream (read once: the worker's reader sniffs, then reads from the start), and a
    name of this process's own open files (`/dev/stdin` in the worker is its command pipe,
    and the `/dev/fd/63` of `<(...)` is not open there at all)."""
    return str(path) == STDIN_NAME or is_stream(path) or names_own_file(path)


@contextmanager
def _readable(path: Path, stdin: BinaryIO | None) -> Iterator[tuple[Path, str | None]]:
    """The file to read for `path` and the source its posts get (None: the file's name).

    What `_read_here` says this process reads is copied to a temporary file as it arrives
    (as `-` always was), unless it is a regular file with a name of its own (`/dev/stdin`
    redirected from a file: that file, read in place). Raises `ArchiveError` when it
    cannot be opened.
    """
    if not _read_here(path):
        yield path, None
        return
    if str(path) == STDIN_NAME:
        if stdin is None:
            raise ValueError("`-` given without a standard input stream")
        with stdin_as_file(stdin) as copy:
            yield copy, STDIN_SOURCE
        return
    # A name of this process's own file says nothing about the posts: recorded as `-`'s.
    source = STDIN_SOURCE if names_own_file(path) else source_name(path)
    in_place = None if is_stream(path) else file_by_its_own_name(path)
    if in_place is not None:
        yield in_place, source
        return
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with stream, stdin_as_file(stream) as copy:
        yield copy, source
