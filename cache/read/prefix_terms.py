"""Prefix searches (`Streik*`) read as the indexed words they cover.

FTS5 answers a prefix term (`"streik"*`) by merging the match lists of every indexed word
that starts so into one list over the whole index, each time a statement asks, and a
free-text page asks twice per time window (`cache.read.windowed`): about 15 ms for
`Streik*` at a million mentions, where the word `Streik` alone reads only the window's
stretch of its list (0.2 ms). So before a page or a count runs, each prefix term of its
full-text expressions becomes the words it covers, `("streik" OR "streiks" OR …)`, looked
up in the index's own vocabulary (FTS5's `fts5vocab`, a few ms for a quarter of a million
matches). The rows are the same: those words are exactly what the prefix matches in the
index at that moment.

Left to FTS5: a prefix that is not plain ASCII letters and digits (the tokenizer folds
others in ways this module does not repeat), one that no word starts with (FTS5 settles
it at once), and one covering more than `MOST_TERMS` words (a long OR would cost more).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from cache.db.store import Store
from cache.read.selection import FtsQuery, Selection, fts_phrase

MOST_TERMS = 64
"""A prefix covering more indexed words than this stays a prefix term."""

_QUOTED = re.compile(r'"((?:[^"]|"")*)"(\*?)')
"""One quoted term of an `FtsQuery` and its star, left to right (`""` is a quote inside)."""

VOCABULARY = "temp.mentions_fts_words"
"""The index's words, one row each: an `fts5vocab` table in the connection's own temporary
schema, so a read-only store needs no change."""


def expanded(store: Store, selection: Selection) -> Selection:
    """`selection` with each prefix term it may name as the words it covers."""
    expressions = [*selection.params, *selection.needs_text]
    if not any(isinstance(e, FtsQuery) and has_prefix(e) for e in expressions):
        return selection
    covered: dict[str, str] = {}

    def rewrite(value: Any) -> Any:
        if not isinstance(value, FtsQuery):
            return value
        return FtsQuery(_QUOTED.sub(lambda term: _words_of(store, term, covered), value))

    return replace(
        selection,
        params=tuple(rewrite(p) for p in selection.params),
        needs_text=tuple(rewrite(e) for e in selection.needs_text),
    )


def has_prefix(expression: str) -> bool:
    """Whether an FTS5 expression the compiler wrote holds a prefix term."""
    return any(term.group(2) for term in _QUOTED.finditer(expression))


def _words_of(store: Store, term: re.Match[str], covered: dict[str, str]) -> str:
    text = term.group(1)
    if not term.group(2) or not (text.isascii() and text.isalnum()):
        return term.group(0)
    if text not in covered:
        words = words_starting(store, text.lower())
        fits = 0 < len(words) <= MOST_TERMS
        covered[text] = "(" + " OR ".join(map(fts_phrase, words)) + ")" if fits else term.group(0)
    return covered[text]


def words_starting(store: Store, folded: str) -> list[str]:
    """The indexed words that start with `folded` (ASCII, lower case), up to one more than
    `MOST_TERMS`, in the index's order."""
    store.conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} "
        "USING fts5vocab(main, 'mentions_fts', 'row')"
    )
    # ASCII only: the next string in byte order after every word with this prefix.
    above = folded[:-1] + chr(ord(folded[-1]) + 1)
    return [
        str(row[0])
        for row in store.conn.execute(
            f"SELECT term FROM {VOCABULARY} WHERE term >= ? AND term < ? LIMIT ?",
            (folded, above, MOST_TERMS + 1),
        )
    ]
