"""`app.py classify`: JSON Lines in, topics, matched words and roles out, line by line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def answers(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_classify_reads_jsonl_and_answers_each_line(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each input line gets its id, topics, matched words and, with an author, a role."""
    lines = [
        {"id": "a1", "text": "Warnstreik bei Kestrel, Verdi fordert mehr Lohn", "lang": "de"},
        {"text": "Lovely weather"},
        {
            "id": 7,
            "text": "I love my job",
            "author": {"handle": "kestrel_mia", "name": "Mia | FC Ambassador"},
        },
        {"text": "lol", "author": {"handle": "x", "name": "Mia (Parodie)", "bio": ""}},
    ]
    feed_stdin(monkeypatch, "\n".join(json.dumps(x) for x in lines).encode())
    result = cli("classify")
    assert result.code == 0, result.err
    first, second, third, fourth = answers(result.out)
    assert first["id"] == "a1"
    assert first["topics"] == ["pay", "strikes", "unions"]
    assert first["matches"] == {"pay": ["Lohn"], "strikes": ["Warnstreik"], "unions": ["Verdi"]}
    assert "role" not in first
    assert second == {
        "line": 2,
        "id": None,
        "topics": [],
        "topics_from_thread": [],
        "matches": {},
    }
    assert (third["id"], third["role"]) == (7, "ambassador")
    assert fourth["role"] == "parody" and "Parodie" in fourth["role_reason"]


def test_bad_lines_get_an_error_line_and_the_rest_go_on(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Broken JSON, a missing or null text or bad bytes each give an error line saying
    which; the others still work."""
    data = (
        b'{"text": "Streik"}\n{not json\n{"id": "x"}\n\xff\xfe\n[1]\n{"text": "Steuern"}\n'
        b'{"text": null}\n{}\n'
    )
    feed_stdin(monkeypatch, data)
    result = cli("classify")
    assert result.code == 1
    out = answers(result.out)
    topics = [o.get("topics") for o in out]
    assert topics == [["strikes"], None, None, None, None, ["taxes"], None, None]
    assert out[1]["error"].startswith("line 2: not valid JSON")
    assert out[2]["error"] == "line 3: 'text' is missing (a string is required)"
    assert out[3]["error"] == "line 4: not UTF-8 text"
    assert out[4]["error"] == "line 5: expected a JSON object, got a list"
    assert out[6]["error"] == "line 7: 'text' should be a string, got null"
    assert out[7]["error"] == "line 8: 'text' is missing (a string is required)"
    assert "6 line(s) could not be classified" in result.err


def test_classify_uses_the_config_topics(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Topics added in `--config` are used; a bad term is a config error (exit 2)."""
    config = tmp_path / "config.toml"
    config.write_text('[topics.delivery]\nlabel = "Delivery"\nen = ["late parcel*"]\n')
    feed_stdin(monkeypatch, b'{"text": "Three late parcels this week"}\n')
    result = cli("classify", "--config", config)
    assert answers(result.out)[0]["topics"] == ["delivery"]
    config.write_text('[topics.pay]\nen = ["wa(ge"]\n')
    feed_stdin(monkeypatch, b'{"text": "x"}\n')
    result = cli("classify", "--config", config)
    assert result.code == 2
    assert "topics.pay.en[0]" in result.err


def test_reply_without_topic_words_takes_the_topics_of_its_parent_text(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Not at my site!" under a post about bathroom breaks is about working conditions,
    marked as from the thread; a reply with words of its own keeps only its own."""
    parent = "They time our bathroom breaks at Kestrel"
    lines = [
        {"id": "r1", "text": "Not at my site!", "parent_text": parent},
        {"id": "r2", "text": "And the pay is a joke", "parent_text": parent},
        {"id": "r3", "text": "Not at my site!"},
        {"id": "r4", "text": "Not at my site!", "parent_text": 5},
    ]
    feed_stdin(monkeypatch, "\n".join(json.dumps(x) for x in lines).encode())
    result = cli("classify")
    first, second, third, fourth = answers(result.out)
    assert first["topics"] == ["working_conditions"]
    assert first["topics_from_thread"] == ["working_conditions"]
    assert first["matches"] == {}
    assert (second["topics"], second["topics_from_thread"]) == (["pay"], [])
    assert (third["topics"], third["topics_from_thread"]) == ([], [])
    assert fourth["error"] == "line 4: 'parent_text' should be a string, got a number"
    assert result.code == 1


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b"[" * 100_000, "JSON nested 100000 levels deep (the limit is 64)"),
        (
            b'{"text": "Lohn", "n": ' + b"7" * 5000 + b"}",
            "JSON holds a number of 5000 digits (the limit is 4300)",
        ),
    ],
    ids=["nested-100000-deep", "number-of-5000-digits"],
)
def test_a_line_import_refuses_is_refused_in_its_words_and_the_rest_go_on(
    cli: Any, monkeypatch: pytest.MonkeyPatch, line: bytes, error: str
) -> None:
    """A line of 100,000 brackets, or with a 5,000-digit number, gets an error line saying
    so as `import` says it, and the line after it is still classified."""
    feed_stdin(monkeypatch, b'{"text": "Streik"}\n' + line + b'\n{"text": "Lohn"}\n')
    result = cli("classify")
    assert result.code == 1
    out = answers(result.out)
    assert [o.get("topics") for o in out] == [["strikes"], None, ["pay"]]
    assert out[1]["error"] == f"line 2: {error}"


def test_a_json_mistake_is_named_once_with_its_column(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An unterminated string reads "starting at column 10" in `classify` and `import`
    alike, not "starting at at column"."""
    feed_stdin(monkeypatch, b'{"text": "Streik\n')
    result = cli("classify")
    expected = "not valid JSON (Unterminated string starting at column 10)"
    assert answers(result.out)[0]["error"] == f"line 1: {expected}"
    archive = tmp_path / "two.jsonl"
    archive.write_text('{"data": []}\n{"text": "Streik', encoding="utf-8")
    imported = cli("import", "--db", tmp_path / "store.db", archive)
    assert "invalid or truncated JSON (Unterminated string starting at column 10)" in imported.out
    assert "at at" not in imported.out
