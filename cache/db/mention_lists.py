"""Index tables that list, newest first, the mentions of a source and those with reactions.

`source:NAME` matches a mention whose `source` is NAME or whose JSON list `sources` (the
other feeds an article came through) holds it; `has:parody` and `has:reply` depend on the
replies and quotes other accounts wrote. Neither can be an index on a column of
`mentions`, so a page of them walked the whole feed testing each row (a JSON list parsed
per row, reply probes per row: 45-190 ms at a million mentions). These tables hold one
row per (key, created_at, mention) in index order, so a page is a range of their primary
key and a count an index count:

- `mention_sources(source, created_at, mention_id)`: every source of a mention (its own
  and each text in `sources`), once.
- `mention_reactions(kind, created_at, mention_id)`: `kind` 'parody' for each mention
  `HAS_PARODY_SQL` selects, 'reply' for each `HAS_REPLY_SQL` selects.

A third table, `mention_authors(author_key, author)`, lists the names each author key has
posted under (nearly always one), so that an account's posts are read through the one
per-author index, `mentions_author_created`, that `author:` walks (`AUTHORS_TABLE_SQL`).
A fourth, `mention_days(day)`, lists the days of the stored posts, the first column of
that index, which its readers go through day by day (`DAYS_TABLE_SQL`).

All are kept by SQL triggers on `mentions`, so every write path (live ingest, the bulk
importer, reclassification, time repair, a delete, another tool) keeps them right without
knowing of them. A bulk load drops the insert triggers for its transaction and lists its
new rows at the end instead (`cache.db.fts.deferred_inserts`, `fill_inserted`). Ids of
mentions never change (no writer updates `id`); the triggers rely on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cache.db import mention_facets
from cache.db.author_index import DAY_SQL
from filters.threads import NOT_CRITICAL_ROLES

if TYPE_CHECKING:
    from sqlite_utils import Database

_NOT_CRITICAL = "(" + ", ".join(f"'{role}'" for role in NOT_CRITICAL_ROLES) + ")"

HAS_REPLY_SQL = (
    f"(m.role NOT IN {_NOT_CRITICAL} AND m.kind != 'retweet' AND EXISTS ("
    "SELECT 1 FROM mentions AS r WHERE r.in_reply_to = m.id AND r.role = 'ambassador'))"
)
"""A critical mention that at least one ambassador replied to. `r.role = 'ambassador'` as a
plain column test: it lets SQLite probe the partial index `mentions_ambassador_reply` (m010)
instead of reading each reply's row."""

_PARODY_ON = "EXISTS (SELECT 1 FROM mentions AS p WHERE p.{link} = {target} AND p.role = 'parody')"
_OTHERS_PARODY_ON = (
    "EXISTS (SELECT 1 FROM mentions AS p WHERE p.{link} = m.id AND p.role = 'parody' "
    "AND p.author_key IS NOT m.author_key)"
)
"""A parody account other than the author of `m` answers or quotes it: a parody account
answering or quoting its own post goes on with its own thread, it mocks nobody."""
HAS_PARODY_SQL = (
    "("
    + _OTHERS_PARODY_ON.format(link="in_reply_to")
    + " OR "
    + _OTHERS_PARODY_ON.format(link="quoted_id")
    + f" OR (m.role NOT IN {_NOT_CRITICAL} AND EXISTS (SELECT 1 FROM mentions AS r "
    "WHERE r.in_reply_to = m.id AND r.role = 'ambassador' AND ("
    + _PARODY_ON.format(link="in_reply_to", target="r.id")
    + " OR "
    + _PARODY_ON.format(link="quoted_id", target="r.id")
    + "))))"
)
"""A parody account replied to or quoted this mention (not the mention's own author), or
(for a critical mention) one of the ambassador replies to it. Probes the partial indexes of
parody replies and quotes (m010, with the author since m033): no row of a reply is read."""

REACTIONS = {"parody": HAS_PARODY_SQL, "reply": HAS_REPLY_SQL}
"""`has:` value -> the condition on `mentions AS m` that `mention_reactions` lists."""

