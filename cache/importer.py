"""Import archive files into the store: the engine behind `app.py import`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cache.ingest import IngestResult, ingest
from cache.store import Store
from filters.classify import Classifier
from sources.archive import ArchiveError, read_archive
from sources.records import ParsedBatch, Skipped, utc_now

_FLUSH_MENTIONS = 2000
"""Pages are gathered up to about this many mentions per transaction (fewer commits)."""


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
) -> ImportReport:
    """Import every file; a file that cannot be read is reported and the rest go on."""
    report = ImportReport()
    for path in paths:
        pending = ParsedBatch()
        try:
            for batch in read_archive(path, seen_at=utc_now()):
                pending.extend(batch)
                if len(pending.mentions) >= _FLUSH_MENTIONS:
                    _flush(store, pending, classifier, report)
                    pending = ParsedBatch()
                    if on_progress:
                        on_progress(report)
        except ArchiveError as exc:
            report.unreadable.append(str(exc))
        else:
            report.files_read += 1
        _flush(store, pending, classifier, report)
    return report


def _flush(store: Store, batch: ParsedBatch, classifier: Classifier, report: ImportReport) -> None:
    if not (batch.mentions or batch.accounts or batch.skipped or batch.warnings):
        return
    report.totals.add(ingest(store, batch, classifier))
    report.skipped.extend(batch.skipped)
    report.warnings.extend(batch.warnings)
