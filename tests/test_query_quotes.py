"""Quoted values in the query language: `\\"` and `\\\\` inside quotes stand for a quote
and a backslash, so every source name can be queried; queries without a backslash in
quotes mean what they meant before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import filters.query as query_language
from cache.db.store import Store
from cache.read.views import combined_query
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.query import And, Field, QueryError, Text, parse
from filters.views import SavedView
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from tests.builders import rss

NAME = 'Quote "x" \\ back'
"""A feed title `feeds import` takes: quotes and a backslash."""


def test_a_source_name_with_quotes_and_a_backslash_can_be_queried(cli: Any, db_path: Path) -> None:
    """`source:"Quote \\"x\\" \\\\ back"` selects that feed's articles, and only those."""
    feed = rss("Forum", [{"title": "Streik", "link": "https://n.example/1"}])
    other = rss("Other", [{"title": "Lohn", "link": "https://n.example/2"}])
    with Store.open(db_path) as store:
        ingest(store, parse_feed(feed, NAME), Classifier(Config()))
        ingest(store, parse_feed(other, "Quote x back"), Classifier(Config()))
    query = 'source:"Quote \\"x\\" \\\\ back"'
    assert parse(query) == Field("source", (NAME,))
    run = cli("export", "--db", db_path, "--format", "jsonl", "--query", query)
    assert run.code == 0, run.err
    assert run.out.count("\n") == 1 and '"https://n.example/1"' in run.out


def test_other_backslashes_and_an_unclosed_quote_read_as_before() -> None:
    """A backslash before anything but a quote or backslash is itself; an unclosed quote
    still runs to the end (its last quote escaped or not)."""
    assert parse('source:"C:\\temp"') == Field("source", ("C:\\temp",))
    assert parse('source:"abc') == Field("source", ("abc",))
    assert parse('"say \\"no\\" now"') == Text('say "no" now', phrase=True)
    assert parse('"open \\"') == Text('open "', phrase=True)
    assert parse('source:"a\\\\" pay') == And((Field("source", ("a\\",)), Text("pay")))


def _quoted_before(text: str, start: int) -> tuple[str, int, bool]:
    """The quoted string as it was read before escapes: it ends at the next quote."""
    end = text.find('"', start + 1)
    if end < 0:
        return text[start + 1 :], len(text), False
    return text[start + 1 : end], end + 1, True


def _tree(text: str) -> object:
    try:
        return parse(text)
    except QueryError as exc:
        return ("error", exc.position, exc.problem)


PIECES = st.sampled_from(['"', "source:", "author:", "pay", " ", "OR", "-", "(", ")", "a b", "|"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(PIECES, st.text(alphabet='ab "|:()-', max_size=5)), max_size=10))
def test_queries_without_a_backslash_parse_as_before(pieces: list[str]) -> None:
    """Every query without a backslash gives the same tree (or the same mistake) as with
    the quote rule it had before."""
    text = "".join(pieces)
    now = _tree(text)
    original = query_language._quoted
    query_language._quoted = _quoted_before
    try:
        before = _tree(text)
    finally:
        query_language._quoted = original
    assert now == before


def test_a_view_left_in_an_open_quote_still_combines_with_a_query() -> None:
    """A view's unclosed quote, even one ending in a backslash, is closed before `--query`
    is added, so the view keeps its meaning and the query is not swallowed."""
    for view_query, value in (
        ('source:"a b', "a b"),
        ('source:"a\\', "a\\"),
        ('source:"a\\"', 'a"'),
    ):
        view = SavedView(name="v", query=view_query)
        combined = combined_query(view, "pay")
        assert parse(combined) == And((Field("source", (value,)), Text("pay"))), combined
