"""What an export is asked for, the columns it writes, and how its file is written.

The bottom of the export package: every exporter and report builds on this module, and it
imports nothing else of the package.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cache.read.selection import Selection
from filters.views import SavedView
from sources.model.config import Config
from sources.model.text import format_display_time

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
the post it replies to or quotes, because its own words name none (`cache.write.thread_topics`)."""


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
    """What a mention export wrote: rows and the time range they cover.

    The range is of trusted times only, as the report's and `status`'s are: a flagged
    time (`time_flag`: an undated item's first-seen moment, year 1) says nothing of when
    anything was posted. Rows must carry `time_flag`.
    """

    rows: int = 0
    first: str | None = None
    """Oldest trusted `created_at` written."""
    last: str | None = None
    """Newest trusted `created_at` written."""

    def watch(self, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Pass rows through, counting them and keeping their oldest and newest times."""
        for row in rows:
            created = row.get("created_at")
            if created and row["time_flag"] == "":
                if self.first is None or created < self.first:
                    self.first = created
                if self.last is None or created > self.last:
                    self.last = created
            self.rows += 1
            yield row


def time_text(value: datetime | str | None) -> str:
    """`2026-11-12 09:14 UTC` for a time or a stored timestamp; `–` for none."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return f"{value[:10]} {value[11:16]} UTC" if len(value) >= 16 else value
    return format_display_time(value, "%Y-%m-%d %H:%M UTC", UTC)


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
"""Read once at import, while the program is still single-threaded (umask is per process)."""


class ExportTargetError(ValueError):
    """The output path names something an export cannot be written to (a directory, the
    store being exported or one of its companion files)."""


STORE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a store: replacing one loses or corrupts what it holds."""


def refuse_store_target(target: str | Path, store: Path) -> None:
    """Raise ExportTargetError when writing `target` would replace `store` or a companion.

    The atomic rename would put the export where the store was (its mentions gone) and
    the command would still report success, so this is checked before anything is written.
    """
    for suffix in ("", *STORE_COMPANIONS):
        if _same_file(Path(target), store.with_name(store.name + suffix)):
            what = "the store being exported" if not suffix else f"the store's {suffix[1:]} file"
            raise ExportTargetError(
                f"{target}: is {what} ({store}); give another file name to export to"
            )


def _same_file(a: Path, b: Path) -> bool:
    # samefile sees through links and other spellings; a path that does not exist yet
    # (a -journal only lives during a write) is compared by where it resolves to.
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


@contextlib.contextmanager
def atomic_output(target: str, *, encoding: str = "utf-8", newline: str = "") -> Iterator[IO[str]]:
    """A text stream that becomes `target` only when the block ends without an error.

    `-` is standard output. A regular file (or a new path) is written to a temporary file
    beside it and renamed into place, so a crash or a full disk never leaves half a snapshot
    behind. Anything else that exists (a device such as /dev/null, a FIFO, a socket) is
    written directly: renaming over it would replace the device with a plain file, which
    for root breaks /dev/null for the whole machine. A directory raises ExportTargetError.
    """
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    kind = existing_kind(path)
    if kind == "directory":
        raise ExportTargetError(f"{path}: is a directory; give a file name to export to")
    if kind == "special":
        with open(path, "w", encoding=encoding, newline=newline) as stream:
            yield stream
        return
    yield from _atomic_file(path, encoding=encoding, newline=newline)


def existing_kind(path: Path) -> str:
    """`new`, `regular`, `directory` or `special` (device, FIFO, socket), following links."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # absent, or under a non-folder: mkstemp reports the real reason
        return "new"
    if stat.S_ISDIR(mode):
        return "directory"
    return "regular" if stat.S_ISREG(mode) else "special"


def _atomic_file(path: Path, *, encoding: str, newline: str) -> Iterator[IO[str]]:
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
