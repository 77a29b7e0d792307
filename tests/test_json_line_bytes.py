"""A JSON Lines archive's lines are parsed from their bytes where orjson can read them, and
each line still reads exactly as its decoded text did: the same value, the same blank
lines passed over, the same reason for a refused one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sources.archive import files
from sources.archive.files import MAX_NESTING, load_json, read_archive

BLANK = "blank"


def _as_text(raw: bytes) -> tuple[str, Any]:
    """What a line read as before: decoded with replacement, blank or `load_json`."""
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return (BLANK, None)
    return _outcome(lambda: load_json(text))


def _as_bytes(raw: bytes) -> tuple[str, Any]:
    """What the line reads as now."""
    return _outcome(lambda: files._line_value(raw))


def _outcome(read: Any) -> tuple[str, Any]:
    try:
        value = read()
    except (json.JSONDecodeError, files.TooDeep) as exc:
        return (type(exc).__name__, str(exc))
    if value is files._BLANK:
        return (BLANK, None)
    return ("value", repr(value))  # repr: a NaN equals itself here


JSON_TEXTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
).map(lambda value: json.dumps(value, ensure_ascii=False))
ODD_PIECES = st.sampled_from(
    [
        b"\xef\xbb\xbf",  # a BOM
        b"\xff",
        b"\xc3",  # a cut two-byte sequence
        b"\xed\xa0\x80",  # an encoded surrogate
        "\u00a0".encode(),
        "\u2028".encode(),
        b"\x1c",
        b" ",
        b"\n",
        b'"\\ud800"',
        b"NaN",
        b"12345678901234567890",
        b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1),
        b'{"a": -123456789012345678901}',
        b'["[[[[", "]]]"]',
    ]
)
LINES = st.lists(
    JSON_TEXTS.map(lambda text: text.encode("utf-8", "surrogatepass")) | ODD_PIECES,
    min_size=1,
    max_size=4,
).map(b"".join)


@given(raw=LINES)
def test_a_line_reads_as_its_decoded_text_did(raw: bytes) -> None:
    """Any line (valid JSON, invalid UTF-8, a BOM, odd whitespace, deep nesting, numbers
    beyond 64 bits, lone surrogates, NaN) gives the value, blank or refusal its text gave."""
    assert _as_bytes(raw) == _as_text(raw)


def test_an_archive_reads_the_same_posts_and_reasons(tmp_path: Path) -> None:
    """An archive mixing good pages with broken and blank lines yields its posts and a
    skip reason for each broken line, blank lines passed over."""
    when = '"created_at": "2026-01-06T06:00:01.000Z"'
    page = {"data": [{"id": "1991", "text": "Streik bei Kestrel", "author_id": "7"}]}
    page["data"][0]["created_at"] = "2026-01-06T06:00:01.000Z"
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    lines = [
        json.dumps(page).encode(),
        "\u00a0".encode(),
        b'{"data": [{"id": "1992", "text": "caf\xe9 \xff", ' + when.encode() + b"}]}",
        deep.encode(),
        b"{not json",
        ('{"data": [{"id": "1993", "text": "Lohn", ' + when + "}]}").encode(),
    ]
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    batches = list(read_archive(path, source="x:test"))
    ids = [m.id for b in batches for m in b.mentions]
    reasons = [s.reason for b in batches for s in b.skipped]
    texts = [m.text for b in batches for m in b.mentions]
    assert ids == ["x:1991", "x:1992", "x:1993"]
    assert "caf\ufffd \ufffd" in texts  # invalid UTF-8 replaced, as the text read it
    assert len(reasons) == 2 and "nested 65 levels deep" in reasons[0]
    assert reasons[1].startswith("invalid or truncated JSON")
