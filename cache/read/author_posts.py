"""The posts of author keys, read through the name index that `author:` walks.

A store keeps one per-author index, `mentions_author_created (author COLLATE NOCASE,
created_at)`: a second one keyed by `author_key` made every new mention land at a random
place in one more large index. Accounts are asked for by key, so their posts are read
under each name the key has posted under (`mention_authors`, nearly always one), with the
key tested on each row. With one name the index is walked newest first and a page stops
after its rows; a name that several keys share (a byline in several feeds) is read until
the key's rows are found.
"""

from __future__ import annotations

from collections.abc import Sequence

from cache.db.store import Store


def posts_of(store: Store, keys: Sequence[str], alias: str = "m") -> tuple[str, list[str]]:
    """The condition on `mentions AS alias` that selects the posts of `keys`, and its values.

    Names are compared as `author:` compares them (COLLATE NOCASE, the index's collation),
    each listed once, so one name is one index range in created_at order.
    """
    names = _names(store, keys)
    if not names:
        return "0", []
    return (
        f"{alias}.author COLLATE NOCASE IN ({_marks(names)}) "
        f"AND {alias}.author_key IN ({_marks(keys)})",
        [*names, *keys],
    )


def count_posts(store: Store, keys: Sequence[str]) -> int:
    """How many posts `keys` have. When no other key ever posted under their names, the
    count reads the name index alone, without a row (0.1 ms, not 3 ms, for 1,600 posts)."""
    names = _names(store, keys)
    if not names:
        return 0
    sharing = {
        str(row[0])
        for row in store.conn.execute(
            "SELECT DISTINCT author_key FROM mention_authors "
            f"WHERE author COLLATE NOCASE IN ({_marks(names)})",
            names,
        )
    }
    condition, values = (
        (f"author COLLATE NOCASE IN ({_marks(names)})", names)
        if sharing <= set(keys)
        else posts_of(store, keys, alias="mentions")
    )
    return int(
        store.conn.execute(f"SELECT count(*) FROM mentions WHERE {condition}", values).fetchone()[0]
    )


def _names(store: Store, keys: Sequence[str]) -> list[str]:
    """Every name `keys` posted under, once per NOCASE spelling."""
    if not keys:
        return []
    return [
        str(row[0])
        for row in store.conn.execute(
            "SELECT author FROM mention_authors "
            f"WHERE author_key IN ({_marks(keys)}) GROUP BY author COLLATE NOCASE",
            list(keys),
        )
    ]


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)
