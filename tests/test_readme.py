"""The README as a test: every Echowatch command it shows runs, and prints what it shows.

Every fenced block marked `sh`, `shell`, `bash` or `console` is read. In a block with
`$ ` prompts, the prompted lines are commands and the lines after each are its expected
output; in a block without prompts, every line is a command. A `#` starts a comment.

What runs, in README order, in one folder that holds the files the examples name:
- `uv run app.py ...` / `echowatch ...`: in-process through `app.main` (fast), with
  `VAR=value` prefixes set in the environment, `producer | command` fed to its standard
  input (the producer, e.g. `echo`/`zcat`, runs for real) and `> FILE` written to FILE.
  It must exit 0.
- `uv run sqlite-utils ...`: sqlite-utils' own command line, in-process (click's runner).

The skip rule (everything else is reported as skipped, never silently passed):
- the monitor (`app.py` with no command, or only options), `serve` and `collect`
  without `--once` run until stopped;
- commands of other programs (`uv run pytest`, `.ci/check`, `uvx datasette`, ...);
- a `VAR=...` placeholder value (a secret the reader fills in).

Output shape: for each expected line that is not indented (indented lines are examples of
details that depend on the input) and is not `...`, some later line of the actual output
has the same shape: numbers, paths and quoted values stand for any such value, and a JSON
line stands for its keys. The first expected line must match the first output line.

The folder: the user's default store starts empty (the README's first import fills it),
the user config names one
feed served from 127.0.0.1 (so `collect --once` polls something real and local),
`captures/` holds real twarc2 archives (plain and gzip), `feeds/` a real RSS file, and
`subscriptions.opml` lists local feeds.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import app
from tests.feedserver import FeedServer, Route

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHELL_BLOCK = re.compile(r"^```(?:sh|shell|bash|console)[ \t]*\n(.*?)^```", re.M | re.S)
APP_PREFIXES = (("uv", "run", "app.py"), ("echowatch",))


@dataclass
class Example:
    line: str
    expected: list[str] = field(default_factory=list)


def readme_examples(text: str) -> list[Example]:
    """Every command of every shell block, with the output the README shows for it."""
    examples: list[Example] = []
    for block in SHELL_BLOCK.findall(text):
        lines = block.splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        for line in lines:
            if prompted and line.startswith("$ "):
                examples.append(Example(line[2:]))
            elif prompted and examples and line.strip():
                examples[-1].expected.append(line)
            elif not prompted and line.strip() and not line.lstrip().startswith("#"):
                examples.append(Example(line))
    return examples


def test_the_readme_has_examples_to_run() -> None:
    """The parser finds the README's commands (a broken parser would test nothing)."""
    examples = readme_examples(README.read_text(encoding="utf-8"))
    runnable = [e for e in examples if _plan(e.line)[0] == "run"]
    assert len(runnable) >= 15
    assert any(e.expected for e in runnable)


# --- what a line means ------------------------------------------------------------------


@dataclass
class Command:
    argv: list[str]
    program: str
    """`app` or `sqlite-utils`."""
    env: dict[str, str]
    stdin_from: list[str] | None
    stdout_to: str | None


def _plan(line: str) -> tuple[str, Command | str]:
    """("run", Command) or ("skip", why)."""
    tokens = shlex.split(line, comments=True)
    producer: list[str] | None = None
    if "|" in tokens:
        cut = tokens.index("|")
        producer, tokens = tokens[:cut], tokens[cut + 1 :]
    stdout_to = None
    if ">" in tokens:
        cut = tokens.index(">")
        tokens, stdout_to = tokens[:cut], tokens[cut + 1]
    env: dict[str, str] = {}
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        name, value = tokens.pop(0).split("=", 1)
        if value in ("", "...", "…"):
            return "skip", f"{name} is a placeholder to fill in"
        env[name] = value
    for prefix in APP_PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix:
            argv = tokens[len(prefix) :]
            if not argv or argv[0].startswith("-"):
                return "skip", "the monitor runs until stopped"
            if argv[0] == "serve":
                return "skip", "serve runs until stopped"
            if argv[0] == "collect" and "--once" not in argv:
                return "skip", "collect without --once runs until stopped"
            return "run", Command(argv, "app", env, producer, stdout_to)
    if tokens[:3] == ["uv", "run", "sqlite-utils"]:
        return "run", Command(tokens[3:], "sqlite-utils", env, producer, stdout_to)
    return "skip", f"not an Echowatch command: {tokens[:3]}"


