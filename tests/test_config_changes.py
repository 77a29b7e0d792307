"""A config edited while `collect` or the monitor runs: the change is noticed, said once,
with whether the file as it is now still loads (a restart applies it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sources.model.config_watch import ConfigWatch
from tests.builders import rss
from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent


def _feed(name: str, url: str) -> str:
    return f'[[feeds]]\nname = "{name}"\nurl = "{url}"\npoll_seconds = 1\n'


def test_each_change_of_the_content_is_reported_once(tmp_path: Path) -> None:
    """An edit is one change; asking again says nothing; a save of the same text is none."""
    path = tmp_path / "config.toml"
    path.write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    watch = ConfigWatch(path)
    assert watch.change() is None
    path.write_text('[company]\nname = "Acme Corp"\n', encoding="utf-8")
    change = watch.change()
    assert change is not None and change.problem is None
    assert "restart collect to apply it" in change.describe("collect")
    assert watch.change() is None
    os.utime(path, ns=(1, 1))  # a touch: the time moved, the text did not
    assert watch.change() is None


def test_a_change_that_breaks_the_file_says_it_no_longer_loads(tmp_path: Path) -> None:
    """A key mistyped while the program runs is named, and the running config kept."""
    path = tmp_path / "config.toml"
    path.write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    watch = ConfigWatch(path)
    path.write_text('[company]\nname = "Acme"\nbogus_key = 1\n', encoding="utf-8")
    change = watch.change()
    assert change is not None
    line = change.describe("collect")
    assert "changed and no longer loads" in line and "'company.bogus_key'" in line
    assert "goes on with the config it started with" in line


def test_the_programs_own_write_is_not_a_change(tmp_path: Path) -> None:
    """After the monitor saved a view into the file itself, nothing is reported."""
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    watch = ConfigWatch(path)
    path.write_text('[views]\npay = "topic:pay"\n', encoding="utf-8")
    watch.accept()
    assert watch.change() is None


def test_a_running_collect_says_once_that_the_config_changed(tmp_path: Path) -> None:
    """A feed added to the config of a running `collect` gives one line on stderr saying
    a restart applies it; a key mistyped next is named as keeping the file from loading."""
    with FeedServer() as server:
        server.feed("/a.xml", rss("A", [{"title": "one", "link": "https://n.example/1"}]))
        config = tmp_path / "live.toml"
        config.write_text(_feed("a", server.url("/a.xml")), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "X_BEARER_TOKEN"}
        command = [sys.executable, str(ROOT / "app.py"), "collect", "--config", str(config)]
        process = subprocess.Popen(
            [*command, "--db", str(tmp_path / "live.db")],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = process.stderr
        assert stderr is not None
        try:

            def lines_until(text: str) -> list[str]:
                seen: list[str] = []
                # Blocking reads, no sleeping: each poll of `a` (every second) writes a
                # line, so a message missing for 20 polls never comes.
                while len(seen) < 20:
                    line = stderr.readline()
                    assert line, "collect exited: " + "".join(seen)
                    seen.append(line)
                    if text in line:
                        return seen
                raise AssertionError(f"no {text!r} in: " + "".join(seen))

            lines_until(" a: ")
            with config.open("a", encoding="utf-8") as handle:
                handle.write(_feed("b", server.url("/a.xml")))
            changed = lines_until("changed")[-1]
            assert f"config {config} changed: restart collect to apply it" in changed
            assert sum("changed" in line for line in lines_until(" a: ")) == 0
            with config.open("a", encoding="utf-8") as handle:
                handle.write("bogus_key = 1\n")
            broken = lines_until("changed")[-1]
            assert "no longer loads" in broken and "bogus_key'" in broken
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
