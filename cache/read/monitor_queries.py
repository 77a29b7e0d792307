"""The live monitor's reads: feed pages, topic counts, one mention, the parody list.

Every function takes an open `Store` and runs in whatever thread opened it (the monitor
calls them from worker threads, each with its own read-only store). Nothing here loads
every row or counts the whole table: a store of a million mentions must open as fast as
an empty one, so the feed pages by keyset on (created_at, id) and topic counts read the
`mention_topics` index for the window only.
"""

from __future__ import annotations

import bisect
import itertools
import json
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cache.db import author_index, fts
from cache.db.store import Store, as_json_list
from cache.read import listed, newest_matches, prefix_terms, rare_words
from cache.read.ambassadors import reply_badges
from cache.read.period_counts import count_in_period
from cache.read.prefix_terms import has_prefix
from cache.read.query_sql import (
    LISTED_TEXT_SQL,
    NEEDED_TEXT_SQL,
    TEXT_SQL,
    topic_facet,
    topic_list_sql,
    topic_probe_sql,
)
from cache.read.selection import (
    NEWEST_FIRST,
    FtsQuery,
    Period,
    Selection,
    newest_first,
    overlap,
    walk_start,
)
from cache.read.windowed import Window, has_full_text, may_reach, narrowed, time_windows
from sources.model.config import Config
from sources.model.text import LATEST_AHEAD, format_timestamp, parse_timestamp

OTHER_TOPIC = "other"
"""The panel's group for mentions that have no topic."""

FEED_COLUMNS = (
    "id",
    "created_at",
    "time_flag",
    "platform",
    "source",
    "author",
    "author_name",
    "role",
    "topics",
    "lang",
    "kind",
    "title",
    "text",
    "url",
)
_SELECT_FEED = ", ".join(f"m.{c}" for c in FEED_COLUMNS)
KEYSET_SQL = "(m.created_at, m.id) < (?, ?)"
"""Older than a page's last row (created_at, id)."""


def combine(*selections: Selection) -> Selection:
    """All the selections at once (AND); the trivial `1` ones drop out."""
    parts = [s for s in selections if s.where.strip() != "1"]
    if not parts:
        return Selection()
    if len(parts) == 1:
        return parts[0]
    where = " AND ".join(f"({s.where})" for s in parts)
    params: tuple[Any, ...] = ()
    for s in parts:
        params += tuple(s.params)
    # Each part's listed conditions stay at the top of the AND; none is alone any more.
    lists = tuple(replace(f, alone=False) for s in parts for f in s.lists)
    needs_text = tuple(e for s in parts for e in s.needs_text)
    by_author = any(s.by_author for s in parts)
    period = overlap(*(s.period for s in parts))
    ranges = tuple(r for s in parts for r in s.ranges)
    facets = tuple(f for s in parts for f in s.facets)
    words_and_facets = all(s.words_and_facets for s in parts)
    narrow = any(s.narrow for s in parts)
    return Selection(
        where,
        params,
        lists,
        needs_text,
        by_author,
        period,
        ranges=ranges,
        facets=facets,
        words_and_facets=words_and_facets,
        narrow=narrow,
    )


def topic_selection(topic: str | None, rare_topics: Collection[str] = ()) -> Selection:
    """The mentions of one topic (or those with none, for `other`).

    A common topic is probed per mention while walking the feed newest first, so its
    first page needs no scan of the whole topic; a rare one is listed (`rare_topics`).
    """
    if not topic:
        return Selection()
    if topic == OTHER_TOPIC:
        return Selection("m.topics = '[]'", narrow=True)  # its own index may be short
    facet = topic_facet((topic,))
    facets = () if facet is None else (facet,)
    if topic in rare_topics:
        return Selection(
            topic_list_sql("?"), (topic,), facets=facets, words_and_facets=bool(facets), narrow=True
        )
    return Selection(topic_probe_sql("?"), (topic,), facets=facets, words_and_facets=bool(facets))


def _feed_row(row: dict[str, Any]) -> dict[str, Any]:
    row["topics"] = as_json_list(row["topics"])
    return row


