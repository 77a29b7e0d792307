"""Untrusted text made safe to show: THE definition of a terminal escape sequence.

Posts, names, bios, feed titles, queries in a config and error messages quoting any of
them are hostile input. The store keeps them as they came; what a person is shown is
cleaned: the monitor (`tui.clean_text`), the command line's output and logs (`app.py`),
and the reports and CSV files (`cache.export.safe_text`) all remove the same sequences.
Only the standard library: the screen drawn before Textual loads uses this too.
"""

from __future__ import annotations

import json
import re
import unicodedata

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
"""Embeddings, overrides and isolates: they can reorder what follows them on the line."""

# A sequence is removed whole, so that no remnant shows (`[31m`, `]0;title`) and none can
# act on a terminal that a stray ESC reached (`\x1b[2J` clears it, an OSC sets its title
# or clipboard). Each has its 7-bit form (ESC and a character) and its 8-bit C1 form.
# A string sequence without its terminator ends at the line's end: a terminal would
# swallow the rest, but what follows a line break is shown.
ESCAPE_SEQUENCE = re.compile(
    # CSI: colours, cursor moves, erasing (ECMA-48 parameters, intermediates, final byte)
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST (ESC \ or \x9c)
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    # every other ESC sequence: reset (ESC c), character sets (ESC ( 0), keypad modes
    r"|\x1b[ -/]*[0-~]"
)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")
_WHITESPACE_RUN = re.compile(r"\s+")


def without_escape_sequences(text: str) -> str:
    """`text` with every terminal escape sequence removed whole (other characters kept)."""
    return ESCAPE_SEQUENCE.sub("", text)


def shown_text(value: object, *, one_line: bool = False) -> str:
    """`value` as text for a terminal: escape sequences, other controls (not the line
    break) and bidi overrides removed, tabs as spaces.

    With `one_line`, every run of whitespace (line breaks included) becomes one space.
    """
    text = "" if value is None else str(value)
    text = without_escape_sequences(text.replace("\t", " "))
    text = _CONTROLS.sub("", text)
    if one_line:
        text = _WHITESPACE_RUN.sub(" ", text).strip()
    return unicodedata.normalize("NFC", text)


_KEPT_FORMAT = frozenset("\u200c\u200d" + "".join(map(chr, range(0xE0020, 0xE0080))))
"""Invisible characters that change how a name looks: the joiners shape emoji and
scripts (👩‍💻, Persian), the tag characters spell subdivision flags (🏴 Scotland)."""


def cells(text: str) -> int:
    """Terminal columns `text` takes (wide East Asian characters two, marks none): what
    text on a terminal is aligned by, as a caret under a query's mistake."""
    return sum(char_cells(ch) for ch in text)


def char_cells(ch: str) -> int:
    """Terminal columns the character `ch` takes: 0, 1 or 2."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def plain_name(value: object) -> str:
    """A name as it is shown, stored and typed (a feed's name, `source:NAME`): what
    `shown_text(one_line=True)` shows, without the characters that show nothing (Unicode
    format characters: a zero-width space, a word joiner, a soft hyphen, a byte-order mark,
    bidi marks), so a name that looks like `KestrelNews` is `KestrelNews`."""
    text = shown_text(value, one_line=True)
    if text.isascii():
        return text
    kept = "".join(ch for ch in text if not shows_nothing(ch))
    return _WHITESPACE_RUN.sub(" ", kept).strip()


def shows_nothing(ch: str) -> bool:
    """Whether `ch` is a Unicode format character that changes nothing a reader sees (a
    zero-width space, a soft hyphen, a bidi control), unlike the joiners and tag
    characters of `_KEPT_FORMAT`: text for people may drop it, never those."""
    return unicodedata.category(ch) == "Cf" and ch not in _KEPT_FORMAT


_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029" + BIDI_CONTROLS + "]")
"""Characters `json.dumps(ensure_ascii=False)` writes as they are that a terminal acts on
(C1 controls such as the 8-bit CSI, bidi overrides) or that end a line in JavaScript."""


def json_text(value: object, *, indent: int | None = None) -> str:
    """`value` as JSON, readable (non-ASCII letters as they are) and safe on a terminal.

    Every character is kept: JSON escapes C0 controls (`\\u001b`) itself, and the few
    that it would write raw (`_RAW_IN_JSON`) are written as `\\uXXXX` escapes too, which
    every JSON reader decodes to the same string. They can only occur inside strings.
    """
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _RAW_IN_JSON.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
