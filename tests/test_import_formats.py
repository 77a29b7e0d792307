"""Which platform `app.py import` takes a JSON object for: a Mastodon status is never read
as an X tweet because it has `id` and `text`, and an object that is neither is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from tests.builders import page, tweet, user
from tests.store_helpers import counts, write_jsonl


def deleted_status(realworld: Path) -> dict[str, Any]:
    """Mastodon's answer to DELETE /api/v1/statuses/:id: the status with its source `text`
    and no `content`."""
    bodies = json.loads(
        (realworld / "mastodon" / "mastodonpy_test_hashtag_tl.bodies.json").read_text()
    )
    body = bodies[3]["body"]
    status = json.loads(body) if isinstance(body, str) else body
    assert "text" in status and "content" not in status
    return status


def stored_rows(db_path: Path) -> list[dict[str, Any]]:
    with Store.open(db_path, readonly=True) as store:
        return list(store.rows("SELECT id, platform, author, text FROM mentions ORDER BY id"))


@pytest.mark.parametrize("form", ["document", "json lines", "array with a tweet page"])
def test_a_status_with_text_and_no_content_is_mastodon(
    form: str, realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """The DELETE answer (text, no content) is stored as a Mastodon status of its instance
    with its words, however the file holds it; an X page beside it stays X."""
    status = deleted_status(realworld)
    author = user("critic")
    x_page = page([tweet(author, "Kestrel", tweet_id="1860000000000000001")], [author])
    if form == "document":
        path = tmp_path / "deleted.json"
        path.write_text(json.dumps(status), encoding="utf-8")
    elif form == "json lines":
        path = write_jsonl(tmp_path / "mixed.jsonl", [x_page, status])
    else:
        path = tmp_path / "mixed.json"
        path.write_text(json.dumps([x_page, status]), encoding="utf-8")
    run = cli("import", "--db", db_path, path)
    assert run.code == 0, run.err
    mastodon = {
        "id": "mastodon:localhost:3000:117020593741189701",
        "platform": "mastodon",
        "author": "mastodonpy_test_2@localhost:3000",
        "text": "#hoot (hashtag toot)",
    }
    rows = stored_rows(db_path)
    assert mastodon in rows
    x_ids = [r["id"] for r in rows if r["platform"] == "x"]
    assert x_ids == ([] if form == "document" else ["x:1860000000000000001"])


def test_an_object_that_is_neither_is_refused_with_its_reason(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """An object with `id` and `text` but Mastodon's `account`/`uri` that is no whole
    status either is skipped (or refused as a file), saying so; nothing is stored as X."""
    odd = {"id": "117020593741189701", "text": "hello", "account": "someone", "uri": "x"}
    lines = write_jsonl(tmp_path / "odd.jsonl", [odd, page([], [])])
    document = tmp_path / "odd.json"
    document.write_text(json.dumps(odd), encoding="utf-8")
    run = cli("import", "--db", db_path, lines, document)
    assert run.code == 1
    assert counts(run.out) == (0, 0, 1)
    reason = "not an X tweet (it has Mastodon's account, uri) nor a whole Mastodon status"
    assert f"skipped {lines}:1: {reason}" in run.out
    assert f"error {document}: JSON, but {reason}" in run.err
    assert stored_rows(db_path) == []