def feed_page_sql(
    selection: Selection,
    before: tuple[str, str] | None = None,
    listed_text: FtsQuery | None = None,
    limit: int | None = None,
    candidates: list[int] | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """The statement and parameters (less the limit) of one page of the feed; read from the
    match list of `listed_text` when given (`cache.read.rare_words`): of a selection of
    words and facets only its newest `limit` matches when the limit is given, or only the
    `candidates` (matches of `listed_text`, `cache.read.newest_matches`)."""
    prefix, table, where, params = _statement(selection, before, listed_text, limit, candidates)
    order = newest_first(selection)
    sql = f"{prefix}SELECT {_SELECT_FEED} FROM {table} WHERE {where} ORDER BY {order} LIMIT ?"
    return sql, params


def _statement(
    selection: Selection,
    before: tuple[str, str] | None,
    listed_text: FtsQuery | None,
    limit: int | None = None,
    candidates: list[int] | None = None,
) -> tuple[str, str, str, tuple[Any, ...]]:
    """(WITH clause, FROM clause, WHERE, parameters) of a page or count of the selection
    below `before` (see `feed_page_sql`)."""
    where, params = selection.where, tuple(selection.params)
    if before is not None:
        created, mention_id = before
        # The row-value form lets SQLite seek the time index to the page's start; the
        # equivalent `a < ? OR (a = ? AND b < ?)` walks it from the newest row (O(depth)).
        # It comes first: of two upper bounds on the time (an `until:` is one) SQLite walks
        # from the first it meets, and from `until:` a page at 90 % took 70 ms, not 0.6.
        where = f"{KEYSET_SQL} AND ({where})"
        params = (created, mention_id, *params)
        if selection.by_author:
            where += f" AND {author_index.UP_TO_DAY_SQL}"
            params += (created,)
    if listed_text is None:
        return "", "mentions AS m", where, params
    prefix, first, first_params = _listed(selection, before, listed_text, limit, candidates)
    where = where.replace(NEEDED_TEXT_SQL, LISTED_TEXT_SQL)  # every listed row matches them
    return prefix, rare_words.LISTED_TABLE, f"{first} AND ({where})", (*first_params, *params)


def _listed(
    selection: Selection,
    before: tuple[str, str] | None,
    listed_text: FtsQuery,
    limit: int | None,
    candidates: list[int] | None,
) -> tuple[str, str, tuple[Any, ...]]:
    """(WITH clause, first condition, its parameters) of a statement that reads the match
    list of `listed_text`: the `candidates` among them, the newest that pass their facets,
    or every match (with the selection's facets tested on the way)."""
    if candidates is not None:
        return "", f"m.rowid IN ({', '.join('?' for _ in candidates)})", tuple(candidates)
    if limit is not None and selection.words_and_facets:
        newest = newest_matches.newest_passing(selection, before, limit)
        if newest is not None:
            prefix, first, params = newest
            return prefix, first, (listed_text, *params)
    first, params = rare_words.listed_condition(selection)
    return "", first, (listed_text, *params)


def present_period(period: Period, now: datetime | None) -> Period:
    """The period a newest-first feed shows at `now`: a query without `until:` (nor a
    `since:` after the present) ends where a trusted time can end, a day after `now`.

    A post dated 2100 (flagged `out_of_range`) kept its time and sorted above every post
    that came after it, for ever. Ending the walk there is the keyset every later page
    uses (index-backed, no extra cost); `until:` a later date asks for such posts."""
    if now is None or period[1] is not None:
        return period
    ceiling = format_timestamp(now + LATEST_AHEAD + timedelta(seconds=1))
    if period[0] is not None and period[0] >= ceiling:
        return period
    return (period[0], ceiling)


def feed_page(
    store: Store,
    selection: Selection,
    *,
    before: tuple[str, str] | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """The newest `limit` selected mentions older than `before` (created_at, id), none
    dated after the present when `now` is given (`present_period`).

    With free text, the newest mentions are read in time windows first
    (`cache.read.windowed`): the same rows in the same order, without listing every match.
    Words that match few mentions in the whole store are read from that list instead
    (`cache.read.rare_words`). A prefix term is read as the words it covers
    (`cache.read.prefix_terms`).
    """
    selection = prefix_terms.expanded(store, selection)
    before = walk_start(before, present_period(selection.period, now))
    rare = rare_words.rare_text(store, selection)
    if rare is not None:
        expression, matches = rare
        return _page(store, selection, before, limit, expression) if matches else []
    rows: list[dict[str, Any]] = []
    seen = 0  # mentions the time windows held
    if has_full_text(selection):
        below = before
        for step, window in enumerate(time_windows(store, before, most=PAGE_WINDOWS)):
            rows += _page(store, narrowed(selection, window), below, limit - len(rows))
            if len(rows) >= limit or _reaches_start(window, selection):
                return rows
            below = (window.low, "")  # everything older than the window
            seen += window.mentions
            if step == 0 and (
                passing := rare_words.passing_first(
                    store, selection, before, (len(rows), seen), limit
                )
            ):
                return _page(store, selection, before, limit, passing[0])  # facets first
            if not may_reach(len(rows), seen, limit, step, PAGE_WINDOWS):
                break  # a rare match: the plain statement costs less than more windows
    elif (walked := _listed_page(store, selection, before, limit)) is not None:
        return walked
    if not rows and not _text_can_match(store, selection):
        return []
    # The plain statement from the page's start, not from the last window: continuing
    # below a window makes SQLite list every match before the keyset test (3x slower).
    # Where the windows found few or nothing, the walk may go far or to the end: the same
    # statement over the words' matches instead, when looking them up costs less
    # (`rare_words.sparse_text`, told the windows' rate).
    sparse = None
    if has_full_text(selection):
        rate = (len(rows), seen)
        sparse = rare_words.sparse_text(store, selection, before, rate, limit, page=True)
    return _page(store, selection, before, limit, sparse)


def _reaches_start(window: Window, selection: Selection) -> bool:
    """Whether the window reaches down to the selection's `since:`: nothing older is
    selected, so the windows so far hold every match below the walk's start."""
    start = selection.period[0]
    return start is not None and window.low <= start


def _text_can_match(store: Store, selection: Selection) -> bool:
    """False when a free-text part that every selected mention needs matches nothing.

    SQLite tests the statement's own uncorrelated EXISTS for each row it walks: a phrase
    without any match made the feed walk all million mentions (about 120 ms) to find none.
    One look at the index (a few ms) settles it. Asked only when the windows found nothing:
    for a prefix term left to FTS5 (`cache.read.prefix_terms`) the look merges every word
    the prefix covers.
    """
    return all(
        store.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH ?)", (expression,)
        ).fetchone()[0]
        for expression in selection.needs_text
    )


