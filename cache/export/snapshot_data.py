"""What a snapshot report shows, gathered from the store (its Markdown and HTML writers format it).

A report says when it was captured, the exact query and the time range it covers, counts
per topic with a trend, the top threads (critical post -> ambassador replies -> parody
reactions), the ambassador table with its signals, and the newest mentions.

Memory stays constant whatever the store's size: counts and trends come from grouped SQL
(one row per topic and hour), threads and ambassadors are bounded lists, and the mentions
are streamed from the cursor straight into the file. The listing stops after
`LISTED_MENTIONS` (the newest ones) and says so: a page of a million posts helps nobody,
and `export --format csv|jsonl` writes them all.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cache.db.store import Store, as_json_list
from cache.export.chart_buckets import bucket_bounds, bucketed
from cache.export.request import EXPORT_COLUMNS, ExportRequest, time_text
from cache.export.safe_text import display_text
from cache.export.sidecar import echowatch_version, query_bounds
from cache.read.ambassadors import ambassador_profiles
from cache.read.hourly_counts import history_hours, safe_hour
from cache.read.search import select_sql
from cache.read.threads import iter_critical_threads
from filters.query import present_end
from filters.spikes import hour_of, hour_start
from filters.topics import TopicMatcher
from sources.model.records import utc_now

log = logging.getLogger("echowatch.report")
LISTED_MENTIONS = 1000
"""Most mentions listed in a report (the newest); the counts always cover all of them."""
TOP_THREADS = 10
"""Threads shown: the most answered among the newest `THREAD_CANDIDATES` critical posts."""
THREAD_CANDIDATES = 200
MAX_BUCKETS = 48
"""Most bars in a trend: the bucket grows (1 h, 2 h, ... 1 week) to stay below it."""
_BUCKET_HOURS = (1, 2, 3, 6, 12, 24, 48, 168, 720)
MENTION_COLUMNS = EXPORT_COLUMNS[:12]
"""The export columns a report lists per mention (the thread links are in its threads)."""


def one_line(text: str | None) -> str:
    """`display_text` with line breaks turned into spaces."""
    return display_text(text).replace("\n", " ")


def is_web_link(url: str | None) -> bool:
    """Only http(s) links become links; anything else (javascript:, data:) is text."""
    return bool(url) and str(url).lower().startswith(("https://", "http://"))


@dataclass(frozen=True)
class TopicCount:
    topic: str
    label: str
    count: int
    trend: tuple[int, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows except the streamed mentions (all of it small)."""

    company: str
    captured_at: datetime
    query: str
    view: dict[str, str] | None
    """The saved view exported (name, query, label), or None."""
    since: datetime | None
    """The query's own `since:` bound (resolved at capture time), if any."""
    until: datetime | None
    """The query's `until:` bound, or the end of a `since:` without one (just after the
    capture, `filters.query.present_end`), if any."""
    first: str | None
    """Oldest selected mention."""
    last: str | None
    total: int
    without_topic: int
    bucket_hours: int
    buckets: tuple[datetime, ...]
    all_trend: tuple[int, ...]
    topics: tuple[TopicCount, ...]
    threads: tuple[Any, ...] | None
    """`filters.threads.Thread`s, or None when threads are not available."""
    threads_note: str
    ambassadors: tuple[Any, ...] | None
    """`cache.read.ambassadors.AmbassadorProfile`s, or None when not available."""
    ambassadors_note: str
    version: str
    timezone: str = "UTC"
    """The company's time zone: the HTML page shows times in it (UTC on hover)."""

    @property
    def listed(self) -> int:
        return min(self.total, LISTED_MENTIONS)


