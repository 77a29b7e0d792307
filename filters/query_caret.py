"""A query with a caret under its mistake, as the filter bar and a config error show it.

A `QueryError`'s position counts characters; a terminal lays text out in cells, where an
emoji or a CJK character takes two. Both places put the caret the same way, here: the
query cleaned for a terminal (`shown_text`, line breaks as spaces), cut around the mistake
when it is wider than the room, and the caret's column counted in cells by the measure of
the screen it is drawn on (the monitor passes Rich's, which draws it).
"""

from __future__ import annotations

from collections.abc import Callable

from sources.model.shown_text import cells, shown_text


def caret_lines(
    text: str, position: int, width: int = 0, measure: Callable[[str], int] = cells
) -> tuple[str, str]:
    """The query `text` as shown and the line under it with a `^` below the character at
    1-based `position`, both at most `width` cells wide (0: no limit)."""
    # Newlines become spaces (not collapsed) so the caret stays under the right column.
    query = shown_text(text).replace("\n", " ")
    index = max(0, min(position - 1, len(query)))
    shown, column = query_window(query, index, width, measure)
    return shown, " " * column + "^"


def query_window(
    query: str, index: int, width: int, measure: Callable[[str], int] = cells
) -> tuple[str, int]:
    """The part of `query` that fits in `width` cells (0: all of it) with character `index`
    in it, a third of the way in where it can be, and the cell column of `index` there."""
    if width <= 0 or measure(query) < width:  # the caret may sit just past the end
        return query, measure(query[:index])
    room = max(1, width - 2)  # an ellipsis on each side at most
    left = index
    while left > 0 and measure(query[left - 1 : index]) <= room // 3:
        left -= 1
    right = left
    while right < len(query) and measure(query[left : right + 1]) <= room:
        right += 1
    while left > 0 and measure(query[left - 1 : right]) <= room:  # the end: more before
        left -= 1
    head = "…" if left > 0 else ""
    tail = "…" if right < len(query) else ""
    return head + query[left:right] + tail, measure(head + query[left:index])
