"""The status line fitted to its width: what matters stays in view, cut text ends in `…`.

A Static one line high cuts what does not fit at the right edge, mid-word and without a
sign; the export's path, the piece a reader needs after an export, came last and went
first. Here the pieces give way in turn instead: the sources' health (counted, `s` lists
them), then the notes (`demo replay`, `200 loaded`, ...) from the first and the sources'
count, then the folders of the exported file's path; the state mark and the file name
stay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.cells import cell_len
from textual.content import Content

from sources.model.counted import counted

SEPARATOR = Content(" · ")
EXPORTED = "exported to "


def fit_status(
    mark: Content,
    notes: Sequence[Content],
    sources: Sequence[Content],
    export: Path | None,
    width: int,
) -> Content:
    """The line `mark · notes · sources · exported to PATH` in `width` cells (0: no limit)."""
    tail = [Content(EXPORTED + str(export))] if export is not None else []
    for kept_notes, kept_sources in _shorter_forms(notes, sources):
        line = SEPARATOR.join([mark, *kept_notes, *kept_sources, *tail])
        if width <= 0 or line.cell_length <= width:
            return line
    bare = SEPARATOR.join([mark, *kept_notes, *kept_sources])
    if export is not None:
        room = width - bare.cell_length - SEPARATOR.cell_length - len(EXPORTED)
        shown = SEPARATOR.join([bare, Content(EXPORTED + shorten_path(str(export), room))])
    else:
        shown = bare
    return shown.truncate(width, ellipsis=True)


def _shorter_forms(
    notes: Sequence[Content], sources: Sequence[Content]
) -> Iterator[tuple[Sequence[Content], Sequence[Content]]]:
    """The notes and sources, whole first, then with fewer and fewer of them."""
    for shown in range(len(sources), -1, -1):
        yield notes, [*sources[:shown], *_counted(len(sources) - shown)]
    for first in range(1, len(notes) + 1):
        yield notes[first:], _counted(len(sources))
    yield (), ()


def _counted(hidden: int) -> list[Content]:
    if not hidden:
        return []
    return [Content(f"+{counted(hidden, 'source')} (s)")]


def shorten_path(path: str, room: int) -> str:
    """`path` in `room` cells: its folders cut from the left (`…/name.csv`), the file name
    cut only when it alone does not fit."""
    if cell_len(path) <= room:
        return path
    if room <= 1:
        return "…"[:room]
    kept = path
    while kept and cell_len(kept) > room - 1:
        kept = kept[1:]
    slash = kept.find("/")
    if 0 <= slash < len(kept) - 1 and cell_len(kept[slash:]) <= room - 1:
        kept = kept[slash:]  # start at a folder's boundary when the name still fits
    return "…" + kept
