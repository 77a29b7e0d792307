"""Snapshot reports of a query, in Markdown and HTML, for people who never open a terminal.

What a report holds is gathered by `cache.export.snapshot_data`; this module picks the
writer (`snapshot_html` or `snapshot_markdown`) for the requested format.
"""

from __future__ import annotations

from typing import IO

from cache.db.store import Store
from cache.export.request import ExportRequest
from cache.export.snapshot_data import gather, iter_mentions
from cache.export.snapshot_html import write_html
from cache.export.snapshot_markdown import write_markdown


def write_report(store: Store, request: ExportRequest, out: IO[str]) -> int:
    """Write the `md` or `html` report of `request`; returns the mentions listed."""
    if request.format == "html":
        # The page shows times in the company's zone, so its chart counts that zone's days.
        data = gather(store, request, chart_zone=request.config.company.timezone)
        return write_html(data, iter_mentions(store, request), out)
    return write_markdown(gather(store, request), iter_mentions(store, request), out)
