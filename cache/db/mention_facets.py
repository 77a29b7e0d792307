"""`mention_facets`: each mention's language, role and platform, found by its rowid.

A search read from its words' match list (`cache.read.rare_words`) looks each match up
in `mentions` by rowid to test its other conditions. A stored mention is about 2 KB (its
raw payload), so each look-up reads a page of its own from the file: 2.4 µs a match at
a million mentions, 60 ms for `Verdi lang:en`'s 25,653 matches, of which none is
English. This table holds only the three columns `lang:`, `role:` and `platform:` test,
about 20 bytes a mention (20 MB at a million, which stays in the file cache): the matches
are tested here first, 0.35-0.45 µs each, and only those that pass are looked up.

Kept by SQL triggers on `mentions`, as the tables of `cache.db.mention_lists` are: every
write path keeps it right without knowing of it, and a bulk load fills it for its new rows
at the end of its transaction (`fill_inserted`). Migration m018 creates and fills it
(`cache.db.mention_lists.create_facets`). The rowids of stored mentions never
change (the full-text index, whose external content is `mentions`, relies on it too).
"""

from __future__ import annotations

import sqlite3

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mention_facets (
    mention_rowid INTEGER PRIMARY KEY,
    lang TEXT NOT NULL,
    role TEXT NOT NULL,
    platform TEXT NOT NULL
)"""

_WRITE_NEW = (
    "INSERT OR REPLACE INTO mention_facets (mention_rowid, lang, role, platform) "
    "VALUES (new.rowid, new.lang, new.role, new.platform);"
)

TRIGGERS_SQL = f"""
CREATE TRIGGER IF NOT EXISTS mention_facets_ai AFTER INSERT ON mentions BEGIN
  {_WRITE_NEW}
END;
CREATE TRIGGER IF NOT EXISTS mention_facets_au AFTER UPDATE OF lang, role, platform ON mentions
WHEN old.lang IS NOT new.lang OR old.role IS NOT new.role OR old.platform IS NOT new.platform
BEGIN
  {_WRITE_NEW}
END;
CREATE TRIGGER IF NOT EXISTS mention_facets_ad AFTER DELETE ON mentions BEGIN
  DELETE FROM mention_facets WHERE mention_rowid = old.rowid;
END;
"""
"""`INSERT OR REPLACE` in both writing triggers: a bulk load lists its new rows at the end
(`fill_inserted`), and a row it changed before then has its entry already."""

TRIGGER_NAMES = ("mention_facets_ai", "mention_facets_au", "mention_facets_ad")

_FILL_SQL = (
    "INSERT OR REPLACE INTO mention_facets (mention_rowid, lang, role, platform) "
    "SELECT rowid, lang, role, platform FROM mentions WHERE rowid > ? ORDER BY rowid"
)


def fill_inserted(conn: sqlite3.Connection, since: int) -> None:
    """Copy the facets of the mentions with a rowid above `since` (inserted while the
    insert trigger was dropped): one statement that appends to the table's end."""
    conn.execute(_FILL_SQL, (since,))