SOURCES_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_sources (
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    mention_id TEXT NOT NULL,
    PRIMARY KEY (source, created_at, mention_id)
) WITHOUT ROWID"""

REACTIONS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_reactions (
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    mention_id TEXT NOT NULL,
    PRIMARY KEY (kind, created_at, mention_id)
) WITHOUT ROWID"""


def _sources_of(row: str) -> str:
    """Every source of the mention `row` (`new` or `old`), as rows (source, created_at, id).

    Invalid JSON in `sources` counts as no further source (a query must never fail on it).
    """
    return (
        f"SELECT {row}.source, {row}.created_at, {row}.id UNION ALL "
        f"SELECT j.value, {row}.created_at, {row}.id FROM json_each(CASE WHEN "
        f"json_valid({row}.sources) THEN {row}.sources ELSE '[]' END) AS j WHERE j.type = 'text'"
    )


_ADD_SOURCES = "INSERT OR IGNORE INTO mention_sources (source, created_at, mention_id) {rows};"

_FURTHER_SOURCES = (
    "SELECT j.value, new.created_at, new.id FROM json_each(CASE WHEN new.sources IN "
    "('[]', json_array(new.source)) OR NOT json_valid(new.sources) THEN '[]' "
    "ELSE new.sources END) AS j WHERE j.type = 'text'"
)
"""The sources in `sources` beside the mention's own: the JSON list is read only when it
names more than that (rare: an article that came through several feeds)."""

_NEW_OWN_SOURCES = "SELECT source, created_at, id FROM mentions WHERE rowid > :since"
_NEW_FURTHER_SOURCES = (
    "SELECT j.value, m.created_at, m.id FROM mentions AS m, json_each(CASE WHEN "
    "json_valid(m.sources) THEN m.sources ELSE '[]' END) AS j "
    "WHERE m.rowid > :since AND m.sources NOT IN ('[]', json_array(m.source)) "
    "AND j.type = 'text'"
)
"""The sources of the mentions above a rowid (a bulk load's new rows, `fill_inserted`):
each one's own, and the further ones its `sources` names (rare)."""

_DROP_SOURCES = (
    "DELETE FROM mention_sources WHERE created_at = old.created_at AND mention_id = old.id "
    "AND source IN (SELECT old.source UNION ALL SELECT j.value FROM json_each(CASE WHEN "
    "json_valid(old.sources) THEN old.sources ELSE '[]' END) AS j WHERE j.type = 'text');"
)
"""Remove the old row's entries by their keys (no index on mention_id to keep up). Written
as `source IN (…)` beside the other two key columns so SQLite looks each key up; the
row-value form `(source, created_at, mention_id) IN (…)` made it read the whole table
for every changed or deleted mention (about 90 ms each at a million mentions)."""

SOURCE_TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS mention_sources_ai AFTER INSERT ON mentions BEGIN
  {_ADD_SOURCES.format(rows="VALUES (new.source, new.created_at, new.id)")}
  {_ADD_SOURCES.format(rows=_FURTHER_SOURCES)}
END;
CREATE TRIGGER IF NOT EXISTS mention_sources_au AFTER UPDATE OF source, sources, created_at
ON mentions WHEN old.source IS NOT new.source OR old.sources IS NOT new.sources
  OR old.created_at IS NOT new.created_at BEGIN
  {_DROP_SOURCES}
  {_ADD_SOURCES.format(rows=_sources_of("new"))}
END;
CREATE TRIGGER IF NOT EXISTS mention_sources_ad AFTER DELETE ON mentions BEGIN
  {_DROP_SOURCES}
