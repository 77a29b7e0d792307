"""X posts stored without their author take it from the account the store knows.

A page without `includes.users` (X's default payload, a bare tweet per line) names a
post's author only by `author_id`: the post is stored as `unknown`, with an `i/web` link,
under the key `x:<author_id>`. When the store holds that account, from another file, an
earlier poll or one that comes later, the post is its author's: handle, name, link and
role come from the account, whichever of the two was stored first.

Set-based, once per transaction (`fill`), and only through the partial index of the
posts still `unknown`: a store without such posts pays a probe of an empty index.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from sources.x.twitter_v2 import UNKNOWN_AUTHOR

INDEX = (
    "CREATE INDEX IF NOT EXISTS mentions_unknown_author ON mentions(author_key) "
    f"WHERE author = '{UNKNOWN_AUTHOR}'"
)

_ANY_UNKNOWN = (
    "SELECT 1 FROM mentions INDEXED BY mentions_unknown_author "
    f"WHERE author = '{UNKNOWN_AUTHOR}' LIMIT 1"
)

_FILL = f"""
UPDATE mentions SET author = a.handle, author_name = a.display_name,
    url = 'https://x.com/' || a.handle || '/status/' || substr(mentions.id, 3),
    role = a.role, updated_at = ?1
FROM accounts AS a
WHERE mentions.author = '{UNKNOWN_AUTHOR}' AND {{keys}}
    AND a.key = mentions.author_key AND a.handle != '{UNKNOWN_AUTHOR}'
RETURNING mentions.id
"""
# The link as `sources.x.twitter_v2.tweet_fields` writes it for a post whose author it
# knows. Only X keys are given (no condition on `platform`: SQLite would then take the
# index of each platform's posts, a scan of them all, instead of the partial one).
_FILL_KEYS = _FILL.format(keys="mentions.author_key IN (SELECT value FROM json_each(?2))")
_FILL_ALL = _FILL.format(keys="mentions.author_key >= 'x:' AND mentions.author_key < 'x;'")


def fill(conn: sqlite3.Connection, keys: Iterable[str], now: str) -> list[str]:
    """Give the posts of these author keys still stored as `unknown` their stored
    account's author; returns their ids."""
    wanted = sorted({key for key in keys if key.startswith("x:")})
    if not wanted or conn.execute(_ANY_UNKNOWN).fetchone() is None:
        return []  # a store without such posts: one probe of an empty index
    return [str(i) for (i,) in conn.execute(_FILL_KEYS, (now, json.dumps(wanted))).fetchall()]


def fill_all(conn: sqlite3.Connection, now: str) -> None:
    """`fill` for every author key (a store written before posts took known authors)."""
    conn.execute(_FILL_ALL, (now,)).fetchall()