PAGE_WINDOWS = 6
"""Windows a page tries (2,000 up to 64,000 mentions) before the plain statement."""


def _listed_page(
    store: Store, selection: Selection, before: tuple[str, str] | None, limit: int
) -> list[dict[str, Any]] | None:
    """The page walked from the index table of a `source:`/`has:` condition
    (`cache.read.listed`), or None when the plain statement should read it."""
    walk = listed.driver(selection)
    if walk is None:
        return None
    rows: list[dict[str, Any]] = []
    below, seen, size = before, 0, listed.FIRST_WINDOW
    for step in range(listed.WINDOWS):
        low = listed.window_low(store, walk, below, size, selection.period)
        sql, params = listed.listed_rows_sql(walk, selection, _SELECT_FEED, below, low)
        sql += f" ORDER BY {NEWEST_FIRST} LIMIT ?"
        rows += [_feed_row(r) for r in store.rows(sql, (*params, limit - len(rows)))]
        if len(rows) >= limit or low is None:
            return rows  # full, or the list ran out: nothing older is selected
        below = (low, "")  # everything older than the window
        seen += size
        size *= 4
        left = sum(listed.FIRST_WINDOW << (2 * s) for s in range(step + 1, listed.WINDOWS))
        if len(rows) + len(rows) * left / seen < limit:
            return None  # the rest of the selection keeps few: the plain statement
    return None


def _page(
    store: Store,
    selection: Selection,
    before: tuple[str, str] | None,
    limit: int,
    listed_text: FtsQuery | None = None,
) -> list[dict[str, Any]]:
    candidates = None
    if listed_text is not None and before is None and selection.words_and_facets:
        tests = newest_matches.facet_tests(selection)
        candidates = newest_matches.newest_candidates(store, tests, listed_text, limit)
        if candidates == []:
            return []  # no match passes its facets
    sql, params = feed_page_sql(selection, before, listed_text, limit, candidates)
    return [_feed_row(r) for r in store.rows(sql, (*params, limit))]


