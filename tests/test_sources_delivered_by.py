"""The Sources view (`s`): a place's health is that of what really delivers its mentions.

A place such as `mastodon:tag` follows the endpoints that fill it (`mastodon/tag:*`),
not another endpoint of the same service; an imported file is `stored`, whatever the
live source of its platform is doing. The rows are the view's own (`source_rows` over
`app.py status`'s data), read from a store that a real `collect` round filled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read.status import store_status
from tests.builders import page, tweet, user
from tests.feedserver import FeedServer
from tests.test_social_collect import CRITIC, serve_scene
from tui.sources_view import SourceRow, health_word, source_rows

LOGINS = ("MASTODON_ACCESS_TOKEN", "BLUESKY_HANDLE", "BLUESKY_APP_PASSWORD")


def rows_of(db_path: Path) -> dict[str, SourceRow]:
    with Store.open(db_path, readonly=True) as store:
        return {row.name: row for row in source_rows(store_status(store))}


def test_a_working_hashtag_and_author_feed_are_ok_beside_a_failing_search(
    realworld: Path, tmp_path: Path, db_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mastodon:tag` and `bluesky:feed` are `ok`, delivered by their own endpoints, while
    the searches of the same services fail for want of a login."""
    for name in LOGINS:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "echowatch.toml"
    with FeedServer() as server:
        serve_scene(server)
        config.write_text(
            f'[bluesky]\nservice = "{server.url("")}"\nhandles = ["{CRITIC["handle"]}"]\n'
            'queries = ["Kestrel"]\n\n'
            f'[mastodon]\ninstance = "{server.url("")}"\nhashtags = ["kestrel"]\n'
            'queries = ["halcy"]\n',
            encoding="utf-8",
        )
        assert cli("collect", "--once", "--config", config, "--db", db_path).code == 1
    rows = rows_of(db_path)
    assert health_word(rows["mastodon"]) == "error"  # the whole service: a search failed
    for place, endpoint in (
        ("mastodon:tag", "mastodon/tag:kestrel"),
        ("bluesky:feed", f"bluesky/feed:{CRITIC['handle']}"),
    ):
        row = rows[place]
        assert row.mentions > 0
        assert health_word(row) == "ok", row
        assert row.via is not None and row.via.name == endpoint
        assert row.via.last_error is None


def test_an_imported_file_is_stored_while_the_live_source_of_its_platform_fails(
    tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """An imported X file is `stored` and delivered by nothing, while the live X source
    (no token here) is in error: X never delivered those mentions."""
    author = user("critic")
    imported = tmp_path / "bg.jsonl"
    imported.write_text(json.dumps(page([tweet(author, "Kestrel pay is low")], [author])) + "\n")
    assert cli("import", "--db", db_path, imported).code == 0
    config = tmp_path / "echowatch.toml"
    config.write_text('[x]\nqueries = ["Kestrel"]\n', encoding="utf-8")
    assert cli("collect", "--once", "--config", config, "--db", db_path).code == 1
    rows = rows_of(db_path)
    assert health_word(rows["x"]) == "error"
    row = rows["bg.jsonl"]
    assert (row.platform, row.mentions, row.via) == ("x", 1, None)
    assert health_word(row) == "stored"
