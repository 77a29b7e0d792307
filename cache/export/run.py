"""Run an export: the writer for each `--report`, written atomically, then its sidecar."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from cache.db.store import Store
from cache.export.ambassador_report import export_ambassadors
from cache.export.mentions import export_rows, write_csv, write_ids, write_jsonl, x_posts
from cache.export.request import ExportRequest
from cache.export.sidecar import sidecar_path, sidecar_text
from cache.export.snapshot_report import write_report
from cache.export.target import (
    atomic_output,
    is_file_target,
    refuse_directory,
    refuse_store_target,
)
from cache.export.thread_report import export_threads
from cache.read.search import select_sql
from sources.model.counted import counted
from sources.model.file_replace import pending_file, shown_target

Exporter = Callable[[Store, ExportRequest, IO[str]], int]


def _export_mentions(store: Store, request: ExportRequest, out: IO[str]) -> int:
    if request.format in ("md", "html"):
        return write_report(store, request, out)
    if request.format == "ids":
        columns = "m.id, m.platform, m.created_at, m.time_flag"
        sql, params = select_sql(request.selection, columns=columns)
        # Only the posts written are watched: the sidecar describes the file's rows.
        return write_ids(request.stats.watch(x_posts(store.rows(sql, params))), out)
    writer = {"csv": write_csv, "jsonl": write_jsonl}[request.format]
    return writer(request.stats.watch(export_rows(store, request.selection)), out)


def _export_threads(store: Store, request: ExportRequest, out: IO[str]) -> int:
    return export_threads(store, request, out)


def _export_ambassadors(store: Store, request: ExportRequest, out: IO[str]) -> int:
    return export_ambassadors(store, request, out)


EXPORTERS: dict[str, Exporter] = {
    "mentions": _export_mentions,
    "threads": _export_threads,
    "ambassadors": _export_ambassadors,
}
"""Per `--report`, the function that writes it; returns how many rows it wrote."""


def run_export(store: Store, request: ExportRequest, out: IO[str]) -> int:
    """Write the requested report to `out` (the caller makes the file atomic)."""
    return EXPORTERS[request.report](store, request, out)


SIDECAR_FORMATS = ("csv", "jsonl", "ids")
"""Mention exports that get a `FILE.meta.json` beside them (reports carry their own)."""


class SidecarNotWritten(Exception):
    """The export is in place, but its sidecar could not be put beside it."""


def export_to(store: Store, request: ExportRequest, *, encoding: str = "utf-8") -> int:
    """Write an export atomically to `request.output`, then its sidecar when it has one.

    A stream (standard output, a descriptor, a device, a FIFO) gets no sidecar. For a
    file, both are written beside their targets first and renamed into place only once
    both are complete: a failed export replaces neither. A target that is the store
    itself, or a folder (its sidecar's too), raises ExportTargetError before anything
    is written; a sidecar that cannot replace the old one (an immutable file) raises
    SidecarNotWritten, naming what was written and what is left stale.
    """
    sidecar = request.report == "mentions" and request.format in SIDECAR_FORMATS
    if request.output != "-":
        refuse_store_target(request.output, store.path)
    if not (sidecar and is_file_target(request.output)):
        with atomic_output(request.output, encoding=encoding) as out:
            return run_export(store, request, out)
    side = sidecar_path(request.output)
    refuse_store_target(side, store.path)
    refuse_directory(side)
    with pending_file(Path(request.output), encoding=encoding) as data:
        count = run_export(store, request, data.stream)
        with pending_file(side) as meta:
            meta.stream.write(sidecar_text(request, count))
            meta.finish()
            stale = os.path.lexists(side)
            data.commit()
            try:
                meta.commit()
            except OSError as exc:
                what = counted(count, "id" if request.format == "ids" else "row")
                written = shown_target(Path(request.output))
                failure = _sidecar_failure(written, what, side, stale, exc)
                raise SidecarNotWritten(failure) from exc
    return count


def _sidecar_failure(data: Path, rows: str, side: Path, stale: bool, exc: OSError) -> str:
    left = (
        "the sidecar there is stale: it describes an earlier export"
        if stale
        else "the export has no sidecar"
    )
    return (
        f"wrote {rows} to {data}, but could not write its sidecar {side}: "
        f"{exc.strerror or exc}; {left}"
    )
