"""What an export is asked for and the columns it writes (`target` writes its file).

The bottom of the export package: every exporter and report builds on this module, and it
imports nothing else of the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
