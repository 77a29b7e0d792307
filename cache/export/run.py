"""Run an export: the writer for each `--report`, written atomically, then its sidecar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from cache.db.store import Store
from cache.export.ambassador_report import export_ambassadors
from cache.export.mentions import export_rows, write_csv, write_ids, write_jsonl, x_posts
from cache.export.request import (
    ExportRequest,
    atomic_output,
    existing_kind,
    refuse_store_target,
)
from cache.export.sidecar import sidecar_path, write_sidecar
from cache.export.snapshot_report import write_report
from cache.export.thread_report import export_threads
from cache.read.search import select_sql

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


def export_to(store: Store, request: ExportRequest, *, encoding: str = "utf-8") -> int:
    """Write an export atomically to `request.output`, then its sidecar when it has one.

    The sidecar is written only after the export itself is in place, so it never
    describes a file that a failed export did not replace; a stream (standard output,
    a device, a FIFO) gets none. A target that is the store itself (or its sidecar would
    be) raises ExportTargetError before anything is written.
    """
    sidecar = request.report == "mentions" and request.format in SIDECAR_FORMATS
    if request.output != "-":
        refuse_store_target(request.output, store.path)
        if sidecar:
            refuse_store_target(sidecar_path(request.output), store.path)
    with atomic_output(request.output, encoding=encoding) as out:
        count = run_export(store, request, out)
    # A device or a FIFO gets no sidecar: `/dev/null.meta.json` would litter /dev.
    regular = request.output != "-" and existing_kind(Path(request.output)) == "regular"
    if regular and sidecar:
        write_sidecar(request, count)
    return count
