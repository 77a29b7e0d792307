"""Compile a query's syntax tree (`filters.query`) into a `Selection` over `mentions AS m`.

Every condition is written so that SQLite can walk `mentions` newest first on an index
and stop after the page it needs: field tests are plain column comparisons on indexed
columns, topics and threads are correlated `EXISTS` probes on primary keys and indexes,
and full-text terms are `rowid IN (... MATCH ?)` over the FTS5 table.

User text never reaches FTS5 raw: each word or phrase becomes one quoted FTS5 string
(with `*` appended only for an explicit trailing-star prefix search), or one per German
spelling of it, ORed (`filters.spellings`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, TypeGuard

from cache.db import author_index, mention_facets
from cache.db.mention_lists import HAS_PARODY_SQL as HAS_PARODY_SQL
from cache.db.mention_lists import HAS_REPLY_SQL as HAS_REPLY_SQL
from cache.read.marks import STARRED_SQL, UNREAD_SQL
from cache.read.selection import (
    FTS_RANGE,
    FtsQuery,
    Listed,
    Period,
    PresentEnd,
    Selection,
    fts_phrase,
    overlap,
)
from filters.query import And, Field, Node, Not, Or, Text, TimeBound, ending_now
from filters.spellings import spellings

SOURCE_SQL = (
    "EXISTS (SELECT 1 FROM mention_sources AS s WHERE s.source IN ({marks}) "
    "AND s.created_at = m.created_at AND s.mention_id = m.id)"
)
"""A mention that came through one of the sources `marks`, its own or another feed of the
article (m011's `mention_sources`, kept by triggers): one key lookup per source named."""

REACTION_SQL = (
    "EXISTS (SELECT 1 FROM mention_reactions AS x "
    "WHERE x.mention_id = m.id AND x.kind IN ({marks}))"
)
"""`has:` one of `marks` (m012's `mention_reactions`, which lists the mentions that
`HAS_PARODY_SQL` / `HAS_REPLY_SQL` select): one index probe per tested mention."""

TEXT_SQL = (
    f"EXISTS (SELECT 1 FROM mentions_fts WHERE mentions_fts MATCH ?{FTS_RANGE}) "
    f"AND +m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?{FTS_RANGE})"
)
"""Full-text condition. The `+` makes SQLite walk `mentions_created` newest first and probe
the match list instead of fetching and sorting every match (a common word matches a large
share of the store). The uncorrelated EXISTS is computed once, but SQLite still tests its
answer for every row it walks: a search without any match is settled before the statement
by `Selection.needs_text` (`cache.read.monitor_queries`). `FTS_RANGE` lets
`cache.read.windowed` read only the matches among the rowids of the newest few thousand
mentions instead of all of them (in the EXISTS too: a word without matches is then looked
up in the whole index only once). A selection whose `where` is this and nothing else is
counted in the full-text index alone (`cache.read.monitor_queries.count_matching`)."""

NEEDED_TEXT_SQL = f"/*needed words*/ {TEXT_SQL}"
"""`TEXT_SQL` for the words ANDed at the top of a query (`Selection.needs_text`): every
selected mention matches them. A statement that reads only their matches (from their
list, `cache.read.rare_words`) drops this test (`LISTED_TEXT_SQL`): it built the same
match list a second time and probed it for each mention (9 of 62 ms for `Verdi lang:en`'s
25,653 matches, bench/README.md)."""

LISTED_TEXT_SQL = "(? IS NOT NULL AND ? IS NOT NULL)"
"""What `NEEDED_TEXT_SQL` becomes in a statement read from the words' match list: true,
and it takes the same two parameters."""

_COLUMNS = frozenset({"role", "lang", "platform"})
"""Query fields that test the column of `mentions` (and of `mention_facets`) of their name."""


def compile_query(node: Node | None, now: datetime, rare_topics: Collection[str] = ()) -> Selection:
    """The `Selection` for a parsed query; `now` resolves relative times (`since:24h`).

    `rare_topics`: topics with few mentions in the store (`cache.read.search.rare_topics`). The
    probe that suits a common topic (walk the feed newest first, test each mention) walks
    the whole store for a rare one; a rare topic's few mentions are listed instead.
    """
    node = ending_now(node, now)
    if node is None:
        return Selection()
    rare = frozenset(rare_topics)
    where, params = _Compiler(now, rare, _top_words(node)).compile(node)
    return Selection(
        where,
        tuple(params),
        _lists(node),
        _needed_text(node),
        _by_author(node),
        _period(node, now),
        _text_and_time_only(node),
        _ranges(node),
        _facets(node),
        _words_and_facets(node),
        _narrow(node, rare),
    )


def _top_conditions(node: Node) -> tuple[Node, ...]:
    """The conditions at the top of the query: every selected mention meets each of them
    (the query itself, or the parts of an AND)."""
    return node.nodes if isinstance(node, And) else (node,)


def _top_words(node: Node) -> frozenset[int]:
    """The identities of the free words and word alternatives at the top of the query
    (alone or ANDed there): those `_needed_text` names, written `NEEDED_TEXT_SQL`."""
    conditions = _top_conditions(node)
    return frozenset(id(c) for c in conditions if isinstance(c, Text) or _words_or(c))


def _words_or(node: Node) -> TypeGuard[Or]:
    """Whether `node` is alternatives of free words and nothing else (`(Verdi OR Streik)`):
    one FTS5 expression, which every selected mention matches when it stands at the top."""
    return isinstance(node, Or) and all(isinstance(n, Text) for n in node.nodes)


def _or_expression(node: Or) -> FtsQuery:
    """The FTS5 expression of alternatives of free words, as `_Compiler._join` writes it."""
    return FtsQuery(" OR ".join(fts_term(n) for n in node.nodes if isinstance(n, Text)))


def _ranges(node: Node) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(column, values) of the `lang:`, `role:` and `platform:` conditions at the top of
    the query (alone or ANDed there), each written `column IN (values)`."""
    conditions = _top_conditions(node)
    return tuple(
        (c.name, tuple(c.values)) for c in conditions if isinstance(c, Field) and c.name in _COLUMNS
    )


def _facets(node: Node) -> tuple[tuple[str, tuple[object, ...]], ...]:
    """The conditions at the top of the query (alone or ANDed there) that test only what
    `mention_facets` holds, each written over it as `f` (`Selection.facets`)."""
    found = (facet_sql(c) for c in _top_conditions(node))
    return tuple(f for f in found if f is not None)


def _words_and_facets(node: Node) -> bool:
    """Whether every condition at the top of the query is a free word, alternatives of free
    words, or tests only what `mention_facets` holds (`Verdi -lang:de`, `topic:pay Verdi`,
    `topic:strikes (Verdi OR Streik)`)."""
    conditions = _top_conditions(node)
    return all(isinstance(c, Text) or _words_or(c) or facet_sql(c) is not None for c in conditions)


def facet_sql(node: Node) -> tuple[str, tuple[object, ...]] | None:
    """`node` written over `mention_facets AS f`, selecting what the compiler's statement
    over `m` selects, when it tests nothing but what that table holds (`lang:de`,
    `-lang:de`, `lang:de OR role:press`, `topic:pay` and `own:pay` of default topics)."""
    if isinstance(node, Field):
        if node.name in ("topic", "own"):
            return topic_facet(tuple(node.values), own_only=node.name == "own")
        if node.name not in _COLUMNS:
            return None
        if node.name != "role":
            marks = ", ".join("?" for _ in node.values)
            return f"f.{node.name} IN ({marks})", tuple(node.values)
        codes = mention_facets.role_codes(tuple(node.values))
        if codes is None:
            return None
        return f"f.role_code IN ({', '.join('?' for _ in codes)})", codes
    if isinstance(node, Not):
        inner = facet_sql(node.node)
        return None if inner is None else (f"NOT ({inner[0]})", inner[1])
    if isinstance(node, And | Or):
        parts = [facet_sql(n) for n in node.nodes]
        kept = [p for p in parts if p is not None]
        if len(kept) < len(parts):
            return None
        operator = " AND " if isinstance(node, And) else " OR "
        return operator.join(f"({sql})" for sql, _ in kept), tuple(
            value for _, values in kept for value in values
        )
    return None


def _narrow(node: Node, rare_topics: frozenset[str]) -> bool:
    """Whether a condition at the top of the query lets the plain statement walk something
    that may be short instead of the feed: `author:`, `is:starred`, `since:`, or topics all
    rare (listed from their rows, `topic_list_sql`). (`source:` and `has:` lists are walked
    only by searches without words, `cache.read.listed`.)"""
    conditions = _top_conditions(node)
    return any(_walks_itself(c, rare_topics) for c in conditions)


def _walks_itself(condition: Node, rare_topics: frozenset[str]) -> bool:
    if isinstance(condition, TimeBound):
        return condition.name == "since"
    if not isinstance(condition, Field):
        return False
    if condition.name in ("topic", "own"):
        return rare_topics.issuperset(condition.values)
    if condition.name == "is":
        return "starred" in condition.values
    return condition.name == "author"


def _by_author(node: Node) -> bool:
    """Whether an `author:` condition stands at the top of the query (alone or ANDed
    there): every selected mention is then in its index range, read in its order."""
    conditions = _top_conditions(node)
    return any(isinstance(c, Field) and c.name == "author" for c in conditions)


def _period(node: Node, now: datetime) -> Period:
    """The time range of the `since:`/`until:` conditions at the top of the query (alone or
    ANDed there), as `_Compiler` writes their bounds."""
    conditions = _top_conditions(node)
    bounds = [c for c in conditions if isinstance(c, TimeBound)]
    return overlap(
        *((_bound(b, now), None) if b.name == "since" else (None, _bound(b, now)) for b in bounds)
    )


def _bound(bound: TimeBound, now: datetime) -> str:
    """The bound as a stored time; the end a `since:` is given is marked as such."""
    stored = bound.stored(now)
    return PresentEnd(stored) if bound.present else stored


def _text_and_time_only(node: Node) -> bool:
    """Whether the query is free words with `since:`/`until:` and nothing else, all ANDed
    at its top (`Streik since:7d`): `_Compiler._join` then writes one full-text condition,
    the expression `_needed_text` gives, and the period's bounds."""
    if not isinstance(node, And):
        return False
    kinds = {type(n) for n in node.nodes}
    return kinds == {Text, TimeBound}


def _needed_text(node: Node) -> tuple[str, ...]:
    """The FTS5 expressions of the free words at the top of the query (alone or ANDed
    there) and of each alternative of free words there, as `_Compiler._join` writes them:
    every selected mention matches each."""
    if isinstance(node, Text):
        return (FtsQuery(fts_term(node)),)
    if _words_or(node):
        return (_or_expression(node),)
    if not isinstance(node, And):
        return ()
    words = [n for n in node.nodes if isinstance(n, Text)]
    found = [FtsQuery(" AND ".join(fts_term(w) for w in words))] if words else []
    found += [_or_expression(n) for n in node.nodes if _words_or(n)]
    return tuple(found)


def _lists(node: Node) -> tuple[Listed, ...]:
    """The `source:` and `has:` conditions at the top of the query (alone or ANDed there):
    their mentions are listed by an index table that a reader can walk instead."""
    conditions = _top_conditions(node)
    found = []
    for condition in conditions:
        if isinstance(condition, Field) and condition.name == "source":
            found.append(Listed("mention_sources", "source", tuple(condition.values)))
        elif isinstance(condition, Field) and condition.name == "has":
            found.append(Listed("mention_reactions", "kind", tuple(condition.values)))
    # Beside `since:`/`until:` still alone: a list entry carries its mention's time, so the
    # list is counted within the selection's period without looking any mention up.
    alone = sum(not isinstance(c, TimeBound) for c in conditions) == 1
    return tuple(Listed(f.table, f.column, f.keys, alone) for f in found)


def fts_term(text: Text) -> str:
    """The FTS5 term of a free word or phrase, each spelling safely quoted: one term, or
    its `spellings` ORed in parentheses (`("Loehne" OR "löhne")`)."""
    star = "*" if text.prefix else ""
    terms = [fts_phrase(spelling) + star for spelling in spellings(text.text)]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


class _Compiler:
    def __init__(
        self, now: datetime, rare_topics: frozenset[str], needed: frozenset[int] = frozenset()
    ) -> None:
        self.now = now
        self.rare_topics = rare_topics
        self.needed = needed
        """`id` of each word node every selected mention needs (`_top_words`)."""

    def compile(self, node: Node) -> tuple[str, list[Any]]:
        if isinstance(node, And):
            return self._join(node.nodes, " AND ")
        if isinstance(node, Or):
            if id(node) in self.needed:  # alternatives of words every mention needs
                return NEEDED_TEXT_SQL, [_or_expression(node)] * 2
            return self._join(node.nodes, " OR ")
        if isinstance(node, Not):
            inner, params = self.compile(node.node)
            return f"NOT ({inner})", params
        if isinstance(node, Text):
            return self._text_sql(node), [FtsQuery(fts_term(node))] * 2
        if isinstance(node, TimeBound):
            bound = _bound(node, self.now)
            return ("m.created_at >= ?" if node.name == "since" else "m.created_at < ?"), [bound]
        return self._field(node)

    def _join(self, nodes: tuple[Node, ...], operator: str) -> tuple[str, list[Any]]:
        """Join children; sibling free words share one MATCH (one FTS lookup, not several)."""
        words = [n for n in nodes if isinstance(n, Text)]
        parts: list[str] = []
        params: list[Any] = []
        if len(words) > 1:
            fts_operator = " AND " if operator == " AND " else " OR "
            parts.append(self._text_sql(words[0]) if operator == " AND " else TEXT_SQL)
            params.extend([FtsQuery(fts_operator.join(fts_term(w) for w in words))] * 2)
            nodes = tuple(n for n in nodes if not isinstance(n, Text))
        for child in nodes:
            sql, child_params = self.compile(child)
            parts.append(f"({sql})")
            params.extend(child_params)
        return operator.join(parts), params

    def _text_sql(self, word: Text) -> str:
        """The full-text condition of `word` (with its sibling words, ANDed)."""
        return NEEDED_TEXT_SQL if id(word) in self.needed else TEXT_SQL

    def _field(self, node: Field) -> tuple[str, list[Any]]:
        values = list(node.values)
        marks = ", ".join("?" for _ in values)
        if node.name in ("topic", "own"):
            own = node.name == "own"
            if self.rare_topics.issuperset(values):
                return topic_list_sql(marks, own_only=own), values
            return topic_probe_sql(marks, own_only=own), values
        return _other_field(node, values, marks)


def topic_probe_sql(marks: str, *, own_only: bool = False) -> str:
    """Mentions of the topics in `marks`, tested one by one while walking the feed.

    `own_only`: only topics the mention's own words name, not those from its thread.
    """
    own = " AND t.inherited = 0" if own_only else ""
    return (
        "EXISTS (SELECT 1 FROM mention_topics AS t "
        f"WHERE t.topic IN ({marks}) AND t.mention_id = m.id{own})"
    )


def topic_facet(
    topics: tuple[str, ...], *, own_only: bool = False
) -> tuple[str, tuple[int]] | None:
    """The test of `topics` (any of them) over `mention_facets AS f`, and its parameter;
    None when one of them has no bit there (a topic a config adds)."""
    mask = mention_facets.topic_mask(topics)
    if mask is None:
        return None
    return (mention_facets.OWN_TOPIC_SQL if own_only else mention_facets.TOPIC_SQL), (mask,)


def topic_list_sql(marks: str, *, own_only: bool = False) -> str:
    """Mentions of the topics in `marks`, listed from the topic index (for rare topics).

    As rowids: when another index drives the walk (`lang:de`), testing a rowid needs only
    that index, where testing the text id would read every row it passes.
    """
    own = " AND t.inherited = 0" if own_only else ""
    return (
        "m.rowid IN (SELECT l.rowid FROM mention_topics AS t "
        f"JOIN mentions AS l ON l.id = t.mention_id WHERE t.topic IN ({marks}){own})"
    )


def _other_field(node: Field, values: list[Any], marks: str) -> tuple[str, list[Any]]:
    if node.name in _COLUMNS:
        return f"m.{node.name} IN ({marks})", values
    if node.name == "author":
        return author_index.by_names("m", marks), values
    if node.name == "source":
        # An article can arrive through several feeds; any of them counts.
        return SOURCE_SQL.format(marks=marks), values
    if node.name == "has":
        return REACTION_SQL.format(marks=marks), values
    if node.name == "is":
        kept = {"starred": STARRED_SQL, "unread": UNREAD_SQL}
        return " OR ".join(f"({kept[v]})" for v in values), []
    raise AssertionError(f"no SQL for field {node.name}")  # the parser knows every field
