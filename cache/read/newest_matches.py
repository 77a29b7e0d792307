"""The newest matches of a search of words and facets, found from the newest rowids.

A search whose every condition is a free word or a facet (`Selection.words_and_facets`:
`topic:pay Verdi`, `Verdi -role:public`) selects exactly the words' matches that pass
their facets (`cache.db.mention_facets`). Testing all of them to find the newest 200
costs each match its facets: 11 ms for Verdi's 25,653 at a million mentions, of 16 for
the page. Rowids are handed out as mentions are stored, mostly in time, so the newest
200 are nearly always among the 200 that pass with the highest rowids: the full-text
index reads the words' matches from the highest rowid down (`ORDER BY rowid DESC`) and
stops there (`topic:pay Verdi`: 1,600 matches read, 1 ms).

That is checked, never assumed. With R the lowest rowid of those 200 and T the earliest
of their times, a selected mention missing from them has a rowid below R, and it is
among the newest 200 only if its time is T or later (else all 200 are newer). So the
time index is read from T up for mentions below R (the mentions of a stretch of time
stored later, or sharing T): the matches that pass among them are added. The page is
then read from these few by the plain statement's conditions and order. When the time
index holds too many such mentions, or a time in another form than the stored one
leaves T unknown, the caller reads every match instead.
"""

from __future__ import annotations

from cache.db import fts
from cache.db.store import Store
from cache.read.selection import FtsQuery

_NEWEST_SQL = (
    "SELECT mentions_fts.rowid, f.created_key FROM mentions_fts CROSS JOIN mention_facets AS f "
    "ON f.mention_rowid = mentions_fts.rowid WHERE mentions_fts MATCH ? AND {tests} "
    "ORDER BY mentions_fts.rowid DESC LIMIT ?"
)
_LATER_BELOW_SQL = (
    "SELECT rowid FROM mentions INDEXED BY mentions_created "
    "WHERE created_at >= ? AND rowid < ? LIMIT ?"
)
_PASSING_AMONG_SQL = (
    "SELECT mentions_fts.rowid FROM mentions_fts CROSS JOIN mention_facets AS f "
    "ON f.mention_rowid = mentions_fts.rowid "
    "WHERE mentions_fts MATCH ? AND mentions_fts.rowid IN ({marks}) AND {tests}"
)

MOST_LATER = 500
"""Mentions below the newest matches' rowids but not older than them that are still
tested one by one; more, and every match is read instead (a store whose rowids do not
follow time)."""

TIME_ENTRY_US = 0.04
"""An entry of the time index read for the check, in µs (187,000 entries: 7.4 ms)."""

FACET_US = 0.45
"""A match tested on its facets, in µs (`cache.read.rare_words.FACET_US`)."""


def newest_candidates(
    store: Store,
    tests: tuple[str, tuple[object, ...]],
    words: FtsQuery,
    limit: int,
) -> list[int] | None:
    """The rowids among which the newest `limit` of a selection of words and facets are:
    matches of `words` that pass the facet `tests` (`rare_words.facet_tests`); None when
    reading every match costs less or the check cannot be made."""
    condition, params = tests
    conn = store.conn
    newest = conn.execute(_NEWEST_SQL.format(tests=condition), (words, *params, limit)).fetchall()
    rowids = [int(rowid) for rowid, _ in newest]
    if len(newest) < limit:
        return rowids  # every match that passes: nothing older is selected
    if any(key is None for _, key in newest):
        return None  # a time in another form: T unknown
    lowest = min(rowids)
    (top,) = conn.execute("SELECT max(rowid) FROM mentions").fetchone()
    # The check reads about as many entries as there are mentions above the lowest rowid:
    # worth it only while fewer than the matches below it cost to test.
    worth = int((int(top) - lowest) * TIME_ENTRY_US / FACET_US) + 1
    if fts.count_matches(conn, words, worth, (0, lowest - 1)) < worth:
        return None
    earliest = _stored_form(min(int(key) for _, key in newest))
    later = [
        int(row[0]) for row in conn.execute(_LATER_BELOW_SQL, (earliest, lowest, MOST_LATER + 1))
    ]
    if len(later) > MOST_LATER:
        return None
    if later:
        marks = ", ".join("?" for _ in later)
        sql = _PASSING_AMONG_SQL.format(marks=marks, tests=condition)
        rowids += [int(row[0]) for row in conn.execute(sql, (words, *later, *params))]
    return rowids


def _stored_form(key: int) -> str:
    """The stored time of a `created_key` (YYYYMMDDHHMMSS)."""
    digits = f"{key:014d}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:]}Z"
