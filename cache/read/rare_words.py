"""Searches whose words are rare in the whole store: read from the words' own match list.

The monitor reads a search newest first along the time index and tests each mention
(`query_sql.TEXT_SQL`), in time windows for free text (`cache.read.windowed`): for a
common word the newest page is near. When the words match few posts (`Verdi Gewerkschaft`,
823 of a million), that walk goes a long way for each match, and through the whole store
when other conditions leave none (`Verdi Gewerkschaft lang:en`: 87 ms for an empty page,
`topic:pay Verdi Gewerkschaft` 140 ms, their counts 79 and 161 ms). Listing the matches
and looking each one up costs a few microseconds a match, whatever else the query says.

So before either reads, the full-text index says how many mentions the words every
selected mention needs (`Selection.needs_text`) match, stopping past `RARE`. At most that
many, the page and the count are read from their list: the same statement and rows, with
the mentions table read only by rowid (`NOT INDEXED`) from the list.

Words with more matches are read in time windows first (`cache.read.windowed`). When the
windows find too few (the other conditions keep few of the words' posts, or none), the
rest was read by the plain statement, which walks the feed or the index of a `lang:`,
`role:` or `platform:` condition to its end: `Verdi -lang:de` walked all million
mentions for an empty page (213-228 ms). `sparse_text` says when the words' matches cost less
to look up than that walk.
"""

from __future__ import annotations

from cache.db import fts
from cache.db.store import Store
from cache.read.newest_matches import FACET_US, MATCHES_WITH_FACETS, facet_tests
from cache.read.prefix_terms import has_prefix
from cache.read.query_sql import facet_sql
from cache.read.selection import FtsQuery, Selection
from filters.query import Field

RARE = 2_000
"""Matches at most which a search is read from its words' list: about 2-3 µs a match
looked up at a million mentions (6-8 ms for `Verdi Gewerkschaft`'s 823 with every other
condition tested), while a walk along the time index that finds one match in 500 mentions
reads a page in 30-40 ms. A common word's page is near the top of the walk."""

LISTED_TABLE = "mentions AS m NOT INDEXED"
"""The FROM clause of a statement read from the match list: rows only by rowid."""

LISTED_SQL = "m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)"
"""The first condition of a statement read from the match list."""

_FACETED_SQL = (
    f"m.rowid IN (SELECT mentions_fts.rowid FROM {MATCHES_WITH_FACETS} "
    "WHERE mentions_fts MATCH ? AND {tests})"
)
"""`LISTED_SQL` for a selection with facet conditions (`lang:`, `role:`, `platform:`, default
topics; `Selection.facets`): each match is tested on its facets first
(`cache.db.mention_facets`, 0.4-0.5 µs a match against 2.4 for its row), and only those
that pass are looked up."""


def listed_condition(selection: Selection) -> tuple[str, tuple[object, ...]]:
    """The first condition of a statement read from the match list, and its parameters
    after the words' expression."""
    if not selection.facets:
        return LISTED_SQL, ()
    tests, params = facet_tests(selection)
    return _FACETED_SQL.format(tests=tests), params


WINDOW_MENTION_US = 0.7
"""What the time windows cost a page for each mention it needs at their rate, in µs:
finding each window's band of rowids, walking it, looking up the words' matches in it,
and the windows doubling past what is needed (at a million: `topic:pay Verdi` 38 ms for
the 48,000 mentions 8 matches in the first 2,000 say it needs, `topic:strikes Verdi` 15
ms for 27,000)."""

PASSING_US = 0.6
"""A match that passes its facets, in µs: listed with its time and sorted
(`topic:pay Verdi`'s 3,237: 14 ms, 12 of them testing Verdi's 25,653 matches)."""

LOOKUP_US = 2.4
"""A post looked up by its rowid, in µs (`LOOKUP_COST`)."""

RANGE_ENTRY_US = 0.2
"""An entry of a `lang:`/`role:`/`platform:` index walked and tested, in µs."""