COUNT_CAP = 10_000
"""Counting stops here: past it the feed says "more than 10,000" (a count of a million
rows would hold the worker for seconds)."""


def count_matching(store: Store, selection: Selection, cap: int = COUNT_CAP) -> int:
    """How many mentions `selection` matches, up to `cap` + 1 (more means "more than cap").

    Words alone and topics alone are counted in their own index (`text_alone`,
    `topics_alone`), words within a period mostly so (`period_counts`). Rare words are
    counted from their match list (`rare_words`). Free text with other conditions is
    counted window by window first (`cache.read.windowed`), so a common word reaches the
    cap without listing all its matches.
    """
    wanted = cap + 1
    found = 0
    selection = prefix_terms.expanded(store, selection)
    text = text_alone(selection)
    if text is not None:
        return _count_text(store, text, wanted)
    topics = topics_alone(selection)
    if topics is not None:
        return _count_topics(store, *topics, wanted)
    rare = rare_words.rare_text(store, selection)
    if rare is not None:
        expression, matches = rare
        start = walk_start(None, selection.period)
        return _count(store, selection, start, wanted, expression) if matches else 0
    if selection.text_and_time_only and len(selection.needs_text) == 1:
        words = FtsQuery(selection.needs_text[0])
        if _count_text(store, words, wanted) < wanted:
            # Fewer in the whole store than the cap: looked up from their list (at most the
            # cap), not the period walked (a week of a million mentions is 157,000).
            return _count(store, selection, walk_start(None, selection.period), wanted, words)
        counted = count_in_period(store, words, selection.period, wanted)
        if counted is not None:
            return counted
    # A prefix term left to FTS5 merges the lists of every word it covers in each window
    # again: counted by windows it would cost more than listing it once.
    prefix = any(isinstance(p, FtsQuery) and has_prefix(p) for p in selection.params)
    walk = None if has_full_text(selection) else listed.driver(selection)
    if walk is not None:
        return listed.count_listed(store, walk, selection, wanted)
    # The windows start at the newest mention even below an `until:`: counting up to the
    # cap takes many windows, and from the `until:` they cost more than the plain statement
    # (`until:DATE Streik` 52-65 ms against 42, bench/README.md). A page needs one or two.
    before: tuple[str, str] | None = None
    seen = 0
    if has_full_text(selection) and not prefix:
        for step, window in enumerate(time_windows(store, None, most=COUNT_WINDOWS)):
            found += _count(store, narrowed(selection, window), before, wanted - found)
            before = (window.low, "")
            seen += window.mentions
            if found >= wanted or _reaches_start(window, selection):
                return found
            rate = (found, seen)
            band = (window.lo, window.hi)
            if step == 0 and (
                from_list := rare_words.passing_first(
                    store, selection, None, rate, wanted, page=False, band=band
                )
            ):
                # Its facets first; newest first when at the window's rate it stops at
                # `wanted` (what it reads was measured there), else in FTS5's order.
                passing, newest_first = from_list
                return _count(store, selection, None, wanted, passing, newest_first=newest_first)
            if not may_reach(found, seen, wanted, step, COUNT_WINDOWS):
                break
    if not found and not _text_can_match(store, selection):
        return 0
    # Counted from the start by the plain statement (see feed_page): a keyset below the
    # last window would make SQLite list every match first. Or over the words' matches.
    start = walk_start(None, selection.period)
    sparse = None
    if has_full_text(selection) and not prefix:  # looked up only if it walks to the end
        sparse = rare_words.sparse_text(store, selection, start, (found, seen), wanted)
    return _count(store, selection, start, wanted, sparse)


COUNT_WINDOWS = 5
"""Windows a count tries (2,000 up to 32,000 mentions) before the plain statement."""


def text_alone(selection: Selection) -> FtsQuery | None:
    """The full-text expression of a selection that is that condition and nothing else
    (`Streik`, `Verdi OR Gewerkschaft`, a phrase, a prefix), else None."""
    if selection.where not in (TEXT_SQL, NEEDED_TEXT_SQL) or len(selection.params) != 2:
        return None
    first, second = selection.params
    return first if isinstance(first, FtsQuery) and first == second else None


