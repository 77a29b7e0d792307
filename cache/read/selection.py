"""A selection of mentions (a WHERE clause with its parameters) and FTS5 literals.

The bottom of the read path: the query compiler (`query_sql`), search and the exports all
build on it, and it imports nothing else of Echowatch but the per-author index's order and
where a query's `since:` ends (`filters.query.present_end`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cache.db import author_index
from filters.query import present_end
from sources.model.text import format_timestamp

NEWEST_FIRST = "m.created_at DESC, m.id DESC"
"""The feed's order: newest first, the id settling mentions of the same second."""


Period = tuple[str | None, str | None]
"""A time range [from, to) as stored times; None where it is open."""


def overlap(*periods: Period) -> Period:
    """The time range inside all of `periods`."""
    starts = [p[0] for p in periods if p[0] is not None]
    ends = [p[1] for p in periods if p[1] is not None]
    return (max(starts) if starts else None, min(ends) if ends else None)


def walk_start(before: tuple[str, str] | None, period: Period) -> tuple[str, str] | None:
    """Where a newest-first walk starts (a keyset (time, id) to stay below): below `before`
    or below the period's end, whichever is older. A word search with an `until:` a week
    back read its first page from windows of the newest mentions, which it could never
    select, then by the plain statement (35-42 ms at a million); a `source:`/`has:` list
    was walked past every entry newer than the `until:`."""
    end = period[1]
    if end is None or (before is not None and before <= (end, "")):
        return before
    return (end, "")  # (time, id) < (end, "") is time < end: ids are never empty


@dataclass(frozen=True)
class Listed:
    """Mentions that an index table lists newest first: the rows of `table` whose `column`
    is one of `keys` (`mention_sources`/`source`, `mention_reactions`/`kind`; see
    `cache.db.mention_lists`). `alone`: the selection is this condition and nothing else but
    `since:`/`until:` (`Selection.period`)."""

    table: str
    column: str
    keys: tuple[str, ...]
    alone: bool = False


@dataclass(frozen=True)
class Selection:
    """A WHERE clause over `mentions` (aliased `m`) with its parameters.

    `lists`: conditions of the WHERE clause, ANDed at its top, whose mentions an index table
    lists; a reader may walk that list instead of the feed (`where` alone stays the answer).
    """

    where: str = "1"
    params: tuple[Any, ...] = field(default_factory=tuple)
    lists: tuple[Listed, ...] = ()
    needs_text: tuple[str, ...] = ()
    """FTS5 expressions ANDed at the top of the WHERE clause: when one matches nothing in
    the whole index, nothing is selected (a reader can say so without walking the feed)."""
    by_author: bool = False
    """An `author:` condition is ANDed at the top: a page is read newest first through the
    per-author index, in the order it gives (`cache.db.author_index.NEWEST_FIRST`)."""
    period: Period = (None, None)
    """[since, until) of the `since:`/`until:` conditions ANDed at the top, as stored times
    (None: open): every selected mention was written in it. `where` holds them too; a reader
    that walks another index (`cache.read.listed`) bounds that walk with them."""
    text_and_time_only: bool = False
    """The WHERE clause is the free words of `needs_text` (one expression) within `period`,
    and nothing else: a count can be read from the full-text index, band by band of the
    period's rowids (`cache.read.period_counts`)."""
    ranges: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(column, values) of the `lang:`, `role:` and `platform:` conditions ANDed at the top:
    the plain statement may walk that column's index instead of the feed."""
    facets: tuple[tuple[str, tuple[object, ...]], ...] = ()
    """(condition, parameters) of the conditions ANDed at the top that test only what
    `mention_facets` holds (`lang:`, `role:`, `platform:`, `topic:`/`own:` of default
    topics, negated or ORed among themselves), each written over that table as `f`: a
    reader of the words' match list tests them there before looking a match up
    (`cache.read.rare_words`)."""
    words_and_facets: bool = False
    """The WHERE clause is `needs_text` and `facets` and nothing else (either may be
    missing): a match of the words that passes its facets is selected
    (`cache.read.rare_words` reads a page of such a search by the facets' time)."""
    narrow: bool = False
    """A condition ANDed at the top lets the plain statement walk something that may be
    short instead of the feed (`author:`, `is:starred`, `since:`, a rare topic): a reader
    leaves the statement to it rather than read the words' matches
    (`cache.read.rare_words`)."""


class PresentEnd(str):
    """The end of a query's `since:` without `until:` (`filters.query.ending_now`), as a
    stored time: the moment the query was asked. The type marks it among a `Selection`'s
    parameters and in its period, so that a reader asking again later moves it to its own
    moment (`ended_at`) and never touches any other bound."""

    __slots__ = ()


def ended_at(selection: Selection, now: datetime) -> Selection:
    """`selection` asked again at `now`: a `since:` without `until:` ends there instead.

    The monitor compiles a filter once, when it is applied, but reads it for as long as it
    is in force: its feed, arrivals, counts and exports each end at their own moment (a
    post arriving a minute later, dated then, is in `since:1h`)."""
    if not any(isinstance(p, PresentEnd) for p in selection.params):
        return selection
    end = PresentEnd(format_timestamp(present_end(now)))
    params = tuple(end if isinstance(p, PresentEnd) else p for p in selection.params)
    since, until = selection.period
    period = (since, end if isinstance(until, PresentEnd) else until)
    return replace(selection, params=params, period=period)


def newest_first(selection: Selection) -> str:
    """The ORDER BY of the selection's mentions newest first, written as the index that
    reads them gives it (the same order either way)."""
    return author_index.NEWEST_FIRST if selection.by_author else NEWEST_FIRST


class FtsQuery(str):
    """An FTS5 MATCH expression as the query compiler writes it: quoted terms, each prefix
    term followed by `*`, joined by AND or OR. The type marks which parameters of a
    `Selection` are such expressions, so that a reader can name the words a prefix term
    covers (`cache.read.prefix_terms`) and never touch any other parameter."""

    __slots__ = ()


FTS_RANGE = "/*rowid range*/"
"""Marks the spot in a full-text subquery where a reader that walks the feed in time
windows (`cache.read.windowed`) narrows the match list to the window's rowids; left in
place it is an SQL comment and changes nothing."""


def fts_phrase(text: str) -> str:
    """One FTS5 string literal that matches `text` as a phrase."""
    # NUL ends an FTS5 query string early ("unterminated string"); stored text has none.
    return '"' + text.replace("\x00", "").replace('"', '""') + '"'


def fts_expression(words: list[str]) -> str:
    """An FTS5 MATCH expression requiring every word or phrase (AND)."""
    return " AND ".join(fts_phrase(w) for w in words if w.strip())
