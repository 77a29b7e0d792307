"""`app.py serve`: the monitor in a browser, one store for every viewer, read-only by default."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from textual.pilot import Pilot

from cache.db.store import Store, demo_db_path
from sources.model.records import SourceState
from sources.model.text import format_timestamp
from tests.browser import find_chromium, headless_page, wait_until
from tests.monitor_scenario import Scenario, build_store, frozen_clock
from tests.tui_helpers import status_of, workers_done
from tui.dialogs import ExportDialog
from tui.launch import LaunchPlan, plan_launch, topic_labels
from tui.monitor import MonitorApp, MonitorOptions
from tui.serve import ServeRequest, viewer_command

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the command line ------------------------------------------------------------------


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_bad_port_is_a_usage_error(cli, port: str) -> None:
    """`serve --port 99999` stops at once with exit 2 and says what a port must be."""
    with pytest.raises(SystemExit) as stopped:
        cli("serve", "--demo", "--port", port)
    assert stopped.value.code == 2


def test_port_message_names_the_range(cli, capsys: pytest.CaptureFixture[str]) -> None:
    """The error for a port out of range names the range a user can choose from."""
    with pytest.raises(SystemExit):
        cli("serve", "--port", "70000")
    assert "port 70000 is out of range (1-65535)" in capsys.readouterr().err


def test_port_in_use_is_a_usage_error(cli) -> None:
    """A port another program listens on: exit 2 naming host and port, nothing started."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--demo", "--port", str(port))
    assert result.code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.err
    assert not demo_db_path().exists()  # refused before the demo store was made


def test_host_not_of_this_machine_is_a_usage_error(cli) -> None:
    """A --host that is no address of this machine: exit 2 naming it."""
    result = cli("serve", "--demo", "--host", "192.0.2.1", "--port", str(free_port()))
    assert result.code == 2
    assert "192.0.2.1" in result.err


@pytest.mark.parametrize("speed", ["nan", "inf", "-1"])
def test_speed_that_is_no_finite_number_is_refused(cli, speed: str) -> None:
    """`serve --speed nan` stops at once with exit 2, as `--speed -1` does."""
    result = cli("serve", "--demo", "--speed", speed, "--port", str(free_port()))
    assert result.code == 2
    assert "--speed must be" in result.err and f"or more, not {speed}" in result.err
    assert not demo_db_path().exists()


# --- what each viewer runs -------------------------------------------------------------


def viewer_args(request: ServeRequest) -> list[str]:
    plan = plan_launch(
        db=request.db,
        config_path=request.config_path,
        demo=request.demo,
        offline=request.offline,
        speed=request.speed,
    )
    return shlex.split(viewer_command(request, plan))


def test_every_viewer_browses_the_one_store_read_only(tmp_path: Path) -> None:
    """Each browser gets an offline, read-only monitor on the demo store the server fills."""
    args = viewer_args(ServeRequest(program=APP, demo=True))
    assert args[:2] == [sys.executable, str(APP)]
    assert args[args.index("--db") + 1] == str(demo_db_path())
    assert "--offline" in args and "--read-only" in args
    assert "--demo" not in args  # a viewer never starts a second replay into the store


def test_writable_viewers_may_write(tmp_path: Path) -> None:
    """`serve --writable` runs the viewers without --read-only, on the same store."""
    build_store(tmp_path / "store.db")
    args = viewer_args(
        ServeRequest(program=APP, db=str(tmp_path / "store.db"), offline=True, writable=True)
    )
    assert args[args.index("--db") + 1] == str(tmp_path / "store.db")
    assert "--offline" in args and "--read-only" not in args


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_store(tmp_path / "store.db")


def viewer_app(scenario: Scenario, tmp_path: Path, *, read_only: bool) -> MonitorApp:
    return MonitorApp(
        MonitorOptions(
            db_path=scenario.path,
            mode="offline",
            config=scenario.config,
            clock=frozen_clock,
            output_dir=tmp_path,
            topics=topic_labels(scenario.config),
            read_only=read_only,
        )
    )


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(2):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


