"""Markdown exports keep the invisible characters that shape emoji and scripts."""

from __future__ import annotations

from cache.export.markdown_text import md_text, one_line

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


def test_joiners_and_flag_tags_survive_a_markdown_export() -> None:
    """A family emoji, a Scotland flag and a Persian word with ZWNJ are kept whole."""
    text = f"Kestrel {FAMILY} {SCOTLAND} {PERSIAN}"
    assert one_line(text) == text
    assert FAMILY in md_text(text) and SCOTLAND in md_text(text) and PERSIAN in md_text(text)


def test_bidi_controls_and_other_invisible_format_characters_are_still_dropped() -> None:
    """An RLO override, a zero-width space and a soft hyphen do not reach the report."""
    assert one_line("Kes\u202etrel\u200b stri\u00adke \ufeffend") == "Kestrel strike end"
