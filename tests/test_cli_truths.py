"""What the README and `--help` say about the command line is what it does."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pytest

import app
from cache.export.snapshot_data import LISTED_MENTIONS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser, _ = app.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def test_store_and_config_flags_are_where_the_readme_says() -> None:
    """The README's list of which commands take --db and --config matches every command."""
    sentence = re.search(r"(`import`.*?)reads no store\)", README, re.S)
    assert sentence, "the README no longer says which commands take --db/--config"
    both = re.findall(r"`(\w+)`", sentence.group(1).split("take `--db PATH`")[0])
    commands = _subparsers()
    for name in both:
        assert {"--db", "--config"} <= _options(commands[name]), name
    assert "--db" in _options(commands["status"]) and "--config" not in _options(commands["status"])
    assert "--config" in _options(commands["classify"]) and "--db" not in _options(
        commands["classify"]
    )
    assert set(both) | {"status", "classify"} == set(commands), "a command the README leaves out"


def test_each_report_takes_exactly_the_formats_help_lists(tmp_path: Path, cli, realworld) -> None:
    """Every format --help lists for a report is written; every other one is refused (2)."""
    db = tmp_path / "s.db"
    archive = realworld / "twitter_v2" / "twarc_csv_testdata" / "kpop.jsonl"
    assert cli("import", archive, "--db", db).code == 0
    help_text = " ".join(_subparsers()["export"].format_help().split())
    every = {f for formats in app.EXPORT_FORMATS.values() for f in formats}
    for report, formats in app.EXPORT_FORMATS.items():
        assert f"{report}: {', '.join(formats)}" in help_text
        for fmt in sorted(every):
            run = cli("export", "--report", report, "--format", fmt, "--db", db)
            assert run.code == (0 if fmt in formats else 2), (report, fmt, run.err)


def test_the_row_limit_said_is_the_row_limit_kept() -> None:
    """Help and README name the same list limit the HTML and Markdown reports keep."""
    said = f"{LISTED_MENTIONS:,}"
    assert f"newest {said} mentions" in " ".join(app.build_parser()[0].format_help().split()) or (
        f"newest {said} mentions" in " ".join(_subparsers()["export"].format_help().split())
    )
    assert f"newest {said} mentions" in " ".join(README.split())


@pytest.mark.parametrize(
    ("argv0", "name"),
    [("/home/me/.local/bin/echowatch", "echowatch"), ("app.py", "uv run app.py")],
)
def test_hints_name_the_command_the_user_ran(
    argv0: str, name: str, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed, the hints say `echowatch export`; from a clone, `uv run app.py export`."""
    monkeypatch.setattr(sys, "argv", [argv0])
    assert app.build_parser()[0].format_usage().startswith(f"usage: {name} ")
    db = tmp_path / "s.db"
    write_tweets(tmp_path / "many.jsonl", LISTED_MENTIONS + 5)
    assert cli("import", tmp_path / "many.jsonl", "--db", db).code == 0
    report = cli("export", "--db", db, "--format", "md").out
    assert f"`{name} export --format csv`" in report
    page = tmp_path / "r.html"
    assert cli("export", "--db", db, "--format", "html", "-o", page).code == 0
    assert f"<code>{name} export --format csv</code>" in page.read_text(encoding="utf-8")


def write_tweets(path: Path, count: int) -> None:
    """`count` one-tweet lines (the default-payload shape: id and text)."""
    first = 1460323737035677698
    lines = (
        json.dumps({"id": str(first + i * 4194304), "text": f"Streik Nummer {i}"})
        for i in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_exit_status_is_as_documented(tmp_path: Path, cli) -> None:
    """0 with a skipped line, 1 when a file cannot be read (the rest imported), 2 for usage."""
    good = tmp_path / "good.jsonl"
    write_tweets(good, 3)
    with good.open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    db = tmp_path / "s.db"
    run = cli("import", good, "--db", db)
    assert run.code == 0 and "skipped" in run.out
    run = cli("import", good, tmp_path / "missing.jsonl", "--db", tmp_path / "t.db")
    assert run.code == 1 and run.out.startswith("imported 3 new")
    assert cli("import", "--db", db).code == 2


def test_import_and_collect_help_name_every_platform_they_handle() -> None:
    """`--help` (the command list, import's and collect's own) names Bluesky and Mastodon
    beside X and feeds, and import's the X stream captures it reads."""
    parser, _ = app.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    listed = {choice.dest: choice.help or "" for choice in action._choices_actions}
    commands = _subparsers()
    for name in ("import", "collect"):
        own = " ".join(commands[name].format_help().split())
        for platform in ("X", "Bluesky", "Mastodon", "RSS"):
            assert re.search(rf"\b{platform}\b", own), (name, platform)
            assert re.search(rf"\b{platform}\b", listed[name]), (name, platform)
    assert "stream capture" in " ".join(commands["import"].format_help().split())
