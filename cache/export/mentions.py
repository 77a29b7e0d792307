"""Mention exports: CSV, JSON Lines and bare ids, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO, Any

from cache.db.store import Store, as_json_list
from cache.export.request import EXPORT_COLUMNS
from cache.export.safe_text import spreadsheet_cell
from cache.read.search import select_sql
from cache.read.selection import Selection
from sources.model.shown_text import json_text


def export_rows(store: Store, selection: Selection) -> Iterator[dict[str, Any]]:
    """The export columns of every selected mention, newest first, one row at a time,
    with its `time_flag` (not written: the sidecar's time range leaves flagged times out)."""
    columns = ", ".join(f"m.{c}" for c in (*EXPORT_COLUMNS, "time_flag"))
    sql, params = select_sql(selection, columns=columns)
    for row in store.rows(sql, params):
        row["topics"] = as_json_list(row["topics"])
        row["topics_from_thread"] = as_json_list(row["topics_from_thread"])
        yield row


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """RFC 4180 CSV with a header; topics `;`-joined. Returns the number of rows.

    Every cell is text that came from outside (the export columns hold no numbers), so
    each goes through `spreadsheet_cell`: controls stripped, formulas neutralised.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        values = dict(
            row,
            topics=";".join(row["topics"]),
            topics_from_thread=";".join(row["topics_from_thread"]),
        )
        writer.writerow(
            ["" if values[c] is None else spreadsheet_cell(values[c]) for c in EXPORT_COLUMNS]
        )
        count += 1
    return count


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line with the export columns; topic lists stay lists."""
    count = 0
    for row in rows:
        out.write(json_text({c: row[c] for c in EXPORT_COLUMNS}))
        out.write("\n")
        count += 1
    return count


def x_posts(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The rows of X posts: the only ones with an id that may be shared (`write_ids`).
    Feed items and other platforms' posts have none and are left out."""
    return (row for row in rows if row["platform"] == "x" and row["id"].startswith("x:"))


def write_ids(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """The ids of X posts (`x_posts`), one per line, bare (`123`, as tools that rehydrate
    tweets expect: the form in which tweet data may be shared). Returns how many."""
    count = 0
    for row in rows:
        out.write(row["id"].removeprefix("x:"))
        out.write("\n")
        count += 1
    return count
