"""Untrusted text made safe to show on a terminal: no control characters, no bidi overrides.

Posts, names, bios and feed titles are hostile input. The store keeps them as they came;
only what reaches the screen is cleaned, by the one rule every output of Echowatch uses
(`sources.model.shown_text`). That module needs nothing but the standard library, so the
screen drawn before Textual loads (`tui.first_paint`) cleans text exactly as the monitor
does; `tui.safe_text` wraps the result for Rich and Textual.
"""

from __future__ import annotations

from sources.model.shown_text import shown_text as clean

__all__ = ["NAME_WIDTH", "clean", "shorten", "shown_name"]

NAME_WIDTH = 64
"""Characters of a name or handle in a heading line. Every platform's display name fits
(Bluesky allows the most, 64); a feed's author, which has no limit, is cut here, so that
the post under the heading stays in view."""


def shorten(text: str, width: int) -> str:
    """`text` cut to at most `width` characters with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def shown_name(value: object) -> str:
    """A name or handle for a heading line: cleaned, on one line, cut at `NAME_WIDTH`."""
    return shorten(clean(value, one_line=True), NAME_WIDTH)
