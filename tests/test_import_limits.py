"""Archives built to hurt: a line of megabytes, JSON nested a thousand deep, a text longer
than any post. Each is skipped or cut with its file and line named; the rest is imported."""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.write.importer import import_paths
from filters.classify import Classifier
from sources.archive.files import MAX_NESTING
from sources.model.config import Config
from sources.x.twitter_v2 import MAX_TEXT
from tests.builders import page, tweet, user

CRITIC = user("critic", user_id="101")
COUNTS = re.compile(r"imported (\d+) new")


def good_line(text: str) -> str:
    return json.dumps(page([tweet(CRITIC, text)], [CRITIC]))


def huge_line(megabytes: float) -> str:
    """One tweet whose text alone is `megabytes` long (the issue's was 525 MB)."""
    return good_line("Kestrel " + "x" * int(megabytes * 1024 * 1024))


def stored_texts(db_path: Path) -> list[str]:
    with Store.open(db_path, readonly=True) as store:
        return sorted(r["text"] for r in store.rows("SELECT text FROM mentions"))


def test_a_line_over_the_limit_is_skipped_with_its_number_and_size(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A 3 MB line under a 1 MB limit is named (line 2, its size); lines 1 and 3 are stored."""
    archive = tmp_path / "capture.jsonl"
    lines = [good_line("Kestrel first"), huge_line(3), good_line("Kestrel third")]
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("import", archive, "--max-line-mb", "1", "--db", db_path)
    assert run.code == 0, run.err
    size = len(lines[1].encode())
    assert f"capture.jsonl:2: line of 3.0 MiB ({size} bytes) is over the limit of 1.0 MiB" in (
        run.out
    )
    assert stored_texts(db_path) == ["Kestrel first", "Kestrel third"]


def test_a_huge_line_is_read_past_in_bounded_memory(tmp_path: Path, db_path: Path) -> None:
    """Skipping an 8 MB line under a 1 MB limit never holds the line: peak memory stays small."""
    archive = tmp_path / "capture.jsonl"
    archive.write_text(huge_line(8) + "\n" + good_line("Kestrel after") + "\n", encoding="utf-8")
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        tracemalloc.start()
        try:
            report = import_paths(
                store, [archive], classifier, parallel=False, max_line_bytes=1024 * 1024
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert report.totals.new == 1 and len(report.skipped) == 1
    assert peak < 4 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while skipping an 8 MiB line"


def test_a_document_on_one_line_over_the_line_limit_is_read_as_a_document(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A compact one-line JSON document longer than the line limit imports, as the same
    document pretty-printed does (both are read whole, up to the document limit)."""
    line = huge_line(2)
    compact = tmp_path / "compact.json"
    compact.write_text(line, encoding="utf-8")
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads(line), indent=2), encoding="utf-8")
    for path in (compact, pretty):
        run = cli("import", path, "--max-line-mb", "1", "--db", db_path)
        assert run.code == 0, run.err
    assert [text[:9] for text in stored_texts(db_path)] == ["Kestrel x"]


