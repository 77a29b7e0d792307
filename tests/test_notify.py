"""notify_command gets the top posts' words and links; a dry run shows it; the example
scripts in docs/ turn it into a desktop notification and a chat message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

import app
from cache.alerts.rules import list_alerts
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from tests.store_helpers import DAY0, STRIKE_TEXT, add_posts, recorder_command, steady_days
from tests.store_helpers import alerts_config as _config

NOTIFY_SCRIPTS = Path(__file__).resolve().parents[1] / "cache" / "alerts"


def test_notify_command_gets_text_author_and_link(db_path: Path, tmp_path: Path) -> None:
    """Each top post arrives with what a notification shows: text, author and link."""
    received = tmp_path / "alerts.jsonl"
    config = _config(tmp_path, notify_command=recorder_command(received))
    with Store.open(db_path) as store:
        steady_days(store, 8)
        spike = DAY0 + timedelta(days=8, hours=9)
        add_posts(store, spike, 48, STRIKE_TEXT)
        AlertWatcher(config, store=store).check(spike + timedelta(minutes=59))
    payloads = [json.loads(line) for line in received.read_text().splitlines()]
    strikes = next(p for p in payloads if p["topic"] == "strikes")
    assert strikes["summary"].startswith("strikes: 48 mentions")
    posts = strikes["top_posts"]
    assert posts and [p["id"] for p in posts] == strikes["top_ids"][: len(posts)]
    for post in posts:
        assert post["stored"] and post["author"] == "@critic"
        assert STRIKE_TEXT in post["text"]
        assert post["url"] == f"https://x.com/critic/status/{post['id'].removeprefix('x:')}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notify") / "demo.db"
    assert app.main(["import", "--demo", "--db", str(path)]) == 0
    return path


def test_dry_run_prints_the_payload_and_runs_nothing(cli, demo_db: Path, tmp_path: Path) -> None:
    """`alerts --notify-dry-run` shows what the command would get; nothing runs or is marked."""
    ran = tmp_path / "ran"
    config = tmp_path / "c.toml"
    config.write_text(f'[alerts]\nnotify_command = "touch {ran}"\n', encoding="utf-8")
    run = cli("alerts", "--db", demo_db, "--notify-dry-run", "--config", config)
    assert run.code == 0, run.err
    payload = json.loads(run.out)
    with Store.open(demo_db, readonly=True) as store:
        newest = list_alerts(store)[0]
    assert payload["id"] == newest.id and newest.notified_at is None
    assert payload["top_posts"] and all(p["text"] and p["url"] for p in payload["top_posts"])
    assert f"notify_command would run: touch {ran}" in run.err
    assert not ran.exists()


def _payload(demo_db: Path) -> bytes:
    done = subprocess.run(
        [
            sys.executable,
            str(Path(app.__file__)),
            "alerts",
            "--db",
            str(demo_db),
            "--notify-dry-run",
        ],
        capture_output=True,
        check=True,
    )
    return done.stdout


class _Hook(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        type(self).bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[tuple[str, list[bytes]]]:
    _Hook.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.bodies
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_script_posts_the_alert_to_a_chat(demo_db: Path, hook) -> None:
    """cache/alerts/notify-webhook.sh posts the summary and each top post's link to the chat."""
    url, bodies = hook
    payload = _payload(demo_db)
    done = subprocess.run(
        ["sh", str(NOTIFY_SCRIPTS / "notify-webhook.sh")],
        input=payload,
        env={**os.environ, "ECHOWATCH_WEBHOOK_URL": url},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    message = json.loads(bodies[0])["text"]
    alert = json.loads(payload)
    assert alert["summary"] in message
    assert all(p["url"] in message for p in alert["top_posts"] if p["stored"])


def test_desktop_script_calls_notify_send_safely(demo_db: Path, tmp_path: Path) -> None:
    """cache/alerts/notify-desktop.sh calls notify-send with the topic and the top posts as text.

    notify-send is replaced by a recorder on PATH: the desktop itself is not under test.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "args.json"
    recorder = bin_dir / "notify-send"
    recorder.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n",
        encoding="utf-8",
    )
    recorder.chmod(0o755)
    payload = _payload(demo_db)
    done = subprocess.run(
        ["sh", str(NOTIFY_SCRIPTS / "notify-desktop.sh")],
        input=payload,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    args = json.loads(record.read_text())
    alert = json.loads(payload)
    assert args[:3] == ["--app-name=Echowatch", "--", f"Echowatch spike: {alert['topic']}"]
    first = alert["top_posts"][0]
    assert args[3].startswith(alert["summary"]) and first["author"] in args[3]
