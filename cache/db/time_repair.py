"""Bring the stored times of an older store into the one fixed-width form, with flags.

Used once, by migration m005. Only rows whose time sorts outside the sane window are
read (an index range on `created_at`): older code wrote every time through one
formatter, and the only malformed form it produced is the unpadded year below 1000
(`1-01-01T00:00:00Z`), which sorts before `1990`.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime

from sources.model.text import (
    EARLIEST_TIME,
    LATEST_AHEAD,
    TIME_OUT_OF_RANGE,
    TIME_UNDATED,
    format_timestamp,
    parse_timestamp,
    time_flag,
)

log = logging.getLogger("echowatch.store")


def repair_stored_times(conn: sqlite3.Connection, now: datetime | None = None) -> int:
    """Rewrite and flag mentions whose time is outside the window; return how many changed.

    A time that cannot be read at all is left as it is, flagged `out_of_range`: readers
    skip such a row with a logged reason rather than guess a time for it.
    """
    now = now or datetime.now(UTC)
    low = format_timestamp(max(EARLIEST_TIME.values()))
    high = format_timestamp(now + LATEST_AHEAD)
    suspects = conn.execute(
        "SELECT id, platform, created_at, first_seen_at FROM mentions "
        "WHERE created_at < ? OR created_at > ?",
        (low, high),
    ).fetchall()
    changed = 0
    for mention_id, platform, stored, first_seen in suspects:
        moment = parse_timestamp(stored)
        seen = parse_timestamp(first_seen) or now
        if moment is None:
            log.warning("mention %s: unreadable stored time %r, flagged", mention_id, stored)
            fixed, flag = stored, TIME_OUT_OF_RANGE
        else:
            fixed, flag = format_timestamp(moment), time_flag(platform, moment, seen)
        if fixed == stored and not flag:
            continue
        conn.execute(
            "UPDATE mentions SET created_at = ?, time_flag = ? WHERE id = ?",
            (fixed, flag, mention_id),
        )
        conn.execute(
            "UPDATE mention_topics SET created_at = ? WHERE mention_id = ?", (fixed, mention_id)
        )
        changed += 1
    # Undated feed items were stamped with the time they were first seen: their stored
    # entry has neither `published` nor `updated` (see sources/feeds.py `_RAW_KEYS`).
    changed += conn.execute(
        "UPDATE mentions SET time_flag = ? WHERE platform = 'rss' AND time_flag = '' "
        "AND json_valid(raw) AND json_extract(raw, '$.published') IS NULL "
        "AND json_extract(raw, '$.updated') IS NULL",
        (TIME_UNDATED,),
    ).rowcount
    for key, stored in conn.execute(
        "SELECT key, created_at FROM accounts WHERE created_at < '1000'"
    ).fetchall():
        moment = parse_timestamp(stored)
        if moment is not None:
            conn.execute(
                "UPDATE accounts SET created_at = ? WHERE key = ?", (format_timestamp(moment), key)
            )
    return changed
