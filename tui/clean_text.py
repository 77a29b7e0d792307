"""Untrusted text made safe to show on a terminal: no control characters, no bidi overrides.

Posts, names, bios and feed titles are hostile input. The store keeps them as they came;
only what reaches the screen is cleaned, by the one rule every output of Echowatch uses
(`sources.model.shown_text`). That module needs nothing but the standard library, so the
screen drawn before Textual loads (`tui.first_paint`) cleans text exactly as the monitor
does; `tui.safe_text` wraps the result for Rich and Textual.
"""

from __future__ import annotations

from sources.model.shown_text import shown_text as clean

__all__ = ["clean", "shorten"]


def shorten(text: str, width: int) -> str:
    """`text` cut to at most `width` characters with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
