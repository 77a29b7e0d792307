"""Import archive files into the store: the engine behind `app.py import`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cache.ingest import IngestResult
from cache.pipeline import BulkIngest
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


def import_paths(
    store: Store,
    paths: Iterable[Path],
    classifier: Classifier,
    *,
    on_progress: Callable[[ImportReport], None] | None = None,
    parallel: bool | None = None,
) -> ImportReport:
    """Import every file; a file that cannot be read is reported and the rest go on.

    `parallel` (default: when there is a second core) classifies in a worker process.
    """
    report = ImportReport()

    def stored(batch: ParsedBatch, result: IngestResult) -> None:
        report.totals.add(result)
        report.skipped.extend(batch.skipped)
        report.warnings.extend(batch.warnings)
        if on_progress:
            on_progress(report)

    with BulkIngest(store, classifier, parallel=parallel, on_stored=stored) as bulk:
        for path in paths:
            try:
                for batch in read_archive(path, seen_at=utc_now()):
                    bulk.add(batch)
            except ArchiveError as exc:
                report.unreadable.append(str(exc))
            else:
                report.files_read += 1
            bulk.flush()
    return report
