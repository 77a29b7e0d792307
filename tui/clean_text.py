"""Untrusted text made safe to show on a terminal: no control characters, no bidi overrides.

Posts, names, bios and feed titles are hostile input. The store keeps them as they came;
only what reaches the screen is cleaned here. This module needs nothing but the standard
library, so the screen drawn before Textual loads (`tui.first_paint`) cleans text exactly
as the monitor does; `tui.safe_text` wraps the result for Rich and Textual.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
"""Embeddings, overrides and isolates: they can reorder what follows them on the line."""

# ESC/CSI sequences are removed whole, so `\x1b[2J` cannot clear a terminal that a
# stray ESC reached; other C0/C1 controls (except newline) go one by one.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI_CONTROLS + "]")
_WHITESPACE_RUN = re.compile(r"\s+")


def clean(value: object, *, one_line: bool = False) -> str:
    """`value` as display text: controls and bidi overrides removed, tabs as spaces.

    With `one_line`, every run of whitespace (newlines included) becomes one space.
    """
    text = "" if value is None else str(value)
    text = text.replace("\t", " ")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROLS.sub("", text)
    if one_line:
        text = _WHITESPACE_RUN.sub(" ", text).strip()
    return unicodedata.normalize("NFC", text)


def shorten(text: str, width: int) -> str:
    """`text` cut to at most `width` characters with an ellipsis."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"
