"""Escape the bare `&` of a malformed feed before feedparser's loose parser reads it.

That parser takes any `&` followed by letters for an entity reference and, not knowing
the entity, writes it back with a `;`: `AT&T` in a feed became `AT&T;`. XML has no bare
`&` outside CDATA, comments, processing instructions and the DOCTYPE, so one found
elsewhere is the character itself: it becomes `&amp;` and reads back as `&`.
"""

from __future__ import annotations

import re
from html.entities import html5

# The HTML entities a browser also reads without their `;` (`&copy 2026`, `&amp `): the
# loose parser reads them so too, and a feed that relies on that keeps its characters.
_LEGACY_NAMES = sorted((name for name in html5 if not name.endswith(";")), key=len, reverse=True)
_REFERENCE = (
    rb"#[0-9]+;?|#[xX][0-9a-fA-F]+;?"  # character references
    rb"|[A-Za-z_:][A-Za-z0-9_.:-]*;"  # &amp; &eacute; and entities a DOCTYPE declares
    rb"|(?:" + b"|".join(name.encode() for name in _LEGACY_NAMES) + rb")(?![A-Za-z0-9])"
)
# Sections left as they are: their `&` is no reference, and the loose parser escapes
# a CDATA section's text itself.
_KEPT_OR_BARE = re.compile(
    rb"<!\[CDATA\[.*?(?:\]\]>|\Z)"
    rb"|<!--.*?(?:-->|\Z)"
    rb"|<\?.*?(?:\?>|\Z)"
    rb"|(?i:<!DOCTYPE)[^>\[]*(?:\[.*?\])?[^>]*>"
    rb"|&(?!" + _REFERENCE + rb")",
    re.DOTALL,
)


def escape_bare_ampersands(data: bytes) -> bytes:
    """`data` with every `&` that starts no reference written `&amp;`.

    Works on the bytes of any encoding that keeps ASCII as ASCII (UTF-8, Latin-1,
    Windows-1251, Shift_JIS...); a UTF-16 document is returned as it is.
    """
    return _KEPT_OR_BARE.sub(_escape_match, data)


def _escape_match(match: re.Match[bytes]) -> bytes:
    return b"&amp;" if match.group() == b"&" else match.group()
