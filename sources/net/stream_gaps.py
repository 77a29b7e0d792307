"""How a stream's gaps read on screen and in `status` (no client library needed here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sources.model.records import SourceState
from sources.model.text import parse_timestamp
from sources.net.backoff import load_extra


def describe_gap(gap: Mapping[str, Any]) -> str:
    """`stream down 02:10-02:14, backfilled 37` (UTC); '' for an unreadable record."""
    start = parse_timestamp(gap.get("from"))
    end = parse_timestamp(gap.get("to"))
    if start is None or end is None:
        return ""
    return (
        f"stream down {start.strftime('%H:%M')}-{end.strftime('%H:%M')}, "
        f"backfilled {int(gap.get('backfilled') or 0)}"
    )


def stream_gaps(state: SourceState, newest: int = 3) -> list[str]:
    """The newest gaps of a stream source, newest first, and one still open."""
    extra = load_extra(state.extra)
    found = []
    down = parse_timestamp(extra.get("down_since"))
    if down is not None:
        found.append(f"stream down since {down.strftime('%H:%M')} ({extra.get('down_reason', '')})")
    gaps = extra.get("gaps")
    for gap in reversed(gaps[-newest:] if isinstance(gaps, list) else []):
        if isinstance(gap, Mapping) and describe_gap(gap):
            found.append(describe_gap(gap))
    return found
