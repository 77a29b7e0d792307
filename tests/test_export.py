"""Exporting mentions with `app.py export` (CSV and JSON Lines)."""

from __future__ import annotations

import csv
import io
import json

from tests.store_helpers import fill

EXPECTED_COLUMNS = [
    "id",
    "platform",
    "source",
    "created_at",
    "author",
    "author_name",
    "role",
    "topics",
    "topics_from_thread",
    "lang",
    "text",
    "url",
    "in_reply_to",
    "quoted_id",
    "conversation_id",
]


def test_csv_has_contract_columns_newest_first(tmp_path, db_path, cli):
    """The CSV has the documented header and lists mentions newest first."""
    ids = fill(db_path, ["old", "middle", "new"])
    out = tmp_path / "out.csv"
    run = cli("export", "--db", db_path, "--format", "csv", "-o", out)
    assert run.code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets detect UTF-8 by the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == EXPECTED_COLUMNS
    assert [r[0] for r in rows[1:]] == list(reversed(ids))


def test_csv_quotes_commas_quotes_and_newlines(tmp_path, db_path, cli):
    """Commas, quotes and line breaks in text survive a CSV round trip (RFC 4180)."""
    text = 'Lohn, "fair"?\nNein; Streik!'
    fill(db_path, [text])
    out = tmp_path / "out.csv"
    cli("export", "--db", db_path, "-o", out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["text"] == text
    assert row["author_name"] == 'Crit "the" Ic, Esq.'
    assert row["topics"] == "pay;strikes"


def test_jsonl_keeps_topics_as_a_list(db_path, cli):
    """JSON Lines to standard output carries topics as a list and nulls as null."""
    fill(db_path, ["Streik wegen Lohn"])
    run = cli("export", "--db", db_path, "--format", "jsonl")
    record = json.loads(run.out.splitlines()[0])
    assert list(record) == EXPECTED_COLUMNS
    assert record["topics"] == ["pay", "strikes"]
    assert record["in_reply_to"] is None


def test_query_selects_by_words_and_odd_text_is_searched(db_path, cli):
    """--query finds words; `c++`, `foo-bar` and an unbalanced quote search, never crash."""
    fill(db_path, ["Streik in Leipzig", "Alles gut", "c++ und foo-bar"])
    found = cli("export", "--db", db_path, "--format", "jsonl", "--query", "streik")
    assert [json.loads(line)["text"] for line in found.out.splitlines()] == ["Streik in Leipzig"]
    for odd in ["c++", "foo-bar", '"unbalanced', "NEAR(", "*"]:
        run = cli("export", "--db", db_path, "--format", "jsonl", "--query", odd)
        if run.code == 0:  # searched: every line is a mention
            assert all(json.loads(line)["id"] for line in run.out.splitlines()), odd
        else:  # refused: one line that names the query as the problem
            assert run.code == 2, (odd, run.err)
            assert run.err.startswith("echowatch export: bad query: "), (odd, run.err)
            assert run.err.count("\n") == 1, (odd, run.err)


def test_failed_export_leaves_no_partial_file(tmp_path, db_path, cli, monkeypatch):
    """A write failing half way is a clear error; the old file stays, no temporary is left."""
    fill(db_path, ["a", "b", "c"])
    target = tmp_path / "snap.csv"
    target.write_text("previous snapshot", encoding="utf-8")
    import cache.export.run as export

    def broken(rows, out):
        out.write("id\n")
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_csv", broken)
    run = cli("export", "--db", db_path, "-o", target)
    assert run.code == 1
    assert "disk full" in run.err
    assert target.read_text(encoding="utf-8") == "previous snapshot"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_export_of_missing_store_says_so(tmp_path, cli):
    """Exporting from a store that does not exist names the path instead of creating it."""
    missing = tmp_path / "nothing.db"
    run = cli("export", "--db", missing)
    assert run.code == 1
    assert "no store here" in run.err
    assert not missing.exists()


def test_exported_file_is_readable_by_others(tmp_path, db_path, cli):
    """A snapshot gets normal file permissions (not private), so it can be shared."""
    fill(db_path, ["a"])
    target = tmp_path / "shared.csv"
    cli("export", "--db", db_path, "-o", target)
    assert target.stat().st_mode & 0o044 == 0o044
