"""`FILE.meta.json` beside a CSV, JSON Lines or ids export: how to reproduce it later.

It records the query exactly as typed, the time range it asked for (resolved at capture
time) and the range the rows written cover (trusted times only: `ExportStats`), when it
was captured, the Echowatch version and the row count. It lies beside the file the export
replaced (through a link: beside the file the link points to), and is put in place right
after it (`cache.export.run.export_to`).
"""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cache.export.request import ExportRequest
from filters.query import (
    AFTER_ALL_TIMES,
    BEFORE_ALL_TIMES,
    And,
    QueryError,
    TimeBound,
    ending_now,
    parse,
)
from sources.model.file_replace import shown_target, write_target
from sources.model.records import utc_now
from sources.model.shown_text import json_text
from sources.model.text import format_timestamp, parse_timestamp

SIDECAR_SUFFIX = ".meta.json"


def echowatch_version() -> str:
    """The installed Echowatch version, or `unknown` when run from a bare checkout."""
    try:
        return importlib.metadata.version("echowatch")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def sidecar_path(output: str | Path) -> Path:
    """Where the sidecar of an export file goes: the file's name plus `.meta.json`, beside
    the file written (links followed)."""
    path = shown_target(Path(output))
    return path.with_name(path.name + SIDECAR_SUFFIX)


def query_bounds(query: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The `since:`/`until:` bounds a query puts on every mention, resolved at `now`.

    Only bounds that apply to the whole query count (at the top, or inside a top-level
    AND); a bound inside OR or NOT restricts only part of it. (None, None) when the query
    has none, or when it cannot be read (the export itself reports that). A bound past
    the calendar's edge that excludes nothing (`until:9999-12-31`, `since:740000d`) is
    none; one that excludes everything is the calendar's first or last moment. A `since:`
    without `until:` ends at `now` (`filters.query.ending_now`): `until` is then the second
    after it, the first moment left out, as every `until:` is recorded.
    """
    try:
        tree = ending_now(parse(query), now)
    except QueryError:
        return None, None
    nodes = tree.nodes if isinstance(tree, And) else (tree,) if tree is not None else ()
    since: datetime | None = None
    until: datetime | None = None
    for node in nodes:
        if not isinstance(node, TimeBound):
            continue
        bound = node.stored(now)
        if bound == (BEFORE_ALL_TIMES if node.name == "since" else AFTER_ALL_TIMES):
            continue
        moment = _EDGES.get(bound) or parse_timestamp(bound)
        assert moment is not None  # `stored` writes nothing else
        if node.name == "since":
            since = moment if since is None else max(since, moment)
        else:
            until = moment if until is None else min(until, moment)
    return since, until


_EDGES = {
    BEFORE_ALL_TIMES: datetime.min.replace(tzinfo=UTC),
    AFTER_ALL_TIMES: datetime.max.replace(tzinfo=UTC),
}


def sidecar_data(request: ExportRequest, rows: int) -> dict[str, Any]:
    """The sidecar's content for an export that wrote `rows` rows."""
    captured = request.captured_at or utc_now()
    since, until = query_bounds(request.query, captured)
    return {
        "file": write_target(Path(request.output)).name,
        "report": request.report,
        "format": request.format,
        "query": request.query,
        "view": request.view.as_json() if request.view else None,
        "query_range": {
            "since": format_timestamp(since) if since else None,
            "until": format_timestamp(until) if until else None,
        },
        "time_range": {"first": request.stats.first, "last": request.stats.last},
        "captured_at": format_timestamp(captured),
        "echowatch_version": echowatch_version(),
        "rows": rows,
    }


def sidecar_text(request: ExportRequest, rows: int) -> str:
    """The sidecar file's text for an export that wrote `rows` rows."""
    return json_text(sidecar_data(request, rows), indent=2) + "\n"
