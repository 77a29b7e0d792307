"""Untrusted text made safe to show: no control characters, no bidi overrides, no markup.

Posts, names, bios and feed titles are hostile input. The store keeps them as they came;
only what reaches the screen is cleaned (`clean`, in `tui.clean_text`). Markup is never
parsed: callers wrap the result in `Text(...)` (table cells) or `Content(...)` (Static,
Label), never a markup string.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from tui.clean_text import clean, shorten, shown_name

__all__ = ["clean", "content", "plain", "shorten", "shown_name"]


def plain(value: object, *, one_line: bool = False, style: str = "") -> Text:
    """A rich `Text` of untrusted text (never markup), for DataTable cells."""
    return Text(clean(value, one_line=one_line), style=style, end="")


def content(value: object, *, one_line: bool = False) -> Content:
    """A Textual `Content` of untrusted text (never markup), for Static and Label."""
    return Content(clean(value, one_line=one_line))
