"""Near-duplicate replies across accounts: normalisation, the index, text blocks."""

from __future__ import annotations

import itertools
import random

import pytest

from filters.signals.near_duplicates import NearDuplicateIndex, jaccard, word_set

TEMPLATE = (
    "Ich arbeite seit drei Jahren gern im Lager in {city}, die Pausen sind fest "
    "eingeplant und der Lohn kommt immer pünktlich."
)


def test_word_set_drops_mentions_links_and_signoff() -> None:
    """Two copies of a template with other mentions, links and signatures compare equal."""
    first = "@kritiker Der Lohn ist fair und pünktlich. https://t.co/a LG Anne"
    second = "@jemand der LOHN ist fair und pünktlich! https://t.co/b\n- Andrea"
    assert word_set(first) == word_set(second)
    assert "anne" not in word_set(first)
    assert "kritiker" not in word_set(first)


@pytest.mark.parametrize(
    "mention",
    [
        "@critic_carl",  # X
        "@kai-lager.bsky.social",  # Bluesky
        "@kai.example.com",  # Bluesky, a custom domain
        "@kai@lager.social",  # Mastodon
        "@kai-lager.bsky.social @acme.bsky.social",  # answering two people
    ],
)
def test_a_reply_opening_with_any_platforms_handle_compares_as_the_same_text(mention: str) -> None:
    """The same reply on X, Bluesky and Mastodon has one word set: each handle goes whole."""
    reply = "Bei uns wird der Lohn fair gezahlt, ehrlich!"
    assert word_set(f"{mention} {reply}") == word_set(reply)
    assert word_set(f"Danke {mention}, {reply}") == word_set(f"Danke, {reply}")


def test_an_email_address_in_a_reply_is_not_a_mention() -> None:
    """'info@acme.de' stays words to compare (only a handle after a space is a mention)."""
    assert {"info", "acme", "de"} <= word_set("Schreib uns an info@acme.de, wir helfen gern")


def test_two_replies_differing_only_in_a_city_are_one_text_block() -> None:
    """A template filled in with Leipzig and with Bremen is found as one text block."""
    leipzig, bremen = TEMPLATE.format(city="Leipzig"), TEMPLATE.format(city="Bremen")
    assert jaccard(word_set(leipzig), word_set(bremen)) >= 0.8
    index = NearDuplicateIndex(0.8)
    index.add_text("x:1", "anne", leipzig)
    index.add_text("x:2", "bernd", bremen)
    assert index.best_match("x:1") == ("x:2", jaccard(word_set(leipzig), word_set(bremen)))
    [block] = index.blocks()
    assert block.number == 1
    assert block.members == ("x:1", "x:2")
    assert block.groups == ("anne", "bernd")


def test_same_account_repeating_itself_is_not_a_text_block() -> None:
    """Only a reply of ANOTHER account makes a near-duplicate."""
    index = NearDuplicateIndex(0.8)
    index.add_text("x:1", "anne", TEMPLATE.format(city="Leipzig"))
    index.add_text("x:2", "anne", TEMPLATE.format(city="Bremen"))
    assert index.best_match("x:1") is None
    assert index.blocks() == []


def test_different_texts_are_not_matched() -> None:
    """Replies in one's own words stay apart even when they share some words."""
    index = NearDuplicateIndex(0.8)
    index.add_text("x:1", "anne", "Ich arbeite gern im Lager, die Pausen sind gut geregelt.")
    index.add_text("x:2", "lena", "Im Lager ist es heute heiß, wir machen mehr Pausen als sonst.")
    assert index.best_match("x:1") is None


def test_short_replies_are_not_compared() -> None:
    """'Danke!' from two accounts is not a text block (too few words to mean anything)."""
    index = NearDuplicateIndex(0.8, min_words=4)
    assert not index.add_text("x:1", "anne", "Danke dir!")
    assert not index.add_text("x:2", "bernd", "Danke dir!")
    assert index.blocks() == []


def test_blocks_are_numbered_by_first_use_and_keep_numbers_as_replies_arrive() -> None:
    """Block #1 stays #1 when later replies add members or new blocks."""
    index = NearDuplicateIndex(0.8)
    pay = "Der Lohn bei uns liegt über dem Tarif und wird immer pünktlich gezahlt, ehrlich."
    breaks = (
        "Unsere Pausen sind fest im Schichtplan eingeplant und niemand muss sie ausfallen lassen."
    )
    index.add_text("x:1", "anne", pay)
    index.add_text("x:2", "bernd", pay)
    assert [b.members for b in index.blocks()] == [("x:1", "x:2")]
    index.add_text("x:3", "bernd", breaks)
    index.add_text("x:4", "anne", breaks)
    index.add_text("x:5", "carla", pay)
    blocks = index.blocks()
    assert [(b.number, b.members) for b in blocks] == [
        (1, ("x:1", "x:2", "x:5")),
        (2, ("x:3", "x:4")),
    ]


@pytest.mark.slow  # compares the index with every pair of a large sample (seconds)
def test_index_finds_what_all_pairs_finds() -> None:
    """On random templated replies the LSH index finds every pair that exact all-pairs finds."""
    rng = random.Random(3)
    vocabulary = [f"wort{i}" for i in range(400)]
    templates = [[rng.choice(vocabulary) for _ in range(rng.randint(10, 25))] for _ in range(30)]
    replies = []
    for i in range(400):
        words = list(rng.choice(templates))
        for _ in range(rng.randint(0, 3)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        replies.append((f"x:{i}", f"acct{rng.randrange(6)}", " ".join(words)))
    index = NearDuplicateIndex(0.8)
    for item_id, account, text in replies:
        index.add_text(item_id, account, text)
    expected = set()
    for (a, ga, ta), (b, gb, tb) in itertools.combinations(replies, 2):
        if ga != gb and jaccard(word_set(ta), word_set(tb)) >= 0.8:
            expected.add(frozenset((a, b)))
    found = {frozenset((p.first, p.second)) for p in index.pairs()}
    assert expected  # the data has near-duplicates to find
    assert found == expected
