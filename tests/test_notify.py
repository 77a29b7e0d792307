"""notify_command gets the top posts' words and links; a dry run shows it; the example
scripts in cache/alerts/ turn it into a desktop notification and a chat message."""

from __future__ import annotations

import html
import json
import os
import re
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


def _webhook(payload: bytes, url: str) -> None:
    """Run cache/alerts/notify-webhook.sh on `payload`, posting to `url`."""
    done = subprocess.run(
        ["sh", str(NOTIFY_SCRIPTS / "notify-webhook.sh")],
        input=payload,
        env={**os.environ, "ECHOWATCH_WEBHOOK_URL": url},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _desktop(payload: bytes, tmp_path: Path) -> list[str]:
    """Run cache/alerts/notify-desktop.sh on `payload`; the arguments notify-send got.

    notify-send is replaced by a recorder on PATH: the desktop itself is not under test.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "args.json"
    recorder = bin_dir / "notify-send"
    recorder.write_text(
        "#!/usr/bin/env python3\nimport json, sys\n"
        f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n",
        encoding="utf-8",
    )
    recorder.chmod(0o755)
    done = subprocess.run(
        ["sh", str(NOTIFY_SCRIPTS / "notify-desktop.sh")],
        input=payload,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    args: list[str] = json.loads(record.read_text())
    return args


def test_webhook_script_posts_the_alert_to_a_chat(demo_db: Path, hook) -> None:
    """cache/alerts/notify-webhook.sh posts the summary and each top post's link to the chat."""
    url, bodies = hook
    payload = _payload(demo_db)
    _webhook(payload, url)
    message = json.loads(bodies[0])["text"]
    alert = json.loads(payload)
    assert alert["summary"] in message
    assert all(p["url"] in message for p in alert["top_posts"] if p["stored"])


def test_desktop_script_calls_notify_send_safely(demo_db: Path, tmp_path: Path) -> None:
    """cache/alerts/notify-desktop.sh calls notify-send with the topic and the top posts as text."""
    payload = _payload(demo_db)
    args = _desktop(payload, tmp_path)
    alert = json.loads(payload)
    assert args[:3] == ["--app-name=Echowatch", "--", f"Echowatch spike: {alert['topic']}"]
    first = alert["top_posts"][0]
    assert args[3].startswith(alert["summary"]) and first["author"] in args[3]


# --- hostile posts in the example scripts -------------------------------------------------

HOSTILE_POSTS = [
    (
        'Tom & Jerry: <a href="https://evil.example/login">Official Kestrel statement</a> '
        '<b>URGENT</b> <img src="https://evil.example/track.png">'
    ),
    (
        "strike @everyone @here <!channel> <@U024BE7LH> <https://evil.example|kestrel.com/press>"
        " [Read the statement](https://evil.example)"
    ),
    "gnp.\u202eexe\u202c \x1b]0;owned\x07\x1b[2Jcleared \x1b[31mred\x1b[0m",
]
"""What anyone may post about the company: markup, pings, disguised links, escapes."""
UNSEEN = ("\x1b", "\x07", "\u202e", "\u202c")
"""Nothing of these may reach a notification: they reorder or act on what is shown."""
ZWSP = "\u200b"


def _hostile_payload(demo_db: Path) -> tuple[bytes, list[dict[str, object]]]:
    """A real dry-run payload whose top posts say what `HOSTILE_POSTS` say, by @evil_user."""
    alert = json.loads(_payload(demo_db))
    posts = [p for p in alert["top_posts"] if p["stored"]][: len(HOSTILE_POSTS)]
    assert len(posts) == len(HOSTILE_POSTS)
    for post, text in zip(posts, HOSTILE_POSTS, strict=True):
        post.update(author="@evil_user", text=f"Kestrel {text}")
    posts[-1]["url"] = "javascript:alert(1)"
    alert["top_posts"] = posts
    return json.dumps(alert).encode(), posts


def test_desktop_script_shows_hostile_posts_as_text(demo_db: Path, tmp_path: Path) -> None:
    """Markup in a post is shown as its characters (notification markup escaped), with no
    escape sequence or bidi override."""
    payload, _ = _hostile_payload(demo_db)
    body = _desktop(payload, tmp_path)[3]
    assert "<" not in body and ">" not in body  # no tag the notification daemon would read
    assert "&lt;b&gt;URGENT&lt;/b&gt;" in body and "Tom &amp; Jerry" in body
    shown = html.unescape(body)
    assert '@evil_user: Kestrel Tom & Jerry: <a href="https://evil.example/login">Of' in shown
    assert "gnp.exe cleared red" in shown
    assert not any(ch in body for ch in UNSEEN)


def test_webhook_script_pings_no_one_and_hides_no_link(demo_db: Path, hook) -> None:
    """A post's @everyone, <!channel>, <url|label> and [label](url) neither ping nor hide
    where a link goes, in Slack's `text` and Discord's `content`; the post stays readable
    and each post's own link is a plain address."""
    url, bodies = hook
    payload, posts = _hostile_payload(demo_db)
    _webhook(payload, url)
    sent = json.loads(bodies[0])
    text, content = sent["text"], sent["content"]
    assert sent["allowed_mentions"] == {"parse": []}  # Discord: no ping, whatever the text
    for message in (text, content):
        assert not re.search(r"@(?!\u200b)", message)  # no @everyone, @here or @evil_user
        assert "](" not in message  # no Markdown link
        assert not any(ch in message for ch in UNSEEN)
        assert f"{posts[0]['url']}\n" in message and f"{posts[1]['url']}\n" in message
        assert "javascript:" not in message
    # Slack: <, > and & escaped as it asks, so no <!channel> and no <url|label>.
    assert "<" not in text and ">" not in text
    assert f"&lt;!channel&gt; &lt;@{ZWSP}U024BE7LH&gt;" in text and "Tom &amp; Jerry" in text
    # Discord: no <@id>, <#id> or <url>.
    assert not re.search(r"<(?!\u200b)", content)
    readable = content.replace(ZWSP, "")
    assert (
        "- @evil_user: Kestrel strike @everyone @here <!channel> <@U024BE7LH> "
        "<https://evil.example|kestrel.com/press> [Read the statement](https://evil.example) "
        in readable
    )
    assert "- @evil_user: Kestrel gnp.exe cleared red\n" in readable + "\n"
