"""Rows for a list of ids, read in chunks so a long list never exceeds SQLite's limit on
bound parameters (999 in older builds)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cache.db.store import Store

CHUNK = 500


def rows_for_ids(
    store: Store, sql: str, ids: Iterable[str], after: Sequence[Any] = ()
) -> Iterator[dict[str, Any]]:
    """The rows of `sql` for `ids`, duplicates asked once; `sql` holds `{marks}` where the
    `IN (...)` placeholders go, and `after` the values of any placeholders behind them."""
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        yield from store.rows(sql.format(marks=",".join("?" for _ in chunk)), [*chunk, *after])