END;
"""
"""`mention_sources` follows every insert, change of sources or time, and delete. It has
no index besides its key: each insert writes one b-tree entry per source."""


AUTHORS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_authors (
    author_key TEXT NOT NULL,
    author TEXT NOT NULL,
    PRIMARY KEY (author_key, author)
) WITHOUT ROWID"""
"""Each (author key, name) pair some mention has had. It replaces an index on
`mentions(author_key, created_at)`: every new post went to a random place in that index as
in the name index (an author's posts sit together), so a transaction of the import wrote
most of both indexes' leaf pages again, and the cost of a mention grew with the store. Pairs
are only ever added: a name whose posts were changed or deleted stays listed, which costs a
probe and changes no answer, since the readers also test `author_key`
(`cache.read.author_posts`). A mention without an author key is listed under the key ''
(so that a reader can tell whether a name belongs to one account alone)."""

AUTHOR_TRIGGERS_SQL = """
CREATE TRIGGER IF NOT EXISTS mention_authors_ai AFTER INSERT ON mentions BEGIN
  INSERT OR IGNORE INTO mention_authors (author_key, author) VALUES (new.author_key, new.author);
END;
CREATE TRIGGER IF NOT EXISTS mention_authors_au AFTER UPDATE OF author, author_key ON mentions
WHEN old.author IS NOT new.author OR old.author_key IS NOT new.author_key
BEGIN
  INSERT OR IGNORE INTO mention_authors (author_key, author) VALUES (new.author_key, new.author);
END;
"""

_ADD_AUTHORS = (
    "INSERT OR IGNORE INTO mention_authors (author_key, author) "
    "SELECT DISTINCT author_key, author FROM mentions WHERE {where} ORDER BY 1, 2"
)


DAYS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_days (
    day TEXT PRIMARY KEY
) WITHOUT ROWID"""
"""Every day (`cache.db.author_index.DAY_SQL`: YYYY-MM-DD) some stored mention has had: the
days a reader of the per-author index asks for an author's posts in
(`cache.db.author_index.by_names`). Listed through the index itself, one step down it a
day, they cost every such statement about 3 µs a day: 3 ms in a store that spans 1,000
days, most of an `author:` page there. Days are only added: a day whose posts all moved or
were deleted stays listed, which costs one probe per name and changes no answer."""

_NEW_DAY = DAY_SQL.format(column="new.created_at")
DAY_TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS mention_days_ai AFTER INSERT ON mentions BEGIN
  INSERT OR IGNORE INTO mention_days (day) VALUES ({_NEW_DAY});
END;
CREATE TRIGGER IF NOT EXISTS mention_days_au AFTER UPDATE OF created_at ON mentions
WHEN {DAY_SQL.format(column="old.created_at")} IS NOT {_NEW_DAY}
BEGIN
  INSERT OR IGNORE INTO mention_days (day) VALUES ({_NEW_DAY});
END;
"""

_ADD_DAYS = (
    "INSERT OR IGNORE INTO mention_days (day) "
    f"SELECT DISTINCT {DAY_SQL.format(column='created_at')} FROM mentions "
    "WHERE {where} ORDER BY 1"
)
"""List every day of the mentions `where` selects in one pass over an index that holds
their times (the per-author index when led by the day, else the time index; 0.05 s for
200,000 mentions). Not a step a day down the per-author index, as readers list them:
a store whose earlier import was killed while that index was left out, or rebuilt it led
by the author, has none to step down until `cache.db.author_index.make_current` runs after
the migrations, and each step then read the whole table (27 ms a day at 200,000
mentions)."""


def _touched(row: str) -> str:
    """Ids whose reactions may change when the mention `row` is added, changed or removed.

    The mention itself (its role and kind decide whether it is critical), what it replies to
    or quotes (it may be a parody or ambassador reaction to them), and what those reply to
    (a parody reaction to an ambassador reply counts for the post that reply answers).
    """
    return (
        f"{row}.id, {row}.in_reply_to, {row}.quoted_id, "
        f"(SELECT g.in_reply_to FROM mentions AS g WHERE g.id = {row}.in_reply_to), "
        f"(SELECT g.in_reply_to FROM mentions AS g WHERE g.id = {row}.quoted_id)"
    )


