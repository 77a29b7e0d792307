"""Untrusted text made safe for files other people open: reports, CSV cells.

The store keeps posts, names and titles as they came; what an export writes for a reader
(a browser, a Markdown renderer, a spreadsheet) is cleaned here, by one set of rules.
"""

from __future__ import annotations

import re

from sources.model.shown_text import without_escape_sequences

# Bidi embeddings/overrides/isolates and marks: they can reorder what a reader sees.
_INVISIBLE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
_ANY_TO_CLEAN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Every character the rules below change (tab, line breaks and ESC included)."""


def display_text(text: str | None) -> str:
    """User text made safe to show: terminal escape sequences removed whole (so no `[31m`
    is left of a colour), then other control characters and bidi overrides.

    Line breaks and tabs stay (each format decides what to do with them); the store
    keeps the original.
    """
    if not text:
        return ""
    if _ANY_TO_CLEAN.search(text) is None:
        return text  # nearly every cell: one scan instead of four substitutions
    text = _LINE_BREAKS.sub("\n", without_escape_sequences(text))
    return _INVISIBLE.sub("", _CONTROL.sub("", text.replace("\t", " ")))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP)."""
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text and never evaluates.

    Text is cleaned like any displayed text (`display_text`), then a cell starting with
    `= + - @` (or tab/CR, also after blanks) gets a leading `'`, the OWASP rule:
    `=HYPERLINK(...)` or `+cmd|' /C calc'!A0` from a hostile post stay text.
    Numbers pass unchanged: the program computed them (counts, shares), and a negative
    one must stay a number. Text that is only a number (`-3`, `+49`) is left as it is
    too: a spreadsheet reads it as that number and evaluates nothing, so a quote would
    only change the data.
    """
    if not isinstance(value, str):
        return value
    text = display_text(value)
    # Leading blanks too: a tab became a space above, and LibreOffice may trim spaces
    # before it evaluates (" =1+1").
    start = text.lstrip()
    if start.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(start):
        return "'" + text
    return text
