"""Snapshot exports of the mentions: CSV and JSON Lines, streamed and written atomically."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cache.search import Selection, select_sql
from cache.store import Store, as_json_list
from filters.views import SavedView
from sources.config import Config

EXPORT_COLUMNS = (
    "id",
    "platform",
    "source",
    "created_at",
    "author",
    "author_name",
    "role",
    "topics",
    "topics_from_thread",
    "lang",
    "text",
    "url",
    "in_reply_to",
    "quoted_id",
    "conversation_id",
)
"""The columns of a mention export, in order (a contract: other tools read them).

`topics` holds all of a mention's topics; `topics_from_thread` those of them it took from
the post it replies to or quotes, because its own words name none (`cache.thread_topics`)."""


def export_rows(store: Store, selection: Selection) -> Iterator[dict[str, Any]]:
    """The export columns of every selected mention, newest first, one row at a time."""
    columns = ", ".join(f"m.{c}" for c in EXPORT_COLUMNS)
    sql, params = select_sql(selection, columns=columns)
    for row in store.rows(sql, params):
        row["topics"] = as_json_list(row["topics"])
        row["topics_from_thread"] = as_json_list(row["topics_from_thread"])
        yield row


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """RFC 4180 CSV with a header; topic lists `;`-joined. Returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        values = dict(
            row,
            topics=";".join(row["topics"]),
            topics_from_thread=";".join(row["topics_from_thread"]),
        )
        writer.writerow(["" if values[c] is None else values[c] for c in EXPORT_COLUMNS])
        count += 1
    return count


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line with the export columns; topic lists stay lists."""
    count = 0
    for row in rows:
        out.write(json.dumps({c: row[c] for c in EXPORT_COLUMNS}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


@dataclass(frozen=True)
class ExportRequest:
    """Everything an export needs to know: what, in which format, of which query."""

    report: str
    format: str
    query: str
    selection: Selection
    config: Config
    output: str
    """Where it goes (`-` for standard output); reports may name it in a sidecar."""
    captured_at: datetime | None = None
    """When the snapshot was taken (the `now` its query was resolved with); None: now."""
    stats: ExportStats = field(default_factory=lambda: ExportStats())
    """Filled in while a mention export streams; the sidecar records it."""
    view: SavedView | None = None
    """The saved view exported (`--view`); `query` then holds its query (AND `--query`)."""


@dataclass
class ExportStats:
    """What a mention export wrote: rows and the time range they cover."""

    rows: int = 0
    first: str | None = None
    """Oldest `created_at` written."""
    last: str | None = None
    """Newest `created_at` written."""

    def watch(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Pass rows through, counting them and keeping their oldest and newest times."""
        for row in rows:
            created = row.get("created_at")
            if created:
                if self.first is None or created < self.first:
                    self.first = created
                if self.last is None or created > self.last:
                    self.last = created
            self.rows += 1
            yield row


def write_ids(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Only the ids of the X posts, one per line, bare (`123`, as tools that rehydrate
    tweets expect: the form in which tweet data may be shared). Feed items have no
    shareable post id and are left out. Returns the number of ids written."""
    count = 0
    for row in rows:
        if row["platform"] == "x" and row["id"].startswith("x:"):
            out.write(row["id"][2:])
            out.write("\n")
            count += 1
    return count


Exporter = Callable[[Store, ExportRequest, IO[str]], int]


def _export_mentions(store: Store, request: ExportRequest, out: IO[str]) -> int:
    if request.format in ("md", "html"):
        from cache.snapshot_report import write_report  # it builds on this module

        return write_report(store, request, out)
    if request.format == "ids":
        sql, params = select_sql(request.selection, columns="m.id, m.platform, m.created_at")
        return write_ids(request.stats.watch(store.rows(sql, params)), out)
    writer = {"csv": write_csv, "jsonl": write_jsonl}[request.format]
    return writer(request.stats.watch(export_rows(store, request.selection)), out)


def _export_threads(store: Store, request: ExportRequest, out: IO[str]) -> int:
    from cache.thread_report import export_threads  # it builds on this module

    return export_threads(store, request, out)


def _export_ambassadors(store: Store, request: ExportRequest, out: IO[str]) -> int:
    from cache.ambassador_report import export_ambassadors  # imports this module

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
    describes a file that a failed export did not replace.
    """
    with atomic_output(request.output, encoding=encoding) as out:
        count = run_export(store, request, out)
    if request.output != "-" and request.report == "mentions" and request.format in SIDECAR_FORMATS:
        from cache.sidecar import write_sidecar

        write_sidecar(request, count)
    return count


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
"""Read once at import, while the program is still single-threaded (umask is per process)."""


@contextlib.contextmanager
def atomic_output(target: str, *, encoding: str = "utf-8", newline: str = "") -> Iterator[IO[str]]:
    """A text stream that becomes `target` only when the block ends without an error.

    `-` is standard output. A file is written to a temporary file beside it and renamed
    into place, so a crash or a full disk never leaves half a snapshot behind.
    """
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        # mkstemp makes the file private (0600); a snapshot is for sharing, so give it the
        # permissions any new file gets here.
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
