"""Import archive files into the store: the engine behind `app.py import`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cache.ingest import IngestResult
from cache.pipeline import FLUSH_MENTIONS, BulkIngest
from cache.store import Store
from filters.classify import Classifier
from sources.archive import ArchiveError, read_archive
from sources.records import ParsedBatch, Skipped, utc_now


@dataclass
class ImportReport:
    totals: IngestResult = field(default_factory=IngestResult)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    files_read: int = 0
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
    stop: threading.Event | None = None,
) -> ImportReport:
    """Import every file; a file that cannot be read is reported and the rest go on.

    `batch` mentions go in one transaction (default `FLUSH_MENTIONS`); `parallel`
    (default: when there is a second core) classifies in a worker process meanwhile.
    When `stop` is set, the import ends after the transaction being written: what was
    parsed but not stored yet is left for the next run of the same import, which stores
    it once (imports are idempotent).
    """
    report = ImportReport()

    def stored(done: ParsedBatch, result: IngestResult) -> None:
        report.skipped.extend(done.skipped)
        report.warnings.extend(done.warnings)
        if on_progress:
            on_progress(report)

    size = batch or FLUSH_MENTIONS
    with BulkIngest(store, classifier, flush=size, parallel=parallel, on_stored=stored) as bulk:
        report.totals = bulk.totals  # added up once, by the bulk ingest, as batches commit
        for path in paths:
            try:
                for parsed in read_archive(path, seen_at=utc_now()):
                    if stop is not None and stop.is_set():
                        report.interrupted = True
                        return report
                    bulk.add(parsed)
            except ArchiveError as exc:
                report.unreadable.append(str(exc))
            else:
                report.files_read += 1
            bulk.flush()
    return report
