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
"""

from __future__ import annotations

from cache.db import fts
from cache.db.store import Store
from cache.read.prefix_terms import has_prefix
from cache.read.selection import FtsQuery, Selection

RARE = 2_000
"""Matches at most which a search is read from its words' list: about 2-3 µs a match
looked up at a million mentions (6-8 ms for `Verdi Gewerkschaft`'s 823 with every other
condition tested), while a walk along the time index that finds one match in 500 mentions
reads a page in 30-40 ms. A common word's page is near the top of the walk."""

LISTED_FROM = (
    "mentions AS m NOT INDEXED",
    "m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)",
)
"""The FROM clause and the first condition of a statement read from the match list."""


def rare_text(store: Store, selection: Selection) -> tuple[FtsQuery, int] | None:
    """The expression of the words every selected mention needs and their number of
    matches, when that is at most `RARE` in the whole store (0: nothing is selected), else
    None. A prefix term FTS5 reads itself (`cache.read.prefix_terms` names the words of
    most) is never rare here."""
    if not selection.needs_text or any(has_prefix(e) for e in selection.needs_text):
        return None  # a prefix left to FTS5 merges the lists of all its words to count
    expression = FtsQuery(" AND ".join(f"({e})" for e in selection.needs_text))
    found = fts.count_matches(store.conn, expression, RARE + 1)
    return (expression, found) if found <= RARE else None
