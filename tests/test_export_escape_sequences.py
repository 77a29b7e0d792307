"""Reports and CSV files show a post's terminal escape sequences as nothing at all: no
remnant such as `[31m` or `]0;title` is left where the ESC byte was removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.db.store import Store
from cache.export.safe_text import display_text
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests import builders

HOSTILE = (
    "red \x1b[31mALERT\x1b[0m \x1b]0;pwned\x07title \x9b2Jclear \x1b]8;;http://e.example\x1b\\link"
)
REMNANTS = ("[31m", "[0m", "]0;", "pwned", "2J", "]8;;", "e.example")


@pytest.mark.parametrize("fmt", ["csv", "md", "html"])
def test_exports_leave_no_remnant_of_an_escape_sequence(db_path: Path, cli, fmt: str) -> None:
    """A post (and in CSV an author name) with colours, a title change, an 8-bit CSI and
    a hyperlink is exported as its words only."""
    author = builders.user("critic", "Bad\x1b[31mName")
    with Store.open(db_path) as store:
        page = builders.page([builders.tweet(author, HOSTILE)], [author])
        ingest(store, parse_response(page, "t"), Classifier(Config()))
    run = cli("export", "--db", db_path, "--format", fmt)
    assert run.code == 0, run.err
    assert [r for r in REMNANTS if r in run.out] == []
    assert "\x1b" not in run.out and "\x9b" not in run.out
    assert "red ALERT title clear link" in run.out
    if fmt == "csv":  # the reports name authors by handle
        assert "BadName" in run.out


def test_display_text_removes_whole_sequences_and_keeps_plain_text_as_it_is() -> None:
    """The exports' cleaner removes each sequence whole; text with nothing to clean is
    returned as it is (the same object: no copy for the millions of plain cells)."""
    assert display_text(HOSTILE) == "red ALERT title clear link"
    plain = "Streik, heute! [31m stays: it is no sequence"
    assert display_text(plain) is plain
