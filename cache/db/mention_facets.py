"""`mention_facets`: each mention's language, role, platform, default topics and time, found
by its rowid.

A search read from its words' match list (`cache.read.rare_words`) looks each match up
in `mentions` by rowid to test its other conditions. A stored mention is about 2 KB (its
raw payload), so each look-up reads a page of its own from the file: 2.4 µs a match at
a million mentions, 60 ms for `Verdi lang:en`'s 25,653 matches, of which none is
English. This table holds only what `lang:`, `role:`, `platform:` and `topic:`/`own:` of
the default topics test, and the time the feed is ordered by as a number, about 21 bytes
a mention (21 MB at a million, which stays in the file cache): the matches are tested
here first, 0.4-0.5 µs each, and only those that pass are looked up; of a page of a
search whose every condition is tested here, only the newest (`cache.read.rare_words`).

Topics are bits (`TOPIC_BITS`): bit i when the mention has topic i at all (a row of
`mention_topics`), bit `INHERITED_SHIFT` + i when it has it from its thread only
(`inherited`). A bit mask is tested in a few nanoseconds; the topics as text made the
table half again as large and each probe a third dearer (bench/README.md). Only the
default topics have bits: a topic a config adds is tested on `mention_topics` as before.

Kept by SQL triggers on `mentions`, as the tables of `cache.db.mention_lists` are: every
write path keeps it right without knowing of it, and a bulk load fills it for its new rows
at the end of its transaction (`fill_inserted`). The topics come from the mention's own
`topics` and `topics_from_thread` lists, which every writer of `mention_topics` keeps
equal to its rows (`tests/test_mention_lists.py` checks it after each writer): a trigger
on `mention_topics` would cost an import 5-10 µs a topic row. Migration m019 creates and
fills it (`cache.db.mention_lists.create_facets`). The rowids of stored mentions never
change (the full-text index, whose external content is `mentions`, relies on it too).
"""

from __future__ import annotations

import re
import sqlite3

TOPIC_BITS = ("working_conditions", "pay", "strikes", "unions", "taxes")
"""The topics with a bit of their own, in bit order: the default topics. The store's
format, never reordered (a new default topic may be appended, with a migration)."""