def _count_text(store: Store, expression: FtsQuery, limit: int) -> int:
    """How many mentions match `expression`, up to `limit`, read from the full-text index
    alone (`fts.count_matches`). The plain statement built the whole match list before
    counting (38 ms for `Verdi OR Gewerkschaft` at a million mentions, bench/README.md)."""
    return fts.count_matches(store.conn, expression, limit)


def topics_alone(selection: Selection) -> tuple[tuple[str, ...], bool] | None:
    """(the topics, whether only a mention's own words count) of a selection that is one
    `topic:`/`own:` condition and nothing else, as the query compiler or the topic panel
    writes it, else None."""
    topics = selection.params
    if not topics or not all(isinstance(t, str) for t in topics):
        return None
    marks = ", ".join("?" for _ in topics)
    for own in (False, True):
        if selection.where in (
            topic_probe_sql(marks, own_only=own),
            topic_list_sql(marks, own_only=own),
        ):
            return tuple(topics), own
    return None


def _count_topics(store: Store, topics: tuple[str, ...], own: bool, limit: int) -> int:
    """How many mentions have one of `topics`, up to `limit`, read from the topic rows'
    own index alone (written with the mention's topics, as the topic panel counts them):
    the probe walked the feed and looked each mention up (11-23 ms at a million)."""
    marks = ", ".join("?" for _ in topics)
    kept = " AND inherited = 0" if own else ""
    distinct = "DISTINCT " if len(set(topics)) > 1 else ""  # a mention has a row per topic
    sql = (
        f"SELECT count(*) FROM (SELECT {distinct}mention_id FROM mention_topics "
        f"WHERE topic IN ({marks}){kept} LIMIT ?)"
    )
    return int(store.conn.execute(sql, (*topics, limit)).fetchone()[0])


def _count(
    store: Store,
    selection: Selection,
    before: tuple[str, str] | None,
    limit: int,
    listed_text: FtsQuery | None = None,
    *,
    newest_first: bool = False,
) -> int:
    if listed_text is not None and before is None and selection.words_and_facets:
        sql, params = newest_matches.passing_count_sql(selection, newest_first=newest_first)
        return int(store.conn.execute(sql, (listed_text, *params, limit)).fetchone()[0])
    _, table, where, params = _statement(selection, before, listed_text)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT ?)"
    return int(store.conn.execute(sql, (*params, limit)).fetchone()[0])


