"""The other German spellings of a searched word: `Löhne` is also written `Loehne`,
`Straße` also `Strasse`, and a search for either should find both.

The full-text index (`cache.db.fts`, unicode61 with remove_diacritics 2) folds ä to a,
so `Löhne` and `Lohne` are one word there, but `Loehne` is another and `Straße` and
`Strasse` are two. Topics fold alike (`filters.normalize`); a free word or phrase is
searched in each of its `spellings` instead (an OR of full-text terms, still answered by
the index). At most three per word or phrase: as typed, every umlaut and ß written out
(ae/oe/ue/ss), and every such pair written as the umlaut. Never a mix, so a long
phrase cannot grow into an OR of every combination.
"""

from __future__ import annotations

import re
import unicodedata

_WRITTEN_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"\w+")
_PAIR = re.compile(r"(?:^|(?<=[b-df-hj-npr-tv-z]))(?:ae|oe|ue)|ss")
"""A written-out umlaut: ae/oe/ue at a word's start or after a consonant, and ss. After a
vowel it is a diphthong's end (`neuen`, `Feuer`, `Treue`), not an ü; after q (`Quelle`,
`queue`) u is no vowel of its own (q is left out of the consonants)."""
_UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
SHORTEST_PAIRED_WORD = 5
"""A shorter word keeps its ae/oe/ue: the index folds the umlaut away, so `due` would
also find `du`, `does` `dos` and `toe` `to` (ss always turns: ß is a letter of its own
in the index, so `ß` finds nothing but ß spellings)."""


def spellings(text: str) -> tuple[str, ...]:
    """`text` and its other spellings (lower case), without repeats; `text` first."""
    lowered = unicodedata.normalize("NFC", text).lower()
    written_out = lowered.translate(_WRITTEN_OUT)
    umlauts = _WORD.sub(lambda word: _with_umlauts(word.group()), written_out)
    found = dict.fromkeys((text, lowered, written_out, umlauts))
    del found[lowered]  # the index ignores case: `text` searches the same
    return (text, *(s for s in found if s != text))


def _with_umlauts(word: str) -> str:
    if len(word) < SHORTEST_PAIRED_WORD:
        return word.replace("ss", "ß")
    return _PAIR.sub(lambda pair: _UMLAUT[pair.group()], word)
