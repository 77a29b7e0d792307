"""`app.py classify` reads Echowatch's own `export --format jsonl` rows and other
real-world shapes (author as a handle string, a null author or name)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    stream = io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stream)


def answers(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_exported_rows_classify_with_their_own_topics(
    cli: Any, stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`export --format jsonl | classify` answers every row with a role and the topics the
    stored text has itself (a row carries no parent text, nor the bio behind some roles)."""
    exported = cli("export", "--db", stored, "--format", "jsonl")
    assert exported.code == 0, exported.err
    rows = [json.loads(line) for line in exported.out.splitlines()]
    assert rows and isinstance(rows[0]["author"], str)
    feed_stdin(monkeypatch, exported.out)
    result = cli("classify")
    assert result.code == 0, result.err
    got = answers(result.out)
    assert [a.get("error") for a in got] == [None] * len(rows)
    assert [(a["id"], sorted(a["topics"])) for a in got] == [
        (r["id"], sorted(set(r["topics"]) - set(r["topics_from_thread"]))) for r in rows
    ]
    assert all(a["role"] in ("public", "press", "ambassador", "parody", "official") for a in got)


def test_a_feed_row_keeps_its_press_role(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exported feed item's author is press, as in the store (its platform is read)."""
    row = {"id": "rss:1", "platform": "rss", "author": "Jane Doe", "author_name": None}
    feed_stdin(monkeypatch, json.dumps({**row, "text": "Lohn"}) + "\n")
    result = cli("classify")
    assert result.code == 0, result.err
    assert answers(result.out)[0]["role"] == "press"


def test_a_null_name_or_author_is_no_name(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Bluesky account without a display name (`name: null`) and a null author classify."""
    lines = [
        {"text": "Streik", "author": {"handle": "a.bsky.social", "name": None, "bio": None}},
        {"text": "Streik", "author": None},
        {"text": "Streik", "author": "@critic", "author_name": "Mia | FC Ambassador"},
    ]
    feed_stdin(monkeypatch, "\n".join(json.dumps(x) for x in lines))
    result = cli("classify")
    assert result.code == 0, result.err
    first, second, third = answers(result.out)
    assert first["role"] == "public" and first["topics"] == ["strikes"]
    assert "role" not in second and second["topics"] == ["strikes"]
    assert third["role"] == "ambassador"


def test_the_labelled_real_posts_classify_without_errors(
    cli: Any, realworld: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line of the labelled real-world posts gets an answer, none an error."""
    text = (realworld / "texts" / "labelled_posts.jsonl").read_text(encoding="utf-8")
    feed_stdin(monkeypatch, text)
    result = cli("classify")
    assert result.code == 0, result.err
    got = answers(result.out)
    assert len(got) == len(text.splitlines())
    assert [a for a in got if "error" in a] == []
