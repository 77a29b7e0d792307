"""Secrets echoed back by servers never reach the store, `status`, the Sources view or the
log; and the one redaction leaves ordinary words alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import responses
from textual.widgets import DataTable, Static

from cache.db.store import Store
from sources.model.records import SourceState
from sources.model.redact import REDACTED, redact
from tests.tui_helpers import workers_done
from tui.monitor import MonitorApp, MonitorOptions
from tui.sources_view import SourcesScreen

API = "https://api.twitter.com/2"
SEARCH = f"{API}/tweets/search/recent"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAKestrelTestBearer%2Fnot-real-0123456789"
CONFIG = '[x]\nqueries = ["Kestrel"]\nmentions_timeline = false\nambassador_timelines = false\n'

ECHOES: dict[str, dict[str, Any]] = {
    "400 detail quotes the header": {
        "status": 400,
        "json": {
            "title": "Invalid Request",
            "detail": f"Bad header: {{'Authorization': 'Bearer {TOKEN}'}}",
            "errors": [{"message": f"Authorization: Bearer {TOKEN} is malformed"}],
        },
    },
    "404 echoes the token alone": {
        "status": 404,
        "json": {"title": "Not Found", "detail": f"no such query for token {TOKEN}"},
    },
    "500 page echoes the request": {
        "status": 500,
        "body": f"<html>upstream said: Authorization: Bearer {TOKEN}</html>",
        "content_type": "text/html",
    },
    "403 names the token": {
        "status": 403,
        "json": {"title": "Forbidden", "detail": f"client {TOKEN} is not in this plan"},
    },
}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("answer", list(ECHOES.values()), ids=list(ECHOES))
def test_an_x_error_echoing_the_token_is_stored_and_shown_redacted(
    api: responses.RequestsMock,
    db_path: Path,
    tmp_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,
    answer: dict[str, Any],
) -> None:
    """When X quotes the Authorization header back, store, `status` and log hold no token."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    config = tmp_path / "echowatch.toml"
    config.write_text(CONFIG, encoding="utf-8")
    api.get(SEARCH, **answer)
    run = cli("collect", "--once", "--verbose", "--config", config, "--db", db_path)
    assert run.code == 1
    status = cli("status", "--db", db_path)
    assert status.code == 0 and "last error" in status.out
    for text in (run.out, run.err, status.out, status.err):
        assert TOKEN not in text and "KestrelTestBearer" not in text
    for stored in db_path.parent.glob(db_path.name + "*"):  # the store, its WAL and SHM
        assert b"KestrelTestBearer" not in stored.read_bytes(), stored.name
    with Store.open(db_path, readonly=True) as store:
        errors = [s.last_error for s in store.source_states() if s.last_error]
    assert errors  # the failure is still named, only the secret is gone


@pytest.mark.pilot
async def test_a_token_already_in_an_older_store_is_not_shown(
    db_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A `last_error` an older version stored in clear is redacted in `status` and Sources."""
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    leaked = f"X refused the request (Authorization: Bearer {TOKEN})"
    with Store.open(db_path) as store, store.writing():
        store.save_source_state(
            SourceState(name="x", kind="x", last_poll_at="2026-11-02T11:58:00Z")
        )
        store.conn.execute("UPDATE source_state SET last_error = ?", [leaked])
    status = cli("status", "--db", db_path)
    assert status.code == 0 and TOKEN not in status.out and REDACTED in status.out
    app = MonitorApp(MonitorOptions(db_path=db_path, mode="offline", tz=UTC, output_dir=Path()))
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await workers_done(app)
        await pilot.press("s")
        await pilot.pause()
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        shown = " ".join(str(cell) for cell in app.screen.query_one(DataTable).get_row("x"))
        status_line = str(app.query_one("#status", Static).render())
    assert "error" in shown and "KestrelTest" not in shown and "AAAAAAAA" not in shown
    assert "KestrelTest" not in status_line


@pytest.mark.parametrize(
    "text",
    [
        "feed updated, 3 new",
        "polled the feed; nothing changed",
        "X refused the request (tweet not found)",
        "token rejected (HTTP 401): check X_BEARER_TOKEN",
        "Authorization failed for this plan",
    ],
)
@pytest.mark.parametrize("token", ["t", "ed", "pda", "oll", "ange"])
def test_short_secrets_never_mangle_ordinary_words(
    text: str, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short token (a test value) is removed as a word, never out of "updated" or "polled"."""
    monkeypatch.setenv("X_BEARER_TOKEN", token)
    assert redact(text) == text
    assert redact(f"{text} [{token}]") == f"{text} [{REDACTED}]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: {REDACTED}"),
        ('{"authorization": "Bearer abc.def"}', f'{{"authorization": "{REDACTED}"}}'),
        ("bearer abc123 was rejected", f"bearer {REDACTED} was rejected"),
        ("GET /x?access_token=s3cr3t&page=2", f"GET /x?access_token={REDACTED}&page=2"),
    ],
)
def test_authorization_values_are_redacted_whatever_the_token(text: str, expected: str) -> None:
    """A bearer token or Authorization value is removed even when it is not the configured one."""
    assert redact(text) == expected


def test_app_passwords_and_access_tokens_in_the_environment_are_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Secrets for other services (`*_PASSWORD`, `*_TOKEN`) are redacted like the X token."""
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "zzTopSecretMastodon")
    text = json.dumps({"error": "abcd-efgh-ijkl-mnop rejected; zzTopSecretMastodon expired"})
    cleaned = redact(text)
    assert "abcd-efgh" not in cleaned and "zzTopSecret" not in cleaned