def report_zone(name: str) -> tzinfo:
    """The zone `name` (the config's check has let it through), else UTC."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def gather(store: Store, request: ExportRequest, chart_zone: str = "UTC") -> ReportData:
    """Count, chart and collect what the report of `request` shows; the trend's buckets
    longer than an hour start on `chart_zone`'s clock (its days, for a day bucket)."""
    captured = request.captured_at or utc_now()
    since, until = query_bounds(request.query, captured)
    where, params = request.selection.where, request.selection.params
    per_hour: dict[int, int] = {}
    total = without_topic = 0
    first = last = None
    # Rows with a flagged time (undated, year 1, 9999) are counted and listed, but stay out
    # of the chart and the time range: one year-1 row would stretch both over 2,000 years.
    for hour_text, count, trusted, untopical, oldest, newest in store.conn.execute(
        "SELECT substr(m.created_at, 1, 13), count(*), sum(m.time_flag = ''), "
        "sum(m.topics = '[]'), min(m.created_at), max(m.created_at) "
        f"FROM mentions AS m WHERE {where} GROUP BY 1",
        params,
    ):
        total += count
        without_topic += untopical or 0
        hour = safe_hour(hour_text) if trusted else None
        if hour is None:
            continue
        per_hour[hour] = trusted
        first = oldest if first is None or oldest < first else first
        last = newest if last is None or newest > last else last
    # A topic's row counts like All (flagged times too, as `export` of that topic does);
    # only its trend leaves the flagged times out.
    topic_totals: dict[str, int] = {}
    topic_hours: dict[str, dict[int, int]] = {}
    for topic, hour_text, count, trusted in store.conn.execute(
        "SELECT report_t.topic, substr(m.created_at, 1, 13), count(*), sum(m.time_flag = '') "
        "FROM mentions AS m "
        f"JOIN mention_topics AS report_t ON report_t.mention_id = m.id WHERE ({where}) "
        "GROUP BY 1, 2",
        params,
    ):
        topic_totals[topic] = topic_totals.get(topic, 0) + count
        hours = topic_hours.setdefault(topic, {})
        hour = safe_hour(hour_text) if trusted else None
        if hour is not None:
            hours[hour] = trusted
    start, end = _chart_span(per_hour, since, until, history_hours(store))
    size = next((s for s in _BUCKET_HOURS if math.ceil((end - start + 1) / s) <= MAX_BUCKETS), 720)
    bounds = bucket_bounds(start, end, size, report_zone(chart_zone))
    labels = _topic_labels(request)
    topics = sorted(
        (
            TopicCount(topic, labels.get(topic, topic), topic_totals[topic], bucketed(c, bounds))
            for topic, c in topic_hours.items()
        ),
        key=lambda t: (-t.count, t.topic),
    )
    threads, threads_note = _threads(store, request)
    ambassadors, ambassadors_note = _ambassadors(store, request, captured)
    return ReportData(
        company=request.config.company.name,
        captured_at=captured,
        query=request.query,
        view=request.view.as_json() if request.view else None,
        since=since,
        until=until,
        first=first,
        last=last,
        total=total,
        without_topic=without_topic,
        bucket_hours=size,
        buckets=tuple(hour_start(b) for b in bounds[:-1]),
        all_trend=bucketed(per_hour, bounds),
        topics=tuple(topics),
        threads=threads,
        threads_note=threads_note,
        ambassadors=ambassadors,
        ambassadors_note=ambassadors_note,
        version=echowatch_version(),
        timezone=request.config.company.timezone,
    )


def _chart_span(
    per_hour: dict[int, int],
    since: datetime | None,
    until: datetime | None,
    history: tuple[int, int] | None,
) -> tuple[int, int]:
    """First and last hour of the trend: the query's range where it gives one, else the data's.

    A query bound reaches no further than the store's own `history` (its first and last
    trusted hour): `until:9999-12-30` drew 8,000 years of empty buckets after the posts,
    while `since:7d` still shows the quiet days before the first selected post."""
    hours = sorted(per_hour)
    start = hour_of(since) if since else (hours[0] if hours else 0)
    end = hour_of(until - timedelta(microseconds=1)) if until else (hours[-1] if hours else start)
    if history is not None:
        start = max(start, history[0]) if since else start
        end = min(end, history[1]) if until else end
    if hours and not since:
        start = min(start, hours[0])
    if hours and not until:
        end = max(end, hours[-1])
    return start, max(start, end)


