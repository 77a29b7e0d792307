"""Text folding for matching German and English alike, with a way back to the original.

`fold` lower-cases and writes umlauts and ß the way people type them without a German
keyboard (`Überwachung` -> `ueberwachung`, `Straße` -> `strasse`), so a vocabulary term
matches both spellings. Hashtags written in CamelCase are split into words
(`#PrimeDayStrike` -> `prime day strike`) because nobody writes a space in a hashtag.
"""

from __future__ import annotations

import re

_FOLD = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "ẞ": "ss",
        "á": "a",
        "à": "a",
        "â": "a",
        "é": "e",
        "è": "e",
        "ê": "e",
        "í": "i",
        "ó": "o",
        "ô": "o",
        "ú": "u",
        "ñ": "n",
        "ç": "c",
        "’": "'",
        "\u00ad": "",  # a soft hyphen splits words invisibly
    }
)


_FOLD_PAIRS = tuple((chr(key), value) for key, value in _FOLD.items())
"""The table as (character, replacement): none of the replacements holds a character of
the table, so replacing one character after the other gives what `translate` gives."""
_HASHTAG = re.compile(r"#(\w{3,})")
_CAMEL_PART = re.compile(r"[A-ZÄÖÜ]?[a-zäöüß]+|[A-ZÄÖÜ]+(?![a-zäöüß])|\d+")


def fold(text: str) -> str:
    """Lower-case with umlauts as ae/oe/ue, ß as ss and common accents dropped."""
    lowered = text.lower()
    if lowered.isascii():  # nothing to translate: every key of the table is non-ASCII
        return lowered
    # `translate` looks up every character of the text (and raises a KeyError inside for
    # each one not in the table); a few substring searches in C cost a fraction of that.
    for char, replacement in _FOLD_PAIRS:
        if char in lowered:
            lowered = lowered.replace(char, replacement)
    return lowered


class Folded:
    """A folded text plus what is needed to show a match in the original's own words."""

    __slots__ = ("_odd", "body_length", "hashtags", "original", "text")

    def __init__(
        self, original: str, text: str, body_length: int, hashtags: tuple[tuple[int, int, str], ...]
    ) -> None:
        self.original = original
        self.text = text
        """`fold(original)`, then one line per CamelCase hashtag split into words."""
        self.body_length = body_length
        """Length of the folded original; beyond it come the split hashtags."""
        self.hashtags = hashtags
        """(start, end, hashtag as written) of each split hashtag line in `text`."""
        self._odd: tuple[list[tuple[int, int]], int] | None = None

    def surface(self, start: int, end: int) -> str:
        """The original text behind the folded span [start, end)."""
        if start >= self.body_length:
            for tag_start, tag_end, tag in self.hashtags:
                if tag_start <= start < tag_end:
                    return tag
            return self.text[start:end]
        first, last = start, min(end, self.body_length) - 1
        if self.body_length != len(self.original):
            # Folding changed lengths (ä -> ae): map back, computed only when shown.
            if self._odd is None:
                self._odd = _odd_characters(self.original)
            odd, length = self._odd
            if length != self.body_length:
                return self.text[start:end]  # a character folded unlike on its own
            first, last = _original_index(odd, first, length), _original_index(odd, last, length)
        if first > 0 and self.original[first - 1] == "#":
            first -= 1  # a hashtag is shown with its sign, as written
        return self.original[first : last + 1]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WIDTH_LIMIT = 50_000
_widths: dict[str, int] = {}
"""Characters whose fold is not one character long -> that length (0 for a soft hyphen)."""
_narrow: set[str] = set()
"""Characters seen to fold to exactly one character."""


def _odd_characters(original: str) -> tuple[list[tuple[int, int]], int]:
    """(index, folded width) of each character of `original` that does not fold to one
    character, and the length of `original` folded character by character.

    Together they give, for each character of `fold(original)` folded one by one, its
    index in `original` (`_original_index`): German text with a few umlauts costs a few
    entries instead of a list as long as the text."""
    odd: list[str] = []
    # An ASCII character always folds to one character: only the others are looked at.
    for ch in set(_NON_ASCII.findall(original)) - _narrow:
        width = _widths.get(ch)
        if width is None:
            width = len(fold(ch))
            if len(_widths) + len(_narrow) < _WIDTH_LIMIT:
                if width == 1:
                    _narrow.add(ch)
                else:
                    _widths[ch] = width
        if width != 1:
            odd.append(ch)
    if not odd:
        return [], len(original)
    found: list[tuple[int, int]] = []
    for ch in odd:
        width = _widths.get(ch)
        if width is None:
            width = len(fold(ch))
        at = original.find(ch)
        while at >= 0:
            found.append((at, width))
            at = original.find(ch, at + 1)
    found.sort()
    length = len(original) + sum(width - 1 for _, width in found)
    return found, length


def _original_index(odd: list[tuple[int, int]], position: int, length: int) -> int:
    """The index in the original of the character at `position` of its one-by-one fold
    (`length` long; a negative position counts from the end, as a list index would)."""
    if position < 0:
        position += length
    shift = 0
    for at, width in odd:
        start = at + shift  # where this character's fold begins
        if position < start:
            break
        if position < start + width:
            return at
        shift += width - 1
    return position - shift


def original_places(text: str) -> tuple[list[tuple[int, int]], int]:
    """(index, folded width) of each character of `text` that does not fold to one
    character, and the length of `text` folded character by character (see `Folded`)."""
    if text.isascii():
        return [], len(text)
    return _odd_characters(text)


def widths_kept(text: str) -> bool:
    """Whether every character of `text` folds to exactly one character."""
    return not original_places(text)[0]


original_index = _original_index


def fold_for_matching(text: str) -> Folded:
    """Fold `text` and add its CamelCase hashtags as separate words."""
    return Folded(text, *fold_lines(text))


def fold_lines(text: str) -> tuple[str, int, tuple[tuple[int, int, str], ...]]:
    """The parts of `fold_for_matching(text)`: the folded text with one line per split
    CamelCase hashtag, the length of the folded original, and the hashtag lines."""
    folded = fold(text)
    if "#" not in text:
        return folded, len(folded), ()
    body_length = len(folded)
    lines = [folded]
    hashtags: list[tuple[int, int, str]] = []
    position = body_length
    for match in _HASHTAG.finditer(text):
        parts = _CAMEL_PART.findall(match.group(1))
        if len(parts) > 1:
            line = fold(" ".join(parts))
            start = position + 1  # after the newline
            hashtags.append((start, start + len(line), match.group(0)))
            lines.append(line)
            position = start + len(line)
    return "\n".join(lines), body_length, tuple(hashtags)
