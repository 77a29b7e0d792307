"""`app.py serve` as a real process: it stops at once with viewers connected, and says
what a `--host` open to every network means."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.browser import wait_until
from tests.builders import rss
from tests.feedserver import FeedServer
from tests.monitor_scenario import build_store
from tests.test_serve import APP, free_port, listening

pytestmark = pytest.mark.slow
"""Each test starts `app.py serve` and its viewers' monitors: the slow tier."""

STOPPED_WITHIN_S = 6.0
"""A stop with viewers connected: each viewer's monitor quits (about a second on a busy
machine); aiohttp's own wait ended only when a websocket heartbeat failed, 7 to 22 s."""


def serve(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    state = {f"XDG_{k}_HOME": str(tmp_path / k.lower()) for k in ("STATE", "DATA", "CONFIG")}
    return subprocess.Popen(
        [sys.executable, str(APP), "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **state, "COLUMNS": "120"},
    )


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.feed(
            "/feed.xml", rss("News", [{"title": "Kestrel calm", "link": "https://n.example/1"}])
        )
        yield running


def viewers_of(db_path: Path) -> list[int]:
    """Pids of the monitors (and their shells) still running on `db_path`."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(db_path).encode() in command and b"--offline" in command:
            found.append(int(proc.name))
    return found


async def drain(socket: aiohttp.ClientWebSocketResponse) -> None:
    async for _ in socket:
        pass


async def test_sigterm_with_viewers_stops_the_collector_and_the_viewers_at_once(
    tmp_path: Path, feeds: FeedServer
) -> None:
    """SIGTERM to `serve` with two viewers connected: it exits within seconds, its
    collector polls no more, no viewer's monitor is left, and no asyncio warning."""
    db_path = build_store(tmp_path / "store.db").path
    config = tmp_path / "serve.toml"
    config.write_text(
        f'[[feeds]]\nname = "local"\nurl = "{feeds.url("/feed.xml")}"\npoll_seconds = 1\n',
        encoding="utf-8",
    )
    port = free_port()
    server = serve(tmp_path, "--db", str(db_path), "--config", str(config), "--port", str(port))
    try:
        await wait_until(lambda: listening(port), limit=120, what="serve did not listen")
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/ws?width=100&height=30"
            sockets = [await session.ws_connect(url) for _ in range(2)]
            for socket in sockets:
                await socket.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                await asyncio.wait_for(socket.receive(), 120)  # its monitor drew something
            # A browser reads on (and so answers the server's close), as each reader here.
            readers = [asyncio.create_task(drain(socket)) for socket in sockets]
            await wait_until(lambda: feeds.hits["/feed.xml"] >= 2, limit=60, what="no polls")
            polls = feeds.hits["/feed.xml"]
            server.send_signal(signal.SIGTERM)
            asked = time.monotonic()
            output, _ = await asyncio.to_thread(server.communicate, timeout=60)
            took = time.monotonic() - asked
            await asyncio.wait_for(asyncio.gather(*readers), 60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    log = output.decode("utf-8", "replace")
    assert took < STOPPED_WITHIN_S, log
    assert feeds.hits["/feed.xml"] <= polls + 1, "the collector went on polling"  # 1: in flight
    assert "is closed" not in log and "Traceback" not in log, log
    assert viewers_of(db_path) == []


def test_a_host_open_to_every_network_warns_at_start(tmp_path: Path) -> None:
    """`serve --host 0.0.0.0` says at once that browsers must use this machine's address
    and that there is no login."""
    db_path = build_store(tmp_path / "store.db").path
    server = serve(
        tmp_path, "--db", str(db_path), "--offline", "--host", "0.0.0.0", "--port", str(free_port())
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().decode("utf-8", "replace")
    finally:
        server.terminate()
        server.communicate(timeout=60)
    assert "0.0.0.0" in first and "no login" in first, first
