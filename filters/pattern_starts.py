"""Regular expressions tried only where a match can start: at its literal openings.

Most patterns of the topic matcher open with `(?<!\\w)`, behind which the regular-expression
engine finds no fixed text to skip ahead to: a search tries every place of the text. But
the opening of every match is known from the pattern (`shift`, or one of `is`, `as`,
`like`): finding those with `str.find` and trying a match only there gives the same
matches for a fraction of the cost (`re.match(text, pos)` still sees the characters
before `pos`, as a lookbehind needs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

Span = tuple[int, int]
_MAX_STARTS = 32
"""More openings than this (alternatives of alternatives) are not worth finding one by one."""
_ZERO_WIDTH = (_constants.ASSERT, _constants.ASSERT_NOT, _constants.AT)


def literal_starts(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Texts one of which every match of `pattern` starts with; () if none is known."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        items = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a form this reading does not know: searched in full
        return ()
    starts, _ = _openings(items)
    if not starts or "" in starts or len(starts) > _MAX_STARTS:
        return ()
    # An opening that begins with another one adds no place to try.
    kept: list[str] = []
    for start in sorted(set(starts), key=lambda text: (len(text), text)):
        if not any(start.startswith(shorter) for shorter in kept):
            kept.append(start)
    return tuple(kept)


def _openings(sequence: Iterable[tuple[Any, Any]]) -> tuple[list[str], bool]:
    """The literal texts one of which every match of `sequence` starts with, and whether
    each match is exactly one of them (so that what follows lengthens them)."""
    starts = [""]
    for op, value in sequence:
        if op is _constants.LITERAL:
            starts = [start + chr(value) for start in starts]
        elif op in _ZERO_WIDTH:
            continue  # takes no characters
        elif op is _constants.SUBPATTERN or op is _constants.BRANCH:
            if op is _constants.SUBPATTERN:
                _, add_flags, del_flags, inner = value
                if add_flags or del_flags:
                    return starts, False
                alternatives = [_openings(inner)]
            else:
                alternatives = [_openings(branch) for branch in value[1]]
            starts = [s + a for s in starts for found, _ in alternatives for a in found]
            if len(starts) > _MAX_STARTS or not all(whole for _, whole in alternatives):
                return starts, False
        else:
            return starts, False
    return starts, True


def spans_of(pattern: re.Pattern[str], starts: tuple[str, ...], body: str) -> list[Span]:
    """The spans `pattern.finditer(body)` gives (`starts` from `literal_starts`)."""
    if not starts:
        return [found.span() for found in pattern.finditer(body)]
    if len(starts) == 1:
        places: Iterable[int] = _places(starts[0], body)
    else:
        places = sorted({place for start in starts for place in _places(start, body)})
    spans = []
    end = 0
    for place in places:
        if place >= end:  # the next match starts after this one, as with `finditer`
            found = pattern.match(body, place)
            if found is not None:
                spans.append(found.span())
                end = found.end()
    return spans


def matches(pattern: re.Pattern[str], starts: tuple[str, ...], body: str) -> bool:
    """Whether `pattern` matches somewhere in `body` (`starts` from `literal_starts`)."""
    if not starts:
        return pattern.search(body) is not None
    return any(
        pattern.match(body, place) is not None for start in starts for place in _places(start, body)
    )


def _places(start: str, body: str) -> Iterable[int]:
    place = body.find(start)
    while place >= 0:
        yield place
        place = body.find(start, place + 1)