def passing_first(
    store: Store,
    selection: Selection,
    before: tuple[str, str] | None,
    rate: tuple[int, int],
    wanted: int,
    *,
    page: bool = True,
    band: tuple[int, int] | None = None,
) -> tuple[FtsQuery, bool] | None:
    """For a page of a selection of words and facets whose first time window found too
    few: the words' expression, when testing each of their matches on its facets and
    looking up the newest `wanted` (`cache.read.newest_matches`) costs less than the
    windows still to read below `before` at their rate (`found` of `seen`), else None.
    For a count (not `page`): when testing them (and counting those that pass) costs less
    than the windows to `wanted` or to the end. A count that reaches `wanted` at the
    window's rate reads its matches newest first and stops there: it is priced at the
    matches the window (`band`, its rowids) held for each it kept, without counting them
    all, and the answer says so (True beside the expression: read newest first; always
    False for a page).

    With a `lang:`/`role:`/`platform:` condition the plain statement walks that index
    instead of the feed, after the windows: a page's matches are read first only when the
    window found none (that walk goes to the end), and any only when the index holds more
    entries below `before` than the matches cost (a rare language's few posts are walked
    sooner, and known to be few before the matches are counted). Left to the windows: a
    selection with a walk of its own that may be short (`Selection.narrow`)."""
    expression = words_of(selection)
    if expression is None or not selection.words_and_facets or selection.narrow:
        return None
    found, seen = rate
    ranges = selection.ranges
    if ranges and found and page:
        return None  # the windows find some: the index's walk may be short (`role:press`)
    below = mentions_below(store, before)
    needed = min(below, (wanted - found) * seen // found) if found else below
    windows_us = needed * WINDOW_MENTION_US
    newest_first = not page and band is not None and reaches_cap(found, seen, below, wanted)
    if newest_first:
        held = fts.count_matches(store.conn, expression, seen + 1, rowids=band)
        matches = held * wanted // found  # read newest first until `wanted` pass
        looked_up = 0.0
        if matches * FACET_US >= windows_us:
            return None
    else:
        # A page lists each match that passes with its time and looks up its newest; a
        # count counts those that pass (`newest_matches.passing_count_sql`).
        passing = found * below // max(seen, 1)  # at the window's rate
        looked_up = passing * PASSING_US + wanted * LOOKUP_US if page else 0.0
        affordable = int((windows_us - looked_up) / FACET_US)
        if affordable <= 0:
            return None
        fewest = int(((RARE + 1) * FACET_US + looked_up) / RANGE_ENTRY_US)  # not rare words
        if not all(_range_exceeds(store, c, values, before, fewest, below) for c, values in ranges):
            return None  # walked for less than any match list costs: no need to count them
        matches = fts.count_matches(store.conn, expression, affordable + 1)
        if matches > affordable:
            return None
    walked = int((matches * FACET_US + looked_up) / RANGE_ENTRY_US)
    if not all(_range_exceeds(store, c, values, before, walked, below) for c, values in ranges):
        return None
    return expression, newest_first


def reaches_cap(found: int, seen: int, below: int, wanted: int) -> bool:
    """Whether a walk of `below` mentions finds `wanted` at the rate the windows found
    (`found` of `seen`)."""
    return found * below >= wanted * max(seen, 1)


def words_of(selection: Selection) -> FtsQuery | None:
    """The FTS5 expression of the words every selected mention needs; None when there are
    none, or when one is a prefix left to FTS5 (it merges the lists of all the words it
    covers to count them)."""
    if not selection.needs_text or any(has_prefix(e) for e in selection.needs_text):
        return None
    return FtsQuery(" AND ".join(f"({e})" for e in selection.needs_text))


def rare_text(store: Store, selection: Selection) -> tuple[FtsQuery, int] | None:
    """The expression of the words every selected mention needs and their number of
    matches, when that is at most `RARE` in the whole store (0: nothing is selected), else
    None. A prefix term FTS5 reads itself (`cache.read.prefix_terms` names the words of
    most) is never rare here."""
    expression = words_of(selection)
    if expression is None:
        return None
    found = fts.count_matches(store.conn, expression, RARE + 1)
    return (expression, found) if found <= RARE else None


LOOKUP_COST = 12
"""A match looked up by its rowid costs about as much as this many entries of an index
walked and tested: 2.4 µs against 0.15-0.2 µs at a million mentions (`Verdi lang:en` read
from Verdi's 25,653 matches, 62 ms; the 500,000 entries of `lang:en` walked, 96 ms;
bench/README.md)."""

FACET_COST = 6
"""The same for a match tested on its facets alone (`cache.db.mention_facets`): 0.35-0.45
µs, against 0.07-0.1 µs an entry of the feed's time index walked (`Streik -role:public`:
249,000 matches tested 87 ms, the feed walked to 10,001 kept 65 ms) and 0.15-0.2 µs of a
`lang:` index (`Verdi lang:en`: 25,653 matches 10-11 ms). What a page of a selection of
words and facets keeps (`Selection.words_and_facets`) costs a look-up each beside it, up
to the page's size; a count looks none up (`cache.read.newest_matches`)."""

FACET_COST_IN_RANGE = 3
"""`FACET_COST` against an entry of a `lang:`/`role:`/`platform:` index walked instead
of the feed, which costs about twice as much (`Selection.ranges`)."""


def sparse_text(
    store: Store,
    selection: Selection,
    before: tuple[str, str] | None,
    rate: tuple[int, int] = (0, 0),
    wanted: int = 1,
    *,
    page: bool = False,
) -> FtsQuery | None:
    """For a statement the time windows found too few for: the expression of the words
    every selected mention needs, when looking up each of their matches costs less than
    the walk below `before` (the feed, or the index of a `lang:`/`role:`/`platform:`
    condition), else None.

    `rate`: (found, seen), the windows found that many selected mentions in that many; the
    walk stops once it has `wanted`. Only a `page`'s walk of the feed for a selection of
    words and facets is reckoned to stop before the end (what it keeps is known to cost a
    look-up each); any other is looked up only where the walk would go to the end (a
    count's plain walk costs less a mention than these figures say).

    Left to the plain statement: a selection with a walk of its own that may be short
    (`Selection.narrow`, `by_author`), and a prefix FTS5 reads itself.
    """
    expression = words_of(selection)
    if expression is None or selection.narrow or selection.by_author:
        return None
    ranges = selection.ranges
    faceted = selection.words_and_facets
    found, seen = rate
    below = mentions_below(store, before)
    stops_early = reaches_cap(found, seen, below, wanted)
    if stops_early and (not page or ranges or not faceted):
        return None
    fewest = LOOKUP_COST * (RARE + 1)  # the words are not rare (`rare_text` comes first)
    if not all(_range_exceeds(store, c, values, before, fewest, below) for c, values in ranges):
        return None  # walked for less than any match list costs: no need to count them
    walk = wanted * seen // found if stops_early else below
    # Of a selection of words and facets, each match costs its facets; of those it keeps
    # (as many below as the windows' rate says) a page looks up the newest, a count none
    # (`cache.read.newest_matches`).
    kept = found * below // max(seen, 1) if faceted and page else 0
    kept = min(kept, wanted)
    cost = (FACET_COST_IN_RANGE if ranges else FACET_COST) if faceted else LOOKUP_COST
    affordable = (walk - kept * LOOKUP_COST) // cost
    if affordable <= 0:
        return None
    matches = fts.count_matches(store.conn, expression, affordable + 1)
    if matches > affordable:
        return None
    walked = matches * cost + kept * LOOKUP_COST
    if faceted and len(selection.facets) > len(ranges):
        # The range's walk reads the post of each of the words' matches it passes, to test
        # the other facets (`Streik lang:en -role:public`: 550,000 entries of `lang:en`,
        # a quarter of them Streik's, 373 ms): an entry costs that share of a look-up more.
        walked = walked * max(below, 1) // (max(below, 1) + matches * LOOKUP_COST)
    if not all(_range_exceeds(store, c, values, before, walked, below) for c, values in ranges):
        return None
    return expression


def mentions_below(store: Store, before: tuple[str, str] | None) -> int:
    """About how many mentions are older than `before` (all of them for None): the rowid
    of the newest below it (rowids are handed out as mentions are stored, mostly in time)."""
    if before is None:
        row = store.conn.execute("SELECT max(rowid) FROM mentions").fetchone()
    else:
        row = store.conn.execute(
            "SELECT rowid FROM mentions INDEXED BY mentions_created WHERE created_at < ? "
            "ORDER BY created_at DESC LIMIT 1",
            (before[0],),
        ).fetchone()
    return int(row[0] or 0) if row else 0


RANGED_COLUMNS = frozenset({"lang", "role", "platform"})
"""Columns of `Selection.ranges`, each led by an index of its own with the time after it."""


SAMPLE = 1_000
"""The newest mentions whose facets estimate how many entries a long range holds
(`_surely_exceeds`), read once a walk of that many entries has not reached its end."""

SURE = 4
"""How many times the asked size the estimate must reach to be taken without the walk."""


def _range_exceeds(
    store: Store,
    column: str,
    values: tuple[str, ...],
    before: tuple[str, str] | None,
    size: int,
    below: int,
) -> bool:
    """Whether more than `size` mentions older than `before` have one of `values` in
    `column` (`_walk_exceeds`). A range longer than `SAMPLE` entries that the newest
    mentions say is far longer than `size` is taken as such without the rest of the walk
    (`_surely_exceeds`; `below`: `mentions_below(store, before)`, which the caller has)."""
    if column not in RANGED_COLUMNS:  # never interpolate anything else into the SQL
        return False
    if size > 2 * SAMPLE:
        if not _walk_exceeds(store, column, values, before, SAMPLE):
            return False  # a short range (a rare language) is known at once
        if _surely_exceeds(store, column, values, below, size):
            return True
    return _walk_exceeds(store, column, values, before, size)


def _walk_exceeds(
    store: Store, column: str, values: tuple[str, ...], before: tuple[str, str] | None, size: int
) -> bool:
    """The exact answer: one step past `size` entries of the column's index, no mention
    read."""
    marks = ", ".join("?" for _ in values)
    older = "" if before is None else " AND m.created_at < ?"
    sql = f"SELECT 1 FROM mentions AS m WHERE m.{column} IN ({marks}){older} LIMIT 1 OFFSET ?"
    params = (*values, *(() if before is None else (before[0],)), size)
    return store.conn.execute(sql, params).fetchone() is not None


def _surely_exceeds(
    store: Store, column: str, values: tuple[str, ...], below: int, size: int
) -> bool:
    """Whether the share of the newest `SAMPLE` mentions with one of `values` in `column`
    (their facets, by rowid, tested as `query_sql.facet_sql` writes the condition), times
    the `below` mentions older than the page, is at least `SURE` times `size`. Walking
    60,000 entries of `lang:en` to learn that it holds more than that took 3.7 of `Verdi
    lang:en`'s 16-25 ms at a million, where 55 % of the newest say 550,000. Either answer
    leads to the same rows (it only chooses how they are read), so a wrong estimate costs
    time, never a result; one short of `SURE` times is walked."""
    tested = facet_sql(Field(column, values))
    if tested is None:  # a role without a number in the facets
        return False
    test, params = tested
    sampled, having = store.conn.execute(
        f"SELECT count(*), coalesce(sum({test}), 0) FROM mention_facets AS f "
        "WHERE f.mention_rowid > (SELECT coalesce(max(mention_rowid), 0) FROM mention_facets) - ?",
        (*params, SAMPLE),
    ).fetchone()
    if not sampled:
        return False
    return int(having) * below >= SURE * size * int(sampled)
