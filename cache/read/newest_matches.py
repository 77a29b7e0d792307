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

A later page (below a page's start) tests every match and looks up only those from the
time of the 200th newest on (`newest_passing`), and a count counts the matches that pass
without looking any up (`passing_count_sql`).
"""

from __future__ import annotations

from cache.db import fts, mention_facets
from cache.db.store import Store
from cache.read.selection import FtsQuery, Selection

FACET_US = 0.45
"""A match tested on its facets (`cache.db.mention_facets`), in µs."""

MATCHES_WITH_FACETS = (
    "mentions_fts CROSS JOIN mention_facets AS f ON f.mention_rowid = mentions_fts.rowid"
)
"""The words' matches (`WHERE mentions_fts MATCH ?`), each with its facets as `f`. `CROSS
JOIN` keeps the match list the outer loop: the facets are probed by rowid, never walked."""


def passing_count_sql(
    selection: Selection, *, newest_first: bool = False
) -> tuple[str, tuple[object, ...]]:
    """The count (up to a limit, the last parameter) of a selection of words and facets
    (`words_and_facets`), and its parameters after the words' expression: its matches
    that pass their facets, no post looked up. The facets are the posts' own columns and
    topics, kept by triggers (`cache.db.mention_facets`); a page trusts them as much, to
    hold every match it may show (`newest_passing`). `newest_first`: for a count that is
    to stop at its limit after the share of the matches the first time window measured
    (`rare_words.passing_first`); 10 % dearer than FTS5's own order when all are read."""
    tests, params = facet_tests(selection)
    order = " ORDER BY mentions_fts.rowid DESC" if newest_first else ""
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM {MATCHES_WITH_FACETS} "
        f"WHERE mentions_fts MATCH ? AND {tests}{order} LIMIT ?)"
    ), params


def facet_tests(selection: Selection) -> tuple[str, tuple[object, ...]]:
    """The selection's facet conditions ANDed over `mention_facets AS f` ("1" for none),
    and their parameters."""
    tests = " AND ".join(f"({sql})" for sql, _ in selection.facets) or "1"
    params = tuple(value for _, values in selection.facets for value in values)
    return tests, params


_PASSING_SQL = (
    "WITH passing(r, k) AS MATERIALIZED (SELECT mentions_fts.rowid, f.created_key "
    f"FROM {MATCHES_WITH_FACETS} WHERE mentions_fts MATCH ? AND {{tests}}{{older}}) "
)
_NEWEST_PASSING_SQL = (
    "m.rowid IN (SELECT r FROM passing WHERE k IS NULL OR k >= coalesce((SELECT k FROM "
    "passing WHERE k IS NOT NULL{below} ORDER BY k DESC LIMIT 1 OFFSET ?), 0))"
)


def newest_passing(
    selection: Selection, before: tuple[str, str] | None, limit: int
) -> tuple[str, str, tuple[object, ...]] | None:
    """For a page of `limit` of a selection of words and facets (`words_and_facets`) read
    from the words' match list: (a WITH clause, the first condition, their parameters
    after the words' expression); None below a page's start of a time in another form
    than the stored one.

    Every match that passes its facets is selected, so the page is the newest `limit` of
    them: the facets' times (`mention_facets.created_key`, which sort as the stored times
    do) give the time of the `limit`-th newest, and only the matches from then on are
    looked up (about 200 of `topic:pay Verdi`'s 3,237), with those whose time is in
    another form (no key). Below a page's start (created_at, id) the time is counted among
    the strictly older ones and the start's own time is kept too: the keyset test on the
    row then leaves at least `limit`, the right ones. The whole selection is still tested
    on each row looked up."""
    tests, params = facet_tests(selection)
    start: tuple[int, ...] = ()
    if before is None:
        older, below = "", ""
    else:
        key = mention_facets.created_key(before[0])
        if key is None:
            return None
        older = " AND (f.created_key IS NULL OR f.created_key <= ?)"
        below, start = " AND k < ?", (key,)
    return (
        _PASSING_SQL.format(tests=tests, older=older),
        _NEWEST_PASSING_SQL.format(below=below),
        (*params, *start, *start, limit - 1),
    )


_NEWEST_SQL = (
    f"SELECT mentions_fts.rowid, f.created_key FROM {MATCHES_WITH_FACETS} "
    "WHERE mentions_fts MATCH ? AND {tests} ORDER BY mentions_fts.rowid DESC LIMIT ?"
)
_LATER_BELOW_SQL = (
    "SELECT rowid FROM mentions INDEXED BY mentions_created "
    "WHERE created_at >= ? AND rowid < ? LIMIT ?"
)
_PASSING_AMONG_SQL = (
    f"SELECT mentions_fts.rowid FROM {MATCHES_WITH_FACETS} "
    "WHERE mentions_fts MATCH ? AND mentions_fts.rowid IN ({marks}) AND {tests}"
)

MOST_LATER = 500
"""Mentions below the newest matches' rowids but not older than them that are still
tested one by one; more, and every match is read instead (a store whose rowids do not
follow time)."""

TIME_ENTRY_US = 0.04
"""An entry of the time index read for the check, in µs (187,000 entries: 7.4 ms)."""


def newest_candidates(
    store: Store,
    tests: tuple[str, tuple[object, ...]],
    words: FtsQuery,
    limit: int,
) -> list[int] | None:
    """The rowids among which the newest `limit` of a selection of words and facets are:
    matches of `words` that pass the facet `tests` (`facet_tests`); None when
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
