"""The posts of author keys, read through the name index that `author:` walks.

A store keeps one per-author index, `mentions_author_created` (`cache.db.author_index`:
day, name COLLATE NOCASE, time): a second one keyed by `author_key` made every new mention
land at a random place in one more large index. Accounts are asked for by key, so their
posts are read under each name the key has posted under (`mention_authors`, nearly always
one), with the key tested on each row. The index is walked day by day, newest first, and
a page stops after its rows; a name that several keys share (a byline in several feeds)
is read until the key's rows are found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cache.db import author_index
from cache.db.store import Store


@dataclass(frozen=True)
class AuthorPosts:
    """The posts of some author keys: the keys and every name they posted under, read
    once (`posts_of`) for both the condition and the count."""

    keys: tuple[str, ...]
    names: tuple[str, ...]
    """Every name the keys posted under, once per NOCASE spelling."""

    def condition(self, alias: str = "m") -> tuple[str, list[str]]:
        """The condition on `mentions AS alias` that selects these posts, and its values.

        Names are compared as `author:` compares them (COLLATE NOCASE, the index's
        collation), each listed once, so one name is one index range a day, in time order.
        """
        if not self.names:
            return "0", []
        return (
            f"{author_index.by_names(alias, _marks(self.names))} "
            f"AND {alias}.author_key IN ({_marks(self.keys)})",
            [*self.names, *self.keys],
        )

    def count(self, store: Store) -> int:
        """How many posts there are. When no other key ever posted under these names, the
        count reads the name index alone, without a row (0.1 ms, not 3 ms, for 1,600
        posts)."""
        if not self.names:
            return 0
        names = list(self.names)
        sharing = {
            str(row[0])
            for row in store.conn.execute(
                "SELECT DISTINCT author_key FROM mention_authors "
                f"WHERE author COLLATE NOCASE IN ({_marks(names)})",
                names,
            )
        }
        condition, values = (
            (author_index.by_names("mentions", _marks(names)), names)
            if sharing <= set(self.keys)
            else self.condition(alias="mentions")
        )
        return int(
            store.conn.execute(
                f"SELECT count(*) FROM mentions WHERE {condition}", values
            ).fetchone()[0]
        )


def posts_of(store: Store, keys: Sequence[str]) -> AuthorPosts:
    """The posts of `keys`, with the names they posted under read from `mention_authors`."""
    if not keys:
        return AuthorPosts((), ())
    names = tuple(
        str(row[0])
        for row in store.conn.execute(
            "SELECT author FROM mention_authors "
            f"WHERE author_key IN ({_marks(keys)}) GROUP BY author COLLATE NOCASE",
            list(keys),
        )
    )
    return AuthorPosts(tuple(keys), names)


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)
