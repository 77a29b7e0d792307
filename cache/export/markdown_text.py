"""Untrusted text and links in Markdown: the one place every Markdown export escapes.

`md_text` makes a post, name or label literal in CommonMark and GitHub-flavoured Markdown:
one line, no control or bidi characters, every character with a meaning in a line
backslash-escaped, and `@` too (an unescaped @handle notifies that user when the report
is pasted into an issue). Addresses are never escaped: a backslash inside one changes
where it points (GitHub turns `x\\.com` into `x%5C.com`). So `md_link` writes a link's
target as a `<...>` destination with only the characters that would end it encoded, and
`md_text` turns each http(s) address inside a text into such a link, labelled with the
address itself, so what a reader sees is where it goes.
"""

from __future__ import annotations

import re
import unicodedata

from sources.model.shown_text import shows_nothing, without_escape_sequences

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&@-])")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
# An address in a post ends where one ends: at a blank, a bracket, an angle bracket, a
# quote or a backslash (none is a URL character, RFC 3986), so `[url=http://a]b[/url]`
# links http://a alone; only an IPv6 host is written in brackets (`http://[::1]/`).
_ADDRESS = re.compile(r"https?://(?:\[[0-9a-f:.]+\])?[^\s<>\"'`\[\]\\]*", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def one_line(value: object) -> str:
    """`value` as one line of visible text: terminal escape sequences removed whole, other
    control characters and format characters that show nothing (bidi controls, zero-width
    spaces: `shows_nothing`) dropped, the joiners that shape emoji kept, line breaks and tabs
    turned into spaces, runs of spaces collapsed."""
    text = without_escape_sequences("" if value is None else str(value))
    kept = "".join(
        " " if ch in "\r\n\t\u2028\u2029\x85" else ch
        for ch in text
        if ch in "\r\n\t\u2028\u2029\x85"
        or not (unicodedata.category(ch) == "Cc" or shows_nothing(ch))
    )
    return " ".join(kept.split())


def escape(text: str) -> str:
    """One line of text with every Markdown-significant character backslash-escaped."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    # "1. x" or "1) x" at the start would open an ordered list (in a quote, a cell).
    return _LIST_NUMBER.sub(r"\1\\\2", escaped)


def md_text(value: object) -> str:
    """Untrusted text as literal Markdown; the http(s) addresses in it become real links."""
    text = one_line(value)
    out: list[str] = []
    position = 0
    for match in _ADDRESS.finditer(text):
        address = match.group(0).rstrip(_TRAILING)
        if address.count("(") > address.count(")") and match.group(0)[len(address) :][:1] == ")":
            address += ")"  # https://en.wikipedia.org/wiki/Foo_(bar) keeps its parenthesis
        start, end = match.start(), match.start() + len(address)
        if len(address) <= len("https://"):
            continue
        out.append(escape(text[position:start]))
        out.append(md_link(address, address))
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def is_web_link(url: object) -> bool:
    """Only http(s) addresses become links; anything else (javascript:, data:) is text."""
    return isinstance(url, str) and url.lower().startswith(("https://", "http://"))


def md_link(url: object, label: str = "link") -> str:
    """A link to an http(s) address, labelled with `label` (escaped); '' for anything else.

    The address goes in `<...>`, where only a space, a line break and `<` `>` would break
    it: those are percent-encoded; nothing is backslash-escaped.
    """
    if not is_web_link(url):
        return ""
    assert isinstance(url, str)
    target = "".join(ch for ch in url if unicodedata.category(ch) not in ("Cc", "Cf"))
    for raw, encoded in ((" ", "%20"), ("<", "%3C"), (">", "%3E")):
        target = target.replace(raw, encoded)
    return f"[{escape(one_line(label))}](<{target}>)"


def md_code(value: object) -> str:
    """Text as a code span, exactly: the fence is longer than any backtick run inside."""
    text = one_line(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"