def test_a_file_that_is_one_huge_line_is_reported_and_the_next_file_imported(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single-line file over the line limit and the document limit is an error naming it
    and how to read it; the other file still loads."""
    monkeypatch.setattr("sources.archive.files.MAX_DOCUMENT_BYTES", 1024 * 1024)
    huge = tmp_path / "huge.json"
    huge.write_text(huge_line(2), encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(good_line("Kestrel fine") + "\n", encoding="utf-8")
    with Store.open(db_path) as store:
        report = import_paths(
            store, [huge, good], Classifier(Config()), parallel=False, max_line_bytes=2**19
        )
    assert [u.split(": ", 1)[1][:56] for u in report.unreadable] == [
        "not JSON or JSON Lines that can be read (line of 2.0 MiB"
    ]
    assert "(import --max-line-mb)" in report.unreadable[0]
    assert stored_texts(db_path) == ["Kestrel fine"]


def _nested(kind: str, depth: int) -> str:
    if kind == "arrays":
        return "[" * depth + "]" * depth
    if kind == "objects":
        return '{"a":' * depth + "1" + "}" * depth
    # inside a real tweet, where a parser would meet it in the middle of a page
    post = tweet(CRITIC, "Kestrel nested")
    post["entities"] = "DEEP"  # page > data > tweet > entities: three levels above
    return json.dumps(page([post], [CRITIC])).replace('"DEEP"', _nested("arrays", depth - 3))


@pytest.mark.parametrize("kind", ["arrays", "objects", "inside-a-tweet"])
@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 1000, 100_000])
def test_deep_nesting_skips_that_line_and_imports_the_rest(
    tmp_path: Path, db_path: Path, cli, kind: str, depth: int
) -> None:
    """A line nested 65, 1,000 or 100,000 deep is skipped with its depth; nothing else is lost."""
    archive = tmp_path / "deep.jsonl"
    lines = [good_line("Kestrel before"), _nested(kind, depth), good_line("Kestrel after")]
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    other = tmp_path / "other.jsonl"
    other.write_text(good_line("Kestrel other file") + "\n", encoding="utf-8")
    run = cli("import", archive, other, "--db", db_path)
    assert run.code == 0, run.err
    assert f"deep.jsonl:2: JSON nested {depth} levels deep (the limit is {MAX_NESTING})" in run.out
    assert stored_texts(db_path) == ["Kestrel after", "Kestrel before", "Kestrel other file"]


def test_nesting_at_the_limit_and_brackets_in_text_are_accepted(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """64 levels, and a post made of 500 brackets, are ordinary data, not an attack."""
    post = tweet(CRITIC, "Kestrel " + "[{" * 250)
    post["entities"] = json.loads(_nested("arrays", MAX_NESTING - 3))
    archive = tmp_path / "fine.jsonl"
    archive.write_text(json.dumps(page([post], [CRITIC])) + "\n", encoding="utf-8")
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0 and "skipped" not in run.out.split("\n", 1)[-1], run.out
    assert stored_texts(db_path) == ["Kestrel " + "[{" * 250]


def test_a_deep_whole_document_is_an_error_and_the_next_file_is_imported(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A pretty-printed document 1,000 deep is refused by name, no traceback; the next loads."""
    deep = tmp_path / "deep.json"
    deep.write_text("[\n" * 1000 + "]\n" * 1000, encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(good_line("Kestrel fine") + "\n", encoding="utf-8")
    run = cli("import", deep, good, "--db", db_path)
    assert run.code == 1
    assert f"deep.json: nested 1000 levels deep (the limit is {MAX_NESTING})" in run.err
    assert stored_texts(db_path) == ["Kestrel fine"]


TOO_LONG = "9" * 5000
"""A number Python will not read (its limit is 4,300 digits: CVE-2020-10735)."""


def _with_long_number(kind: str) -> str:
    if kind == "in-a-page":
        post = tweet(CRITIC, "Kestrel huge")
        post["public_metrics"] = {"like_count": "HUGE"}
        return json.dumps(page([post], [CRITIC])).replace('"HUGE"', TOO_LONG)
    if kind == "bare-tweet":
        return '{"id": "1600000000000005002", "text": "Kestrel huge", "n": -' + TOO_LONG + "}"
    bluesky_post = '{"uri": "at://did:plc:x/app.bsky.feed.post/3k", "replyCount": '
    return '{"posts": [' + bluesky_post + TOO_LONG + "}]}"


@pytest.mark.parametrize("kind", ["in-a-page", "bare-tweet", "bluesky-answer"])
def test_a_number_too_long_to_read_skips_that_line_and_imports_the_rest(
    tmp_path: Path, db_path: Path, cli, kind: str
) -> None:
    """A line holding a 5,000-digit number is skipped with its number and reason; the lines
    after it are imported."""
    archive = tmp_path / "huge.jsonl"
    lines = [good_line("Kestrel before"), _with_long_number(kind), good_line("Kestrel after")]
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0, run.err
    assert "huge.jsonl:2: JSON holds a number of 5000 digits (the limit is 4300)" in run.out
    assert "set_int_max_str_digits" not in run.out + run.err
    assert stored_texts(db_path) == ["Kestrel after", "Kestrel before"]


def test_a_number_too_long_on_the_first_line_skips_only_that_line(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """The first line holding the number is skipped by number; the file is still JSON Lines."""
    archive = tmp_path / "huge.jsonl"
    lines = [_with_long_number("in-a-page"), good_line("Kestrel second")]
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0, run.err
    assert "huge.jsonl:1: JSON holds a number of 5000 digits (the limit is 4300)" in run.out
    assert stored_texts(db_path) == ["Kestrel second"]


@pytest.mark.parametrize("indent", [2, None], ids=["pretty-printed", "one-line"])
def test_a_document_holding_a_number_too_long_is_an_error_and_the_next_file_is_imported(
    tmp_path: Path, db_path: Path, cli, indent: int | None
) -> None:
    """A document (pretty-printed or on one line) with a 5,000-digit number is refused by
    name, no traceback; the next file is imported."""
    huge = tmp_path / "huge.json"
    value = json.loads(good_line("Kestrel inside"))
    value["meta"] = {"result_count": "HUGE"}
    text = json.dumps(value, indent=indent).replace('"HUGE"', TOO_LONG)
    huge.write_text(text, encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(good_line("Kestrel fine") + "\n", encoding="utf-8")
    run = cli("import", huge, good, "--db", db_path)
    assert run.code == 1
    assert "huge.json: JSON holds a number of 5000 digits (the limit is 4300)" in run.err
    assert "set_int_max_str_digits" not in run.out + run.err
    assert stored_texts(db_path) == ["Kestrel fine"]


def test_a_text_longer_than_any_post_is_cut_at_the_cap(tmp_path: Path, db_path: Path, cli) -> None:
    """A 300,000-character tweet under the line limit is stored cut to MAX_TEXT characters."""
    archive = tmp_path / "long.jsonl"
    archive.write_text(good_line("Kestrel " + "y" * 300_000) + "\n", encoding="utf-8")
    assert cli("import", archive, "--db", db_path).code == 0
    (text,) = stored_texts(db_path)
    assert len(text) == MAX_TEXT and text.startswith("Kestrel y")


@pytest.mark.parametrize("value", ["0", "-1", "abc", "inf"])
def test_a_bad_line_limit_is_a_usage_error(tmp_path: Path, db_path: Path, cli, value: str) -> None:
    """`--max-line-mb 0` (or not a number) stops with exit 2 before reading anything."""
    archive = tmp_path / "a.jsonl"
    archive.write_text(good_line("Kestrel") + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stopped:
        cli("import", archive, "--max-line-mb", value, "--db", db_path)
    assert stopped.value.code == 2


def test_invalid_utf8_is_imported_with_a_warning_naming_the_line(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """Bytes that are not UTF-8 in a JSON line (the first, or any other) are read as U+FFFD,
    and the import warns naming the file, the line and the byte; the other lines are as
    they were."""
    archive = tmp_path / "latin1.jsonl"
    lines = [
        json.dumps(page([tweet(CRITIC, text)], [CRITIC]), ensure_ascii=False)
        for text in ("Kestrel Grüße eins", "Kestrel fine", "Kestrel ß")
    ]
    raw = [
        lines[0].encode().replace("ü".encode(), b"\xfc"),  # Latin-1, not UTF-8
        lines[1].encode(),
        lines[2].encode().replace("ß".encode(), b"\xdf"),
    ]
    archive.write_bytes(b"\n".join(raw) + b"\n")
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0, run.err
    assert stored_texts(db_path) == ["Kestrel Gr\ufffdße eins", "Kestrel fine", "Kestrel \ufffd"]
    for number, line in ((1, raw[0]), (3, raw[2])):
        byte = line.index(b"\xfc" if number == 1 else b"\xdf") + 1
        assert (
            f"warning {archive}:{number}: invalid UTF-8 at byte {byte}; read with U+FFFD"
        ) in run.out
    assert f"{archive}:2" not in run.out


def test_invalid_utf8_in_a_whole_document_is_imported_with_a_warning(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A pretty-printed document with a byte that is not UTF-8 imports, warning where."""
    document = tmp_path / "page.json"
    text = json.dumps(
        page([tweet(CRITIC, "Kestrel Grüße")], [CRITIC]), indent=2, ensure_ascii=False
    )
    data = text.encode()
    document.write_bytes(data.replace("ü".encode(), b"\xfc"))
    run = cli("import", document, "--db", db_path)
    assert run.code == 0, run.err
    assert stored_texts(db_path) == ["Kestrel Gr\ufffd\u00dfe"]
    byte = data.index("ü".encode()) + 1
    assert f"warning {document}: invalid UTF-8 at byte {byte}; read with U+FFFD" in run.out