INHERITED_SHIFT = 16
"""Where the bits of the topics a mention has from its thread only begin."""

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_facets (
    mention_rowid INTEGER PRIMARY KEY,
    lang TEXT NOT NULL,
    role_code NOT NULL,
    platform TEXT NOT NULL,
    topics INTEGER NOT NULL,
    created_key INTEGER
)"""
"""`created_key`: the time as the number YYYYMMDDHHMMSS when `created_at` has the form
every writer stores (`sources.model.text.format_timestamp`), else NULL. For that form
the numbers and the texts sort alike, so the newest matches are known without reading
their posts. As text (20 bytes) in this table, or in a table of its own by rowid, it cost
`Verdi lang:en` 10 -> 14.5 ms or each match that passed a look-up of its own (a 3,237
match page 14 -> 18 ms); as a number (6 bytes) 10 -> 11.5 (bench/README.md)."""

ROLE_CODES = {"public": 0, "ambassador": 1, "parody": 2, "official": 3, "press": 4}
"""`role_code`: the role as a small number (`public`, most posts, takes no byte at all), or
the role's own text if another tool wrote one outside these. Every role a query names is
one of these (`filters.roles.ROLES`). As text the roles made the table a fifth wider, and
each test of a match that much dearer (bench/README.md). The store's format: never
renumbered."""

CREATED_FORM = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"
"""The stored form of a time, as a GLOB pattern (20 characters, no wildcard)."""

_CREATED_KEY_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")


def created_key(created_at: str) -> int | None:
    """`created_key` of a time as SQLite computes it (`_created_key_sql`)."""
    match = _CREATED_KEY_RE.fullmatch(created_at)
    return int("".join(match.groups())) if match and created_at.isascii() else None


def _created_key_sql(column: str) -> str:
    # Arithmetic on the digit fields: 0.6 µs a mention where joining them as text and
    # casting it cost 0.8 (the import computes it for each new mention).
    key = f"substr({column}, 1, 4)"
    for start, size in _DIGITS[1:]:
        key = f"({key}) * {10**size} + substr({column}, {start}, {size})"
    return f"CASE WHEN {column} GLOB '{CREATED_FORM}' THEN {key} END"


_DIGITS = ((1, 4), (6, 2), (9, 2), (12, 2), (15, 2), (18, 2))
"""(start, length) of the year, month, day, hour, minute and second in the stored form."""


def _listed(column: str, shift: int) -> str:
    """The bits of the default topics in the JSON list `column`, each tested as its quoted
    name: exact in a list of strings without a backslash (an escape could spell a name
    otherwise, and is read by `json_each`)."""
    tests = " | ".join(
        f"((instr({column}, '\"{topic}\"') > 0) << {shift + bit})"
        for bit, topic in enumerate(TOPIC_BITS)
    )
    cases = " ".join(
        f"WHEN '{topic}' THEN {1 << (shift + bit)}" for bit, topic in enumerate(TOPIC_BITS)
    )
    exact = (
        f"(SELECT coalesce(sum(DISTINCT CASE value {cases} ELSE 0 END), 0) FROM json_each("
        f"CASE WHEN json_valid({column}) THEN {column} ELSE '[]' END))"
    )
    return (
        f"CASE WHEN {column} = '[]' THEN 0 WHEN instr({column}, '\\') THEN {exact} ELSE {tests} END"
    )


def topics_sql(row: str) -> str:
    """The `topics` bits of the mention `row` (`new`, or an alias of `mentions`)."""
    thread = _listed(f"{row}.topics_from_thread", INHERITED_SHIFT)
    return f"({_listed(f'{row}.topics', 0)}) | ({thread})"


def _values(row: str) -> str:
    created = _created_key_sql(f"{row}.created_at")
    cases = " ".join(f"WHEN '{role}' THEN {code}" for role, code in ROLE_CODES.items())
    role = f"CASE {row}.role {cases} ELSE {row}.role END"
    return f"{row}.lang, {role}, {row}.platform, {topics_sql(row)}, {created}"


_COLUMNS = "mention_rowid, lang, role_code, platform, topics, created_key"

TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS mention_facets_ai AFTER INSERT ON mentions BEGIN
  INSERT OR REPLACE INTO mention_facets ({_COLUMNS}) VALUES (new.rowid, {_values("new")});
END;
CREATE TRIGGER IF NOT EXISTS mention_facets_au
AFTER UPDATE OF lang, role, platform, topics, topics_from_thread, created_at ON mentions
WHEN old.lang IS NOT new.lang OR old.role IS NOT new.role OR old.platform IS NOT new.platform
  OR old.topics IS NOT new.topics OR old.topics_from_thread IS NOT new.topics_from_thread
  OR old.created_at IS NOT new.created_at
BEGIN
  UPDATE mention_facets SET (lang, role_code, platform, topics, created_key) =
  ({_values("new")})
  WHERE mention_rowid = new.rowid;
END;
CREATE TRIGGER IF NOT EXISTS mention_facets_ad AFTER DELETE ON mentions BEGIN
  DELETE FROM mention_facets WHERE mention_rowid = old.rowid;
END;
"""
"""The update trigger changes an entry and never makes one: a bulk load lists its new
rows at the end (`fill_inserted`), and a new row it changed before then (a reply given
its thread's topics) is listed once, with its last values."""

TRIGGER_NAMES = ("mention_facets_ai", "mention_facets_au", "mention_facets_ad")

_FILL_SQL = (
    f"INSERT OR REPLACE INTO mention_facets ({_COLUMNS}) "
    f"SELECT m.rowid, {_values('m')} FROM mentions AS m WHERE m.rowid > ? ORDER BY m.rowid"
)


def fill_inserted(conn: sqlite3.Connection, since: int) -> None:
    """Copy the facets of the mentions with a rowid above `since` (inserted while the
    insert trigger was dropped): one statement that appends to the table's end."""
    conn.execute(_FILL_SQL, (since,))


def role_codes(roles: tuple[str, ...]) -> tuple[int, ...] | None:
    """The `role_code` of each role, or None when one has no code."""
    if not set(roles) <= set(ROLE_CODES):
        return None
    return tuple(ROLE_CODES[role] for role in roles)


def topic_mask(topics: tuple[str, ...]) -> int | None:
    """The bits of `topics` (any of them), or None when one has no bit."""
    if not set(topics) <= set(TOPIC_BITS):
        return None
    return sum(1 << TOPIC_BITS.index(topic) for topic in set(topics))


TOPIC_SQL = "(f.topics & ?) != 0"
"""A mention with one of the topics of a mask (`topic_mask`), over `mention_facets AS f`."""

OWN_TOPIC_SQL = f"(f.topics & ~(f.topics >> {INHERITED_SHIFT}) & ?) != 0"
"""The same for topics the mention's own words name (`own:`), not only its thread."""