def feed_rows_by_ids(
    store: Store, selection: Selection, ids: list[str], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The selected mentions among `ids` (new arrivals), newest first; with `now`, none
    dated after the present (as `feed_page`)."""
    end = present_period(selection.period, now)[1]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        sql = (
            f"SELECT {_SELECT_FEED} FROM mentions AS m WHERE m.id IN ({marks}) "
            f"AND ({selection.where})"
        )
        found = store.rows(sql, (*chunk, *selection.params))
        rows.extend(_feed_row(r) for r in found if end is None or r["created_at"] < end)
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return rows


def count_newer(
    store: Store,
    selection: Selection,
    after: tuple[str, str],
    *,
    now: datetime | None = None,
    cap: int = COUNT_CAP,
) -> int:
    """How many selected mentions are newer than `after` (created_at, id), up to `cap` + 1;
    with `now`, none dated after the present (as `feed_page`). A feed whose rows are
    contiguous from its top subtracts the rows it shows above `after`: the rest are new
    ones it has not loaded (an import too large to merge row by row)."""
    end = present_period(selection.period, now)[1]
    where = "(m.created_at, m.id) > (?, ?) AND m.created_at >= ?"
    params: tuple[Any, ...] = (after[0], after[1], after[0])
    if end is not None:
        where += " AND m.created_at < ?"
        params += (end,)
    newer = Selection(where, params, period=(after[0], end), narrow=True)
    return count_matching(store, combine(selection, newer), cap)


def ambassador_ids(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The ids of the rows written by ambassadors (the only ones that can carry badges)."""
    return [r["id"] for r in rows if r.get("role") == "ambassador"]


def any_ambassador_post(store: Store, ids: list[str]) -> bool:
    """Whether an ambassador wrote one of `ids` (primary-key lookups only)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        # `+role`: look the ids up by primary key, never walk the role index.
        sql = f"SELECT 1 FROM mentions WHERE id IN ({marks}) AND +role = 'ambassador' LIMIT 1"
        if store.conn.execute(sql, chunk).fetchone() is not None:
            return True
    return False


def feed_reply_badges(
    store: Store, config: Config, ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Badges of the ambassador replies among `ids`; every id gets an entry (maybe empty).

    An empty entry clears a badge that no longer applies. The cross-account analysis
    behind the badges is memoised by `cache.read.ambassadors` until ambassador data changes.
    """
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    found = reply_badges(store, config, wanted)
    return {i: tuple(found.get(i, ())) for i in wanted}


def newest_time(store: Store) -> datetime | None:
    """When the newest stored mention was written (index lookup, not a scan)."""
    # The newest trusted time: a row dated 9999 must not move "now" of an offline browse.
    row = store.conn.execute(
        "SELECT created_at FROM mentions WHERE time_flag = '' ORDER BY created_at DESC LIMIT 1"
    ).fetchone()
    return parse_timestamp(row[0]) if row and row[0] else None


@dataclass(frozen=True)
class TopicCount:
    """One line of the topic panel: how many mentions in the window, and their trend."""

    topic: str
    count: int
    trend: tuple[int, ...]
    """Mentions per bucket, oldest bucket first."""


def topic_counts(
    store: Store, topics: list[str], now: datetime, window: timedelta, buckets: int = 10
) -> list[TopicCount]:
    """Counts and a trend per topic for the `window` ending at `now`, plus `other`.

    Each bucket is one range count on an index ((topic, created_at) for a topic, the
    partial index of untopiced mentions for `other`): no row is read, no function is
    applied per row, so a week of a million-mention store costs milliseconds.
    """
    step = window / buckets
    start = now - window
    edges = [format_timestamp(start + step * i) for i in range(buckets)]
    edges.append(format_timestamp(now + timedelta(seconds=1)))
    spans = list(itertools.pairwise(edges))
    # Undated items carry the time first seen: they are not news of that bucket. Flagged
    # rows are few, so they are subtracted (partial index) instead of filtered per row.
    flagged: dict[str, list[int]] = {}
    for stamp, topic_text in store.conn.execute(
        "SELECT created_at, topics FROM mentions "
        "WHERE time_flag != '' AND created_at >= ? AND created_at < ?",
        (edges[0], edges[-1]),
    ):
        bucket = bisect.bisect_right(edges, stamp) - 1
        if not 0 <= bucket < buckets:
            continue
        names = as_json_list(topic_text)
        for name in names or [OTHER_TOPIC]:
            flagged.setdefault(name, [0] * buckets)[bucket] += 1
    results: list[TopicCount] = []
    for topic in topics:
        trend = tuple(
            store.conn.execute(
                "SELECT count(*) FROM mention_topics "
                "WHERE topic = ? AND created_at >= ? AND created_at < ?",
                (topic, low, high),
            ).fetchone()[0]
            for low, high in spans
        )
        results.append(_less(topic, trend, flagged))
    trend = tuple(
        store.conn.execute(
            "SELECT count(*) FROM mentions "
            "WHERE topics = '[]' AND created_at >= ? AND created_at < ?",
            (low, high),
        ).fetchone()[0]
        for low, high in spans
    )
    results.append(_less(OTHER_TOPIC, trend, flagged))
    return results


def _less(topic: str, trend: tuple[int, ...], flagged: dict[str, list[int]]) -> TopicCount:
    minus = flagged.get(topic)
    if minus:
        trend = tuple(max(0, n - m) for n, m in zip(trend, minus, strict=True))
    return TopicCount(topic, sum(trend), trend)


# --- one mention ------------------------------------------------------------------------


@dataclass(frozen=True)
class MentionDetail:
    """A mention with its author's profile and the terms that gave it its topics."""

    mention: dict[str, Any]
    account: dict[str, Any] | None
    matches: dict[str, list[str]]
    from_thread: tuple[str, ...] = ()
    """Topics taken from the post this one replies to or quotes (its own words name none)."""
    thread_source: str = ""
    """Where those came from, e.g. `reply to @critic` or `quote of @critic`."""


def mention_detail(store: Store, mention_id: str) -> MentionDetail | None:
    mention = store.mention(mention_id)
    if mention is None:
        return None
    mention["topics"] = as_json_list(mention["topics"])
    account = store.account(mention["author_key"]) if mention["author_key"] else None
    try:
        matches = json.loads(mention.get("topic_matches") or "{}")
    except json.JSONDecodeError:
        matches = {}
    from_thread = tuple(as_json_list(mention.get("topics_from_thread")))
    return MentionDetail(
        mention,
        account,
        matches if isinstance(matches, dict) else {},
        from_thread,
        _thread_source(store, mention) if from_thread else "",
    )


def _thread_source(store: Store, mention: dict[str, Any]) -> str:
    """`reply to @x` or `quote of @x`: the post whose topics this mention took (the rule
    of `filters.thread_topics`: the replied-to post first, the quoted one if that has none)."""
    for column, link in (("in_reply_to", "reply to"), ("quoted_id", "quote of")):
        parent_id = mention.get(column)
        if not parent_id:
            continue
        row = store.conn.execute(
            "SELECT author, topics FROM mentions WHERE id = ?", [parent_id]
        ).fetchone()
        if row is not None and as_json_list(row[1]):
            return f"{link} @{row[0]}" if row[0] else link
    return "the thread"


@dataclass(frozen=True)
class NewRows:
    """What another process stored since the last look."""

    ids: tuple[str, ...] = ()
    """The new mentions' ids, oldest stored first, when they were at most a batch."""
    more: int = 0
    """When they were more (an import): how many, less those the caller already knew of.
    Their ids are not read: the reader shows the newest page instead (`count_newer`)."""


class NewRowWatch:
    """Mentions that another process stored: the rows past the highest rowid seen so far.

    The monitor hears of what its own collector stores; a second collector or an import
    writing into the same store tells it nothing. Rowids of new rows only grow, so one
    indexed look past the last rowid per check tells whether anything arrived (cheap at
    any size). Rows the monitor's own collector stored come back here too; the feed is
    keyed by id, so they are merged once. Used from worker threads, hence the lock.

    More than `batch` new rows are counted, not listed: read a batch per check, oldest
    stored first, an import of 200,000 rows reached the top of the feed after minutes,
    its newest post last, while the monitor spent half a core walking the rest.
    """

    def __init__(self, *, batch: int = 500) -> None:
        self._last: int | None = None
        self._batch = batch
        self._lock = threading.Lock()

    def start(self, store: Store) -> None:
        """Remember where the store ends now (before reading the first page of the feed)."""
        with self._lock:
            self._last = _max_rowid(store)

    def new_rows(self, store: Store, known: Collection[str] = ()) -> NewRows:
        """The mentions stored since the last call (or `start`): their ids when they are
        at most a batch, else how many (less those among `known`, already reported)."""
        with self._lock:
            if self._last is None:
                self._last = _max_rowid(store)
                return NewRows()
            rows = store.conn.execute(
                "SELECT rowid, id FROM mentions WHERE rowid > ? ORDER BY rowid LIMIT ?",
                [self._last, self._batch + 1],
            ).fetchall()
            if len(rows) <= self._batch:
                if rows:
                    self._last = rows[-1][0]
                return NewRows(ids=tuple(str(row[1]) for row in rows))
            first, last = self._last, _max_rowid(store)
            self._last = last
            stored = store.conn.execute(
                "SELECT count(*) FROM mentions WHERE rowid > ? AND rowid <= ?", [first, last]
            ).fetchone()[0]
            return NewRows(more=int(stored) - _known_among(store, known, first, last))


def _known_among(store: Store, ids: Collection[str], first: int, last: int) -> int:
    """How many of `ids` were stored with a rowid in (first, last]."""
    wanted = list(ids)
    found = 0
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" for _ in chunk)
        sql = f"SELECT count(*) FROM mentions WHERE id IN ({marks}) AND rowid > ? AND rowid <= ?"
        found += int(store.conn.execute(sql, [*chunk, first, last]).fetchone()[0])
    return found


def _max_rowid(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(rowid), 0) FROM mentions").fetchone()[0])
