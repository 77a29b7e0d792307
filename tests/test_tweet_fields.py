"""What the X parser accepts as a tweet id and how it cleans the strings of a payload."""

from __future__ import annotations

import pytest

from sources.model.text import clean_text
from sources.x.twitter_v2 import parse_response


def _page(tweet_id: str) -> dict[str, object]:
    return {"data": [{"id": tweet_id, "text": "Streik", "created_at": "2026-01-05T06:00:01.000Z"}]}


@pytest.mark.parametrize(
    "tweet_id", ["1", "0", "2012662570921992481", "9223372036854775807", "0000000000000000001"]
)
def test_ids_of_ascii_digits_below_two_to_the_63_are_posts(tweet_id: str) -> None:
    """A tweet whose id is 1-19 ASCII digits under 2**63 becomes a mention with that id."""
    batch = parse_response(_page(tweet_id), "test")
    assert [m.id for m in batch.mentions] == [f"x:{tweet_id}"]
    assert not batch.skipped


@pytest.mark.parametrize(
    ("tweet_id", "reason"),
    [
        ("9223372036854775808", "larger than any X id"),
        ("9999999999999999999", "larger than any X id"),
        ("12345678901234567890", "larger than any X id"),
        ("１２３", "not made of the digits 0-9"),
        ("١٢٣", "not made of the digits 0-9"),
        ("12a", "not made of the digits 0-9"),
        ("-1", "not made of the digits 0-9"),
    ],
)
def test_ids_no_x_post_can_have_are_skipped_with_the_reason(tweet_id: str, reason: str) -> None:
    """An id of other digits, other characters or beyond 64 bits is skipped, saying why."""
    batch = parse_response(_page(tweet_id), "test")
    assert not batch.mentions
    assert [reason in s.reason for s in batch.skipped] == [True]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("plain text", "plain text"),
        ("nul\x00byte", "nulbyte"),
        ("Lohnerhöhung\x00", "Lohnerhöhung"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        (5, "5"),
        (None, ""),
    ],
)
def test_payload_strings_lose_nul_bytes_and_lone_surrogates(given: object, kept: str) -> None:
    """NUL bytes are removed and lone surrogates become U+FFFD, in ASCII and other text."""
    assert clean_text(given) == kept