def _topic_labels(request: ExportRequest) -> dict[str, str]:
    return {t.id: t.label for t in TopicMatcher.from_config(request.config).topics}


def _threads(store: Store, request: ExportRequest) -> tuple[tuple[Any, ...] | None, str]:
    candidates = []
    for thread in iter_critical_threads(store, request.selection, limit=THREAD_CANDIDATES):
        weight = len(thread.replies) + len(thread.root_reactions)
        weight += sum(len(r.reactions) for r in thread.replies)
        if weight:
            candidates.append((weight, thread))
    candidates.sort(key=lambda pair: -pair[0])  # stable: newest first among equals
    top = tuple(t for _, t in candidates[:TOP_THREADS])
    if not top:
        return top, "No critical post in this selection was answered by an ambassador."
    return top, (
        f"The {len(top)} most answered of the newest {THREAD_CANDIDATES} critical posts "
        "in this selection."
    )


def _ambassadors(
    store: Store, request: ExportRequest, now: datetime
) -> tuple[tuple[Any, ...] | None, str]:
    try:
        profiles = tuple(ambassador_profiles(store, request.config, now))
    except sqlite3.DatabaseError:
        raise  # a damaged store is not a missing section: the user must hear of it
    except Exception as exc:  # one section must not sink the whole snapshot
        log.exception("ambassador signals failed")
        return None, f"Ambassador signals could not be computed: {type(exc).__name__}."
    if not profiles:
        return profiles, "No ambassador accounts in the store."
    return profiles, "Signals over all stored posts of each account (not only this selection)."


def ambassador_cells(profile: Any) -> dict[str, str]:
    """One ambassador's table cells as plain (unescaped) strings."""

    def share(value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    return {
        "Account": f"@{profile.handle}",
        "Replies": str(profile.replies),
        "Reply share": share(profile.reply_share),
        "Weekdays": share(profile.weekday_share),
        "Office hours": share(profile.office_hours_share),
        "Co-replies": str(len(profile.co_replies)),
        "Near-duplicates": share(profile.near_duplicate_share),
        "Text blocks": str(len(profile.text_blocks)),
        "Other names signed": str(profile.signoff_mismatches),
        "Followers / following": f"{_number(profile.followers)} / {_number(profile.following)}",
        "Disclosed": "yes" if profile.disclosed else "no",
        "Topics avoided": ", ".join(profile.topics_avoided) or "–",
        "Warnings": "; ".join(f.label for f in profile.warnings) or "–",
    }


def _number(value: int | None) -> str:
    return "?" if value is None else str(value)


def iter_mentions(store: Store, request: ExportRequest) -> Iterator[dict[str, Any]]:
    """The newest `LISTED_MENTIONS` selected mentions, streamed from the cursor."""
    columns = ", ".join(f"m.{c}" for c in MENTION_COLUMNS)
    sql, params = select_sql(request.selection, columns=columns, limit=LISTED_MENTIONS)
    for row in store.rows(sql, params):
        row["topics"] = as_json_list(row["topics"])
        row["topics_from_thread"] = as_json_list(row["topics_from_thread"])
        yield row


def range_text(data: ReportData, when: Callable[[datetime], str] = time_text) -> str:
    """The query's time range in words, each time written by `when` (the HTML page's are
    `<time>` elements: the words around them hold nothing HTML would read as markup)."""
    if data.since is None and data.until is None:
        return "all stored mentions (the query sets no time range)"
    since = when(data.since) if data.since else "the first stored mention"
    if data.until == present_end(data.captured_at):  # a `since:` ends at the capture
        until = f"capture ({when(data.captured_at)})"
    else:  # none: a `since:` after the capture asks for every mention dated after it
        until = when(data.until) if data.until else "the last stored mention"
    return f"from {since} to {until}"


def bucket_text(hours: int) -> str:
    if hours % 168 == 0:
        return "week" if hours == 168 else f"{hours // 168} weeks"
    if hours % 24 == 0:
        return "day" if hours == 24 else f"{hours // 24} days"
    return "hour" if hours == 1 else f"{hours} hours"
