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
_HASHTAG = re.compile(r"#(\w{3,})")
_CAMEL_PART = re.compile(r"[A-ZÄÖÜ]?[a-zäöüß]+|[A-ZÄÖÜ]+(?![a-zäöüß])|\d+")


def fold(text: str) -> str:
    """Lower-case with umlauts as ae/oe/ue, ß as ss and common accents dropped."""
    return text.lower().translate(_FOLD)


class Folded:
    """A folded text plus what is needed to show a match in the original's own words."""

    __slots__ = ("_offsets", "body_length", "hashtags", "original", "text")

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
        self._offsets: list[int] | None = None

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
            if self._offsets is None:
                self._offsets = _original_offsets(self.original)
            if len(self._offsets) != self.body_length:
                return self.text[start:end]  # a character folded unlike on its own
            first, last = self._offsets[first], self._offsets[last]
        if first > 0 and self.original[first - 1] == "#":
            first -= 1  # a hashtag is shown with its sign, as written
        return self.original[first : last + 1]


_WIDTH_LIMIT = 50_000
_widths: dict[str, int] = {}
"""Characters whose fold is not one character long -> that length (0 for a soft hyphen)."""
_narrow: set[str] = set()
"""Characters seen to fold to exactly one character."""


def _original_offsets(original: str) -> list[int]:
    """For each character of `fold(original)` folded one by one, its index in `original`.

    The same list as `[i for i, ch in enumerate(original) for _ in fold(ch)]`, built from
    runs of characters that fold to one character each, so German text with a few
    umlauts costs a few `range`s instead of one `fold` call per character.
    """
    odd: list[str] = []
    for ch in set(original) - _narrow:
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
        return list(range(len(original)))
    offsets: list[int] = []
    done = 0
    for match in re.finditer("|".join(map(re.escape, odd)), original):
        at = match.start()
        offsets.extend(range(done, at))
        offsets.extend([at] * _widths.get(original[at], len(fold(original[at]))))
        done = at + 1
    offsets.extend(range(done, len(original)))
    return offsets


def fold_for_matching(text: str) -> Folded:
    """Fold `text` and add its CamelCase hashtags as separate words."""
    folded = fold(text)
    body_length = len(folded)
    lines = [folded]
    hashtags: list[tuple[int, int, str]] = []
    position = body_length
    if "#" in text:
        for match in _HASHTAG.finditer(text):
            parts = _CAMEL_PART.findall(match.group(1))
            if len(parts) > 1:
                line = fold(" ".join(parts))
                start = position + 1  # after the newline
                hashtags.append((start, start + len(line), match.group(0)))
                lines.append(line)
                position = start + len(line)
    return Folded(text, "\n".join(lines), body_length, tuple(hashtags))