def _add(ids: str, only: str = "") -> str:
    """Statements that list the reactions (of kind `only`, or all) of the mentions `ids`
    (none are removed)."""
    return "".join(
        "\n  INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id) "
        f"SELECT '{kind}', m.created_at, m.id FROM mentions AS m WHERE m.id IN ({ids}) "
        f"AND {condition};"
        for kind, condition in REACTIONS.items()
        if kind == only or not only
    )


def _recompute(ids: str) -> str:
    """Statements that make `mention_reactions` right for the mentions `ids`."""
    return f"DELETE FROM mention_reactions WHERE mention_id IN ({ids});" + _add(ids)


REACTION_TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS mention_reactions_ai AFTER INSERT ON mentions
WHEN EXISTS (SELECT 1 FROM mentions WHERE in_reply_to = new.id)
  OR EXISTS (SELECT 1 FROM mentions WHERE quoted_id = new.id)
BEGIN{_add("new.id")}
END;
CREATE TRIGGER IF NOT EXISTS mention_reactions_ai_parody AFTER INSERT ON mentions
WHEN new.role = 'parody' AND (new.in_reply_to IS NOT NULL OR new.quoted_id IS NOT NULL)
BEGIN{_add(_touched("new"), only="parody")}
END;
CREATE TRIGGER IF NOT EXISTS mention_reactions_ai_ambassador AFTER INSERT ON mentions
WHEN new.role = 'ambassador' AND new.in_reply_to IS NOT NULL
BEGIN{_add("new.in_reply_to", only="reply")}
  INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id)
    SELECT 'parody', m.created_at, m.id FROM mentions AS m WHERE m.id = new.in_reply_to
    AND {_PARODY_ON.format(link="in_reply_to", target="new.id")} AND {HAS_PARODY_SQL};
  INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id)
    SELECT 'parody', m.created_at, m.id FROM mentions AS m WHERE m.id = new.in_reply_to
    AND {_PARODY_ON.format(link="quoted_id", target="new.id")} AND {HAS_PARODY_SQL};
END;
CREATE TRIGGER IF NOT EXISTS mention_reactions_au
AFTER UPDATE OF role, kind, in_reply_to, quoted_id, created_at ON mentions
WHEN old.role IS NOT new.role OR old.kind IS NOT new.kind
  OR old.in_reply_to IS NOT new.in_reply_to OR old.quoted_id IS NOT new.quoted_id
  OR old.created_at IS NOT new.created_at
BEGIN
  {_recompute(_touched("old") + ", " + _touched("new"))}
END;
CREATE TRIGGER IF NOT EXISTS mention_reactions_ad AFTER DELETE ON mentions BEGIN
  {_recompute(_touched("old"))}