@pytest.mark.pilot
async def test_read_only_viewer_offers_no_export(scenario: Scenario, tmp_path: Path) -> None:
    """A read-only viewer shows no Export key and `e` opens no export dialog."""
    app = viewer_app(scenario, tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "export" not in {b.binding.action for b in app.active_bindings.values()}
        await pilot.press("e")
        await settle(pilot)
        assert not isinstance(app.screen, ExportDialog)
    assert list(tmp_path.glob("echowatch-*")) == []


@pytest.mark.pilot
async def test_writable_viewer_can_export(scenario: Scenario, tmp_path: Path) -> None:
    """Without --read-only the same monitor offers Export (the dialog opens on `e`)."""
    app = viewer_app(scenario, tmp_path, read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)


def announce_next_poll(path: Path, due: datetime) -> None:
    """What a collector in another process leaves in the store after a poll."""
    with Store.open(path) as store, store.writing():
        store.save_source_state(
            SourceState(
                name="demo",
                kind="demo",
                last_poll_at=format_timestamp(due - timedelta(seconds=5)),
                next_poll_at=format_timestamp(due),
            )
        )


async def test_a_viewer_of_a_collected_store_says_live(scenario: Scenario, tmp_path: Path) -> None:
    """While the server (or any collector) keeps polling the store, a read-only viewer says
    LIVE, not OFFLINE: its rows do move."""
    announce_next_poll(scenario.path, frozen_clock() + timedelta(seconds=20))
    app = viewer_app(scenario, tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_of(app).startswith("● LIVE read-only viewer")
        assert "OFFLINE" not in status_of(app)


async def test_a_viewer_says_offline_once_the_collector_stopped(
    scenario: Scenario, tmp_path: Path
) -> None:
    """A collector that stopped long ago leaves its last announcement: the viewer says
    OFFLINE (and that it is a read-only viewer); a plain --offline monitor says OFFLINE."""
    announce_next_poll(scenario.path, frozen_clock() - timedelta(hours=2))
    app = viewer_app(scenario, tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_of(app).startswith("○ OFFLINE read-only viewer · nothing polled")


async def test_an_offline_monitor_names_the_other_collector(
    scenario: Scenario, tmp_path: Path
) -> None:
    """`--offline` beside a running `collect` or live monitor: LIVE, collected elsewhere."""
    announce_next_poll(scenario.path, frozen_clock() + timedelta(seconds=20))
    app = viewer_app(scenario, tmp_path, read_only=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert status_of(app).startswith("● LIVE collected by another process")


# --- `o` in a browser: the real web driver ------------------------------------------------


def packet(kind: bytes, payload: bytes) -> bytes:
    """One packet of textual-serve's protocol to the app: kind, big-endian size, payload."""
    return kind + len(payload).to_bytes(4, "big") + payload


def meta(**fields: object) -> bytes:
    return packet(b"M", json.dumps(fields).encode())


def read_packets(stream: IO[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """The app's packets to textual-serve, as they come (kind, payload), after the line
    the web driver opens its output with."""
    assert stream.readline() == b"__GANGLION__\n"
    while head := stream.read(5):
        size = int.from_bytes(head[1:5], "big")
        yield head[:1], stream.read(size)


@pytest.mark.slow
def test_o_in_a_browser_opens_the_link_in_the_viewers_browser(scenario: Scenario) -> None:
    """Under textual-serve's web driver, `o` sends the link to the viewer's browser (an
    `open_url` message to textual-serve), not to a browser on the server machine."""
    with Store.open(scenario.path, readonly=True) as store:
        url = store.conn.execute(
            "SELECT url FROM mentions ORDER BY created_at DESC, id DESC LIMIT 1"
        ).fetchone()[0]
    env = {
        **os.environ,
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "COLUMNS": "120",
        "ROWS": "40",
        "BROWSER": "false",  # were it to open one here, that would fail and say so
    }
    command = shlex.split(viewer_command(ServeRequest(program=APP), _offline_plan(scenario)))
    viewer = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert viewer.stdin is not None and viewer.stdout is not None
    watchdog = threading.Timer(120, viewer.kill)  # a viewer that never answers ends the read
    watchdog.start()
    try:
        viewer.stdin.write(meta(type="resize", width=120, height=40))
        viewer.stdin.flush()
        opened = None
        for kind, payload in read_packets(viewer.stdout):
            if kind == b"D" and b"h4x" in payload and opened is None:
                viewer.stdin.write(packet(b"D", b"o"))  # the feed is up: press o
                viewer.stdin.flush()
                opened = False
            elif kind == b"M" and json.loads(payload).get("type") == "open_url":
                opened = json.loads(payload)["url"]
                break
        assert opened == url
    finally:
        watchdog.cancel()
        viewer.kill()
        viewer.wait()


def _offline_plan(scenario: Scenario) -> LaunchPlan:
    return plan_launch(db=str(scenario.path), config_path=None, demo=False, offline=True, speed=1.0)


# --- a real browser --------------------------------------------------------------------


@pytest.fixture
def chromium() -> str:
    """Chromium from the distribution (.ci/run installs Debian's `chromium`)."""
    found = find_chromium()
    if found is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install -y chromium; .ci/run does)")
    return found


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, str(APP), "serve", "--demo", "--speed", "20", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "120"},
    )
    try:
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def newest_authors(path: Path) -> list[str]:
    if not path.exists():
        return []
    with Store.open(path, readonly=True) as store:
        rows = store.conn.execute(
            "SELECT author FROM mentions ORDER BY created_at DESC LIMIT 5"
        ).fetchall()
    return [author for (author,) in rows if author]


@pytest.mark.slow
async def test_browser_shows_the_demo_feed(
    chromium: str, served_demo: tuple[int, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """`app.py serve --demo` in headless Chromium: the page connects and shows the feed's rows."""
    port, server = served_demo
    await wait_until(lambda: listening(port), limit=120, what="serve did not listen")
    async with headless_page(chromium, width=1280, height=800) as page:
        await page.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
        # The intro card goes when the app's first byte arrives (class -first-byte).
        await wait_until(
            lambda: page.evaluate("document.body && document.body.className"),
            limit=60,
            what="the page did not load",
        )

        async def first_byte() -> bool:
            return "-first-byte" in (await page.evaluate("document.body.className") or "")

        await wait_until(first_byte, limit=180, what="the monitor never reached the page")

        def shows_a_stored_author() -> bool:
            text = page.received_text()
            return "Time" in text and any(a in text for a in newest_authors(demo_db_path()))

        await wait_until(shows_a_stored_author, limit=120, what="no feed row reached the page")
        assert server.poll() is None
        shot = await page.screenshot(tmp_path / "serve.png")
    assert (
        shot.startswith(b"\x89PNG") and len(shot) > 60_000
    )  # a drawn feed (the intro card alone is ~26 kB)


async def test_the_served_page_loads_nothing_from_other_hosts(
    served_demo: tuple[int, subprocess.Popen[bytes]],
) -> None:
    """The page a browser gets from `serve` loads its script and styles from the server
    only: no font or stylesheet from another host (textual-serve's page asks Google)."""
    port, server = served_demo
    await wait_until(lambda: listening(port), limit=120, what="serve did not listen")
    assert server.poll() is None
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
        page = answer.read().decode("utf-8")
    loaded = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    assert any(address.endswith("textual.js") for address in loaded)
    foreign = [a for a in loaded if re.match(r"(?:https?:)?//", a) and f":{port}/" not in a]
    assert foreign == []
