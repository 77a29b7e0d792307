"""What is in a store: counts per platform and source, newest time, source health."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from cache.db import reposts
from cache.db.store import SourceState, Store
from cache.read.feed_health import paused_health
from sources.model.shown_text import shown_text
from sources.net.stream_gaps import stream_gaps


@dataclass
class StoreStatus:
    path: str
    total: int
    newest: str | None
    oldest: str | None
    per_source: list[tuple[str, str, int]] = field(default_factory=list)
    """(platform, source, mentions)."""
    per_role: list[tuple[str, int]] = field(default_factory=list)
    per_topic: list[tuple[str, int]] = field(default_factory=list)
    per_time_flag: list[tuple[str, int]] = field(default_factory=list)
    """(flag, mentions) for mentions whose time is flagged (`undated`, `out_of_range`)."""
    accounts: int = 0
    reposts: int = 0
    """X retweets kept aside, not counted as mentions (`cache.db.reposts`)."""
    sources: list[SourceState] = field(default_factory=list)
    schema_version: int = 0


_END_TIME = "SELECT created_at FROM mentions WHERE time_flag = '' ORDER BY created_at"


def store_status(store: Store) -> StoreStatus:
    conn = store.conn
    total = conn.execute("SELECT count(*) FROM mentions").fetchone()[0]
    # Newest and oldest of the trusted times: a year-1 row is counted below, not shown as
    # the store's oldest mention.
    newest, oldest = (
        next(iter(conn.execute(f"{_END_TIME} {order} LIMIT 1").fetchone() or ()), None)
        for order in ("DESC", "ASC")
    )
    return StoreStatus(
        path=str(store.path),
        total=total,
        newest=newest,
        oldest=oldest,
        per_source=[
            tuple(r)
            for r in conn.execute(
                "SELECT platform, source, count(*) FROM mentions GROUP BY platform, source "
                "ORDER BY platform, count(*) DESC, source"
            )
        ],
        per_role=[
            tuple(r)
            for r in conn.execute(
                "SELECT role, count(*) FROM mentions WHERE role != '' GROUP BY role "
                "ORDER BY count(*) DESC"
            )
        ],
        per_topic=[
            tuple(r)
            for r in conn.execute(
                "SELECT topic, count(*) FROM mention_topics GROUP BY topic ORDER BY count(*) DESC"
            )
        ],
        per_time_flag=[
            (str(r[0]), int(r[1]))
            for r in conn.execute(
                "SELECT time_flag, count(*) FROM mentions INDEXED BY mentions_time_flagged "
                "WHERE time_flag != '' GROUP BY time_flag ORDER BY time_flag"
            )
        ],
        accounts=conn.execute("SELECT count(*) FROM accounts").fetchone()[0],
        reposts=_reposts(store),
        sources=store.source_states(),
        schema_version=store.schema_version,
    )


def _reposts(store: Store) -> int:
    # A store on a read-only disk, written before retweets were set aside, has no table
    # of them yet (its retweets are still among its mentions).
    try:
        return reposts.count(store.conn)
    except sqlite3.OperationalError:
        return 0


def format_status(status: StoreStatus) -> str:
    """The text of `app.py status`. Source names and errors come from archives, feeds and
    configs: each is shown as one line of plain text, so the columns line up too."""
    lines = [
        f"store: {status.path} (schema {status.schema_version})",
        f"mentions: {status.total}   accounts: {status.accounts}",
    ]
    if status.reposts:
        lines.append(f"retweets kept aside, not counted as mentions: {status.reposts}")
    if status.total:
        lines.append(f"newest: {status.newest}   oldest: {status.oldest}")
    if status.per_time_flag:
        flagged = ", ".join(f"{n} {flag.replace('_', ' ')}" for flag, n in status.per_time_flag)
        lines.append(f"times not counted in trends or alerts: {flagged}")
    if status.per_source:
        lines.append("per platform and source:")
        shown = [(p, shown_text(s, one_line=True), n) for p, s, n in status.per_source]
        width = max(len(s) for _, s, _ in shown)
        for platform, source, count in shown:
            lines.append(f"  {platform:<8} {source:<{width}}  {count:>8}")
    if status.per_role:
        lines.append("per role: " + ", ".join(f"{r} {n}" for r, n in status.per_role))
    if status.per_topic:
        lines.append("per topic: " + ", ".join(f"{t} {n}" for t, n in status.per_topic))
    if status.sources:
        lines.append("sources:")
        for state in status.sources:
            error = shown_text(state.last_error, one_line=True)
            health = f"last error: {error}" if state.last_error else "ok"
            health = paused_health(state) or health
            success = state.last_success_at or "never"
            polled = state.last_poll_at or "never"
            name = shown_text(state.name, one_line=True)
            lines.append(
                f"  {name}: {health} (last poll {polled}, last success {success}, "
                f"{state.items_seen} items seen)"
            )
            lines.extend(f"    {gap}" for gap in stream_gaps(state))
    return "\n".join(lines)