# --- the folder the examples run in -----------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, realworld: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    feed_file = realworld / "feeds" / "feeddeck_fixtures" / "rss__responseNYT.xml"
    twarc = realworld / "twitter_v2" / "twarc_csv_testdata"
    (tmp_path / "captures").mkdir()
    (tmp_path / "feeds").mkdir()
    shutil.copyfile(twarc / "kpop.jsonl", tmp_path / "captures" / "day1.jsonl")
    shutil.copyfile(twarc / "brexit.jsonl", tmp_path / "captures" / "day2.jsonl")
    (tmp_path / "captures" / "day1.jsonl.gz").write_bytes(
        gzip.compress((twarc / "kpop.jsonl").read_bytes())
    )
    shutil.copyfile(feed_file, tmp_path / "feeds" / "news.xml")
    with FeedServer() as server:
        server.routes["/news.xml"] = Route(body=feed_file.read_bytes())
        for n in range(1, 7):  # the README's example adds six feeds
            server.routes[f"/more{n}.xml"] = Route(body=feed_file.read_bytes())
        config = Path(os.environ["XDG_CONFIG_HOME"]) / "echowatch" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(
            f'[[feeds]]\nname = "news"\nurl = "{server.url("/news.xml")}"\n'
            # the README deletes a view the user saved
            '\n[views]\nmocked = "has:parody"\n',
            encoding="utf-8",
        )
        (tmp_path / "subscriptions.opml").write_text(
            '<?xml version="1.0"?>\n<opml version="2.0"><head><title>feeds</title></head><body>'
            f'<outline text="News" type="rss" xmlUrl="{server.url("/news.xml")}"/>'
            '<outline text="Local">'
            + "".join(
                f'<outline text="More {n}" type="rss" xmlUrl="{server.url(f"/more{n}.xml")}"/>'
                for n in range(1, 7)
            )
            + "</outline></body></opml>\n",
            encoding="utf-8",
        )
        monkeypatch.chdir(tmp_path)
        yield tmp_path


# --- running and comparing ----------------------------------------------------------------


def _run(command: Command, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str]:
    stdin = b""
    if command.stdin_from is not None:
        stdin = subprocess.run(command.stdin_from, capture_output=True, check=True).stdout
    if command.program == "sqlite-utils":
        # sqlite-utils' own command line (click), in-process: the same code as the
        # installed `sqlite-utils`, without a second of interpreter start per line.
        from click.testing import CliRunner
        from sqlite_utils.cli import cli

        result = CliRunner().invoke(cli, _globbed(command.argv), input=stdin, env=command.env)
        out, code = result.output, result.exit_code
    else:
        for name, value in command.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        capsys.readouterr()
        with contextlib.suppress(SystemExit):
            code = 2
            code = app.main(_globbed(command.argv))
        out = capsys.readouterr().out
    if command.stdout_to:
        Path(command.stdout_to).write_text(out, encoding="utf-8")
    return code, out


def _globbed(argv: list[str]) -> list[str]:
    expanded: list[str] = []
    for arg in argv:
        matches = sorted(str(p) for p in Path().glob(arg)) if "*" in arg else []
        expanded.extend(matches or [arg])
    return expanded


_NUMBER = re.compile(r"[-+]?\d[\d,.:]*")
_PATH = re.compile(r"(?<![\w@])(?:[\w.~-]*/)+[\w.*-]*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def shape(line: str) -> str:
    """What a line says regardless of its values: its words, with values as placeholders."""
    stripped = line.strip()
    if stripped.startswith(("{", "[")):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(stripped)
            return "json:" + ",".join(sorted(value)) if isinstance(value, dict) else "json"
    text = _QUOTED.sub("Q", stripped)
    text = _PATH.sub("PATH", text)
    text = _NUMBER.sub("N", text)
    return " ".join(text.split())


def _check_shape(expected: list[str], output: str, line: str) -> None:
    wanted = [e for e in expected if not e.startswith((" ", "\t")) and e.strip() != "..."]
    actual = [shape(a) for a in output.splitlines() if a.strip()]
    if not wanted:
        return
    assert actual and actual[0] == shape(wanted[0]), (line, wanted[0], output[:500])
    position = 0
    for want in wanted:
        found = [i for i in range(position, len(actual)) if actual[i] == shape(want)]
        assert found, f"{line!r}: no output line shaped like {want!r} in:\n{output[:1500]}"
        position = found[0] + 1


@pytest.mark.slow  # runs every README command (seconds)
def test_every_readme_command_runs_and_prints_what_it_shows(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A reader who types the README's commands gets exit 0 and the output it shows."""
    ran, skipped = [], []
    timings: list[tuple[float, str]] = []
    for example in readme_examples(README.read_text(encoding="utf-8")):
        verdict, what = _plan(example.line)
        if verdict == "skip":
            skipped.append((example.line, what))
            continue
        assert isinstance(what, Command)
        started = time.perf_counter()
        code, out = _run(what, monkeypatch, capsys)
        timings.append((round(time.perf_counter() - started, 2), example.line))
        assert code == 0, f"{example.line!r} exited {code}:\n{out[:1500]}"
        _check_shape(example.expected, out, example.line)
        ran.append(example.line)
    assert len(ran) >= 15, (ran, skipped)
    print(sorted(timings)[-6:])
    print(f"ran {len(ran)} README commands, skipped {len(skipped)}:", *skipped, sep="\n  ")


def test_shape_ignores_values_but_not_words() -> None:
    """Counts, paths and quoted values may differ; the sentence around them may not."""
    readme = (
        "imported 1204 new, 3 updated, 2 skipped (0 unchanged, 988 accounts, 12 of 13 files read)"
    )
    ours = "imported 121 new, 0 updated, 0 skipped (0 unchanged, 112 accounts, 3 of 3 files read)"
    assert shape(readme) == shape(ours)
    assert shape("store: /home/me/x.db (schema 4)") == shape("store: /tmp/a/b.db (schema 6)")
    assert shape(readme) != shape(ours.replace("updated", "changed"))
    assert shape('{"line": 1, "id": "1"}') == shape('{"id": "7", "line": 3}')