END;
"""
"""`mention_reactions` follows every write. An insert can only add reactions (each is an
EXISTS over other mentions), so the insert triggers only add: for the new mention itself
when something stored already answers or quotes it (it arrived after its replies); for what
a parody post answers or quotes, and what that answers; for what an ambassador answers
(its `parody` kind only when a parody post already answers the new reply). A new mention
that is neither (nearly every one) costs two index probes."""

TRIGGER_NAMES = (
    "mention_days_ai",
    "mention_days_au",
    "mention_authors_ai",
    "mention_authors_au",
    "mention_sources_ai",
    "mention_sources_au",
    "mention_sources_ad",
    "mention_reactions_ai",
    "mention_reactions_ai_parody",
    "mention_reactions_ai_ambassador",
    "mention_reactions_au",
    "mention_reactions_ad",
    *mention_facets.TRIGGER_NAMES,
)


INSERT_TRIGGER_NAMES = tuple(name for name in TRIGGER_NAMES if "_ai" in name)
"""The triggers that follow inserts: a bulk load may drop them for its transaction and
list its new rows at the end instead (`fill_inserted`)."""


def insert_triggers_sql(conn: sqlite3.Connection) -> list[str]:
    """The stored text of the insert triggers, to create them again after a bulk load."""
    marks = ", ".join("?" for _ in INSERT_TRIGGER_NAMES)
    return [
        str(row[0])
        for row in conn.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks}) "
            "ORDER BY name",
            INSERT_TRIGGER_NAMES,
        )
    ]


_REACTED_TO = (
    "("
    + _PARODY_ON.format(link="in_reply_to", target="n.id")
    + " OR "
    + _PARODY_ON.format(link="quoted_id", target="n.id")
    + " OR EXISTS (SELECT 1 FROM mentions AS r "
    "WHERE r.in_reply_to = n.id AND r.role = 'ambassador'))"
)
"""A parody post answers or quotes the mention `n`, or an ambassador answers it: what every
mention with a reaction has (both `REACTIONS` conditions need one of them). Probes of the
three small partial indexes (m010), so a new mention nobody reacted to yet (most of them)
is passed over without its row being looked up again and tested twice."""


def add_authors(conn: sqlite3.Connection, pairs: Iterable[tuple[object, object]]) -> None:
    """List (author_key, author) pairs, in key order, each once."""
    conn.executemany(
        "INSERT OR IGNORE INTO mention_authors (author_key, author) VALUES (?, ?)", sorted(pairs)
    )


def add_days(conn: sqlite3.Connection, days: Iterable[str]) -> None:
    """List days (YYYY-MM-DD), in order, each once."""
    conn.executemany(
        "INSERT OR IGNORE INTO mention_days (day) VALUES (?)", ((d,) for d in sorted(days))
    )


def fill_inserted(
    conn: sqlite3.Connection, since: int, *, authors: bool = True, days: bool = True
) -> None:
    """List the authors and days (unless `authors` or `days` is false: listed already,
    `add_authors`, `add_days`), sources and reactions of the mentions with a rowid above
    `since` (inserted while the insert triggers were dropped), in set statements instead
    of trigger programs per row. An insert can only add reactions: to the new mentions
    themselves, to what new parody and ambassador posts answer or quote, and to what
    those answer. The facets of the new mentions are copied too (`mention_facets`)."""
    mention_facets.fill_inserted(conn, since)
    if authors:
        conn.execute(_ADD_AUTHORS.format(where="rowid > ?"), (since,))
    if days:
        conn.execute(_ADD_DAYS.format(where="rowid > ?"), (since,))
    # Each mention's own source, then the further ones, each in key order. As one UNION,
    # the set of both was made first, to drop repeats that `OR IGNORE` drops anyway:
    # 1.16-1.31 µs a mention against 0.89-0.93 for the two (bench/README.md).
    for rows in (_NEW_OWN_SOURCES, _NEW_FURTHER_SOURCES):
        conn.execute(_ADD_SOURCES.format(rows=f"{rows} ORDER BY 1, 2, 3"), {"since": since})
    # `+n.role`: read the new rows by rowid, not every parody and ambassador post ever
    # stored through the role index (a cost that grew with the store). Read once, for the
    # three lists that start from them (each its own pass over the new rows before: 2.7
    # -> 2.1 µs a mention, bench/README.md).
    reacting = (
        "SELECT n.in_reply_to AS answered, n.quoted_id AS quoted FROM mentions AS n "
        "WHERE n.rowid > :since AND +n.role IN ('parody', 'ambassador')"
    )
    touched = (
        f"SELECT n.id FROM mentions AS n WHERE n.rowid > :since AND {_REACTED_TO} "
        "UNION SELECT answered FROM reacting UNION SELECT quoted FROM reacting "
        "UNION SELECT g.in_reply_to FROM reacting JOIN mentions AS g "
        "ON g.id IN (reacting.answered, reacting.quoted)"
    )
    # Both kinds in one statement over one list of candidates, worked out once.
    kinds = " UNION ALL ".join(
        f"SELECT '{kind}', m.created_at, m.id FROM mentions AS m "
        f"WHERE m.id IN touched AND {condition}"
        for kind, condition in REACTIONS.items()
    )
    conn.execute(
        f"WITH reacting AS MATERIALIZED ({reacting}), touched(id) AS MATERIALIZED ({touched}) "
        "INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id) "
        f"{kinds} ORDER BY 1, 2, 3",
        {"since": since},
    )


def create_sources(db: Database) -> None:
    """Create `mention_sources`, fill it from every stored mention, and its triggers."""
    db.execute(SOURCES_TABLE_SQL)
    # One sorted statement: the UNION's temporary b-tree hands rows over in key order, so
    # the table is written front to back (1M mentions: seconds, not a random insert each).
    db.execute(
        "INSERT OR IGNORE INTO mention_sources (source, created_at, mention_id) "
        "SELECT source, created_at, id FROM mentions UNION "
        "SELECT j.value, m.created_at, m.id FROM mentions AS m, json_each(CASE WHEN "
        "json_valid(m.sources) THEN m.sources ELSE '[]' END) AS j WHERE j.type = 'text' "
        "ORDER BY 1, 2, 3"
    )
    run_script(db, SOURCE_TRIGGERS_SQL)


def create_authors(db: Database) -> None:
    """Create `mention_authors`, fill it from every stored mention, and its triggers."""
    db.execute(AUTHORS_TABLE_SQL)
    db.execute(_ADD_AUTHORS.format(where="1"))
    # Which keys share a name: one account's count of posts then needs no row of them.
    db.execute(
        "CREATE INDEX IF NOT EXISTS mention_authors_name "
        "ON mention_authors(author COLLATE NOCASE, author_key)"
    )
    run_script(db, AUTHOR_TRIGGERS_SQL)


def create_days(db: Database) -> None:
    """Create `mention_days`, fill it from every stored mention, and its triggers."""
    db.execute(DAYS_TABLE_SQL)
    db.execute(_ADD_DAYS.format(where="1"))
    run_script(db, DAY_TRIGGERS_SQL)


def create_reactions(db: Database) -> None:
    """Create `mention_reactions`, fill it from every stored mention, and its triggers."""
    db.execute(REACTIONS_TABLE_SQL)
    # Only mentions that a parody or ambassador post answers or quotes can have reactions:
    # a hundred thousand candidates in a million, each tested by index probes.
    candidates = (
        "SELECT in_reply_to FROM mentions WHERE role IN ('parody', 'ambassador') "
        "UNION SELECT quoted_id FROM mentions WHERE role = 'parody'"
    )
    for kind, condition in REACTIONS.items():
        db.execute(
            "INSERT OR IGNORE INTO mention_reactions (kind, created_at, mention_id) "
            f"SELECT '{kind}', m.created_at, m.id FROM mentions AS m "
            f"WHERE m.id IN ({candidates}) AND {condition} ORDER BY 2, 3"
        )
    db.execute(
        "CREATE INDEX IF NOT EXISTS mention_reactions_mention "
        "ON mention_reactions(mention_id, kind)"
    )
    run_script(db, REACTION_TRIGGERS_SQL)


def relist_reactions(db: Database) -> None:
    """Make `mention_reactions` and its triggers those of this version (a changed
    condition): dropped and created again, every mention listed anew."""
    for name in TRIGGER_NAMES:
        if name.startswith("mention_reactions_"):
            db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("DROP TABLE IF EXISTS mention_reactions")
    create_reactions(db)


def create_facets(db: Database) -> None:
    """Create `mention_facets`, fill it from every stored mention, and its triggers."""
    db.execute(mention_facets.TABLE_SQL)
    mention_facets.fill_inserted(db.conn, 0)
    run_script(db, mention_facets.TRIGGERS_SQL)


def run_script(db: Database, script: str) -> None:
    """Create each trigger of `script` (each ending in a line `END;`) in turn."""
    # executescript() would COMMIT the migration's open transaction first: run each
    # trigger on its own instead, so the migration stays one transaction.
    for statement in script.split("\nEND;"):
        if statement.strip():
            db.execute(statement + "\nEND;")
