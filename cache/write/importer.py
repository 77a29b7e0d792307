"""Import archive files into the store: the engine behind `app.py import`."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cache.db.store import Store, StoreError
from cache.write.ingest import IngestResult
from cache.write.pipeline import FLUSH_MENTIONS, BulkIngest
from filters.classify import Classifier
from sources.archive.files import DEFAULT_MAX_LINE_BYTES, ArchiveError
from sources.archive.packing import STDIN_NAME, STDIN_SOURCE, stdin_as_file
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
    with BulkIngest(store, classifier, flush=size, parallel=parallel, on_stored=stored) as bulk:
        report.totals = bulk.totals  # added up once, by the bulk ingest, as batches commit
        for number, path in enumerate(paths):
            # The worker reads the next file while the last chunks of this one are stored.
            then = paths[number + 1] if number + 1 < len(paths) else None
            if then is not None and str(then) == STDIN_NAME:
                then = None  # its copy is made when its turn comes
            with _readable(path, stdin) as (readable, source):
                renames[str(readable)] = str(path)
                try:
                    for parsed, classified, times_from_ids in bulk.read(
                        readable,
                        source=source,
                        seen_at=utc_now(),
                        max_line_bytes=max_line_bytes,
                        then=then,
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
    return report


@contextmanager
def _readable(path: Path, stdin: BinaryIO | None) -> Iterator[tuple[Path, str | None]]:
    """The file to read for `path` and the source its posts get (None: the file's name)."""
    if str(path) != STDIN_NAME:
        yield path, None
        return
    if stdin is None:
        raise ValueError("`-` given without a standard input stream")
    with stdin_as_file(stdin) as copy:
        yield copy, STDIN_SOURCE
