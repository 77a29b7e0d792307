"""No secret reaches a process Echowatch starts: the browser `o` opens, each `serve` viewer,
notify_command. The sources that need a secret still get it."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import tui.serve
from tests.feedserver import FeedServer, Route
from tests.monitor_scenario import build_store
from tests.test_monitor_marks import go_to, wait_until
from tests.test_serve import free_port
from tests.tui_helpers import settle
from tui.monitor import MonitorApp

SECRETS = {
    "X_BEARER_TOKEN": "child-test-x-token-0001",
    "MASTODON_ACCESS_TOKEN": "child-test-masto-token-0002",
    "BLUESKY_APP_PASSWORD": "child-test-bsky-pass-0003",
}


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """All three secrets in the environment Echowatch is started with."""
    monkeypatch.setenv("BLUESKY_HANDLE", "watcher.bsky.social")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return SECRETS


def env_dumper(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A program that writes its environment (JSON) to a file: the script and the file."""
    out = tmp_path / f"{name}.json"
    script = tmp_path / name
    script.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"open({str(out) + '.part'!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        f"os.replace({str(out) + '.part'!r}, {str(out)!r})\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, out


def assert_no_secret(env: dict[str, str]) -> None:
    leaked = [name for name, value in SECRETS.items() if name in env or value in env.values()]
    assert not leaked, leaked
    assert env.get("BLUESKY_HANDLE") == "watcher.bsky.social"  # the rest is passed on


@pytest.mark.pilot
def test_the_browser_o_opens_gets_no_secret(
    secrets: dict[str, str], tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`o` in the monitor (started by the command line) runs $BROWSER without any token."""
    scenario = build_store(tmp_path / "store.db")
    browser, written = env_dumper(tmp_path, "browser")
    monkeypatch.setenv("BROWSER", str(browser))
    # webbrowser looks for browsers once per process: make it look again, here.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})

    def press_o(app: MonitorApp) -> None:
        async def drive() -> None:
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                await go_to(pilot, app, scenario.critical_id)
                await pilot.press("o")
                await wait_until(pilot, written.exists)

        asyncio.run(drive())

    monkeypatch.setattr(MonitorApp, "run", press_o)
    run = cli("--db", scenario.path, "--offline")
    assert run.code == 0, run.err
    assert_no_secret(json.loads(written.read_text()))


@dataclass
class MastodonSearch:
    """A Mastodon instance whose search answers (empty) only with the right token."""

    server: FeedServer
    tokens: list[str] = field(default_factory=list)
    """The Authorization header of each search, as it came."""
    searched: threading.Event = field(default_factory=threading.Event)

    def answer(self, path: str) -> Route:
        self.tokens.append(self.server.request_headers[path][-1].get("Authorization", ""))
        self.searched.set()
        nothing_found: dict[str, list[object]] = {"accounts": [], "statuses": [], "hashtags": []}
        return Route(
            body=json.dumps(nothing_found).encode(), headers={"Content-Type": "application/json"}
        )


@pytest.fixture
def mastodon() -> Iterator[MastodonSearch]:
    with FeedServer() as server:
        instance = MastodonSearch(server)
        server.prefix_routes["/api/v2/search"] = instance.answer
        yield instance


def test_serve_viewers_get_no_secret_and_its_collector_keeps_them(
    secrets: dict[str, str],
    tmp_path: Path,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    mastodon: MastodonSearch,
) -> None:
    """A process textual-serve starts for a viewer holds no token, while `serve`'s own
    collector still searches Mastodon with its token."""
    from textual_serve.app_service import AppService

    scenario = build_store(tmp_path / "store.db")
    config = tmp_path / "echowatch.toml"
    config.write_text(
        f'[mastodon]\ninstance = "{mastodon.server.url("")}"\nqueries = ["Kestrel"]\n',
        encoding="utf-8",
    )
    probe, written = env_dumper(tmp_path, "viewer")
    served: list[str] = []

    class Server:
        """textual-serve's Server, but its one viewer is `probe`, started the way
        textual-serve starts every viewer; it stops once the collector has searched."""

        def __init__(self, command: str, **options: object) -> None:
            served.append(command)

        def serve(self) -> None:
            async def one_viewer() -> None:
                service = AppService(
                    str(probe),
                    write_bytes=None,  # type: ignore[arg-type]
                    write_str=None,  # type: ignore[arg-type]
                    close=None,  # type: ignore[arg-type]
                    download_manager=None,  # type: ignore[arg-type]
                )
                viewer = await service._open_app_process(120, 40)
                await viewer.wait()

            asyncio.run(one_viewer())
            assert mastodon.searched.wait(timeout=60)

    monkeypatch.setattr(tui.serve, "TeamServer", Server)
    run = cli("serve", "--db", scenario.path, "--config", config, "--port", free_port())
    assert run.code == 0, run.err
    assert "--offline" in served[0] and "--read-only" in served[0]
    assert_no_secret(json.loads(written.read_text()))
    assert mastodon.tokens and set(mastodon.tokens) == {
        f"Bearer {SECRETS['MASTODON_ACCESS_TOKEN']}"
    }


def test_a_command_leaves_the_environment_as_it_found_it(
    secrets: dict[str, str], tmp_path: Path, cli: Any
) -> None:
    """Run in-process (as tests do), a command puts the secrets back when it returns."""
    import os

    cli("status", "--db", tmp_path / "none.db")
    assert {name: os.environ.get(name) for name in SECRETS} == SECRETS
