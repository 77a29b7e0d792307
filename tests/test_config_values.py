"""Config values that parse but cannot be meant are refused at load, naming the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sources.model.config import Config, ConfigError, load_config

IMPOSSIBLE = [
    ('[company]\ntimezone = "Mars/Olympus"\n', "company.timezone"),
    ('[accounts.timezones]\nanne_fc = "Europe/Atlantis"\n', "accounts.timezones.anne_fc"),
    ('[signals]\noffice_hours = "25:00-99:00"\n', "signals.office_hours"),
    ('[signals]\noffice_hours = "18:00-08:00"\n', "signals.office_hours"),
    ('[signals]\noffice_hours = "all day"\n', "signals.office_hours"),
    ("[signals]\nnear_duplicate_jaccard = 7.5\n", "signals.near_duplicate_jaccard"),
    ("[signals]\nnear_duplicate_jaccard = nan\n", "signals.near_duplicate_jaccard"),
    ("[signals]\nreply_share_flag = 1.5\n", "signals.reply_share_flag"),
    ("[signals]\noffice_hours_flag = -0.1\n", "signals.office_hours_flag"),
    ("[signals]\ngap_days = 0\n", "signals.gap_days"),
    ("[signals]\ngap_days = inf\n", "signals.gap_days"),
    ("[signals]\nmin_posts = 0\n", "signals.min_posts"),
    ("[signals]\nco_reply_seconds = 0\n", "signals.co_reply_seconds"),
    ("[signals]\nco_reply_flag = 0\n", "signals.co_reply_flag"),
    ("[signals]\nnear_duplicate_min_words = 0\n", "signals.near_duplicate_min_words"),
    ("[signals]\ntopic_min_mentions = 0\n", "signals.topic_min_mentions"),
    ("[alerts]\nk = -3\n", "alerts.k"),
    ("[alerts]\nk = 0\n", "alerts.k"),
    ("[alerts]\nmin_count = 0\n", "alerts.min_count"),
    ("[alerts]\nbaseline_days = 0\n", "alerts.baseline_days"),
    ("[alerts]\ncooldown_minutes = -5\n", "alerts.cooldown_minutes"),
    ("[alerts]\nnotify_timeout_seconds = 0\n", "alerts.notify_timeout_seconds"),
    ("[x]\npoll_seconds = 0\n", "x.poll_seconds"),
    ("[x]\nmax_pages = 0\n", "x.max_pages"),
    ("[bluesky]\nmax_pages = 0\n", "bluesky.max_pages"),
    ("[bluesky]\npoll_seconds = 0\n", "bluesky.poll_seconds"),
    ('[mastodon]\ninstance = "https://m.example"\nmax_pages = 0\n', "mastodon.max_pages"),
    ('[mastodon]\ninstance = "https://m.example"\npoll_seconds = 0\n', "mastodon.poll_seconds"),
    ('[mastodon]\ninstance = "https://mastodon.social:99999"\n', "mastodon.instance"),
    ('[mastodon]\ninstance = "https://mastodon.social:0"\n', "mastodon.instance"),
]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "key"), IMPOSSIBLE)
def test_impossible_value_is_refused_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    """A value no one can mean stops the command at load with the file and key named."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and f"'{key}'" in str(caught.value)


@pytest.mark.parametrize("section", ["x", "bluesky", "mastodon"])
def test_a_page_budget_of_0_is_refused_alike_for_every_source(tmp_path: Path, section: str) -> None:
    """`max_pages = 0` stops the command with one message, whichever source it is under."""
    instance = 'instance = "https://m.example"\n' if section == "mastodon" else ""
    path = write(tmp_path, f"[{section}]\n{instance}max_pages = 0\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: key '{section}.max_pages' must be at least 1"


def test_every_number_key_is_checked(tmp_path: Path) -> None:
    """Each numeric setting of every section rejects some value (the next new key too)."""
    checked = {key for _, key in IMPOSSIBLE}
    for section in ("x", "alerts", "signals", "bluesky", "mastodon"):
        for spec in dataclasses.fields(getattr(Config(), section)):
            if spec.type in ("int", "float"):
                assert f"{section}.{spec.name}" in checked, f"{section}.{spec.name} is unchecked"


@pytest.mark.parametrize(
    "text",
    [
        '[company]\ntimezone = "America/New_York"\n',
        '[signals]\noffice_hours = "00:00-24:00"\nnear_duplicate_jaccard = 1\n',
        "[signals]\nreply_share_flag = 0\n[alerts]\nk = 0.5\ncooldown_minutes = 0\n",
    ],
)
def test_edge_values_that_make_sense_load(tmp_path: Path, text: str) -> None:
    """Values at the edge of what makes sense (a whole day, a share of 1) still load."""
    load_config(write(tmp_path, text))


def test_a_config_that_is_not_utf8_is_a_config_error(tmp_path: Path, cli, db_path: Path) -> None:
    """A config saved as Latin-1 gives a config error naming the file (exit 2), no traceback."""
    path = tmp_path / "config.toml"
    path.write_bytes('[company]\nname = "Kestrel Störche"\n'.encode("latin-1"))
    run = cli("export", "--db", db_path, "--config", path)
    assert run.code == 2
    assert f"{path}: not UTF-8" in run.err


def test_an_impossible_value_exits_2_on_the_command_line(
    tmp_path: Path, cli, db_path: Path
) -> None:
    """`alerts --config` with `alerts.k = -3` exits 2 naming the key."""
    path = write(tmp_path, "[alerts]\nk = -3\n")
    run = cli("alerts", "--db", db_path, "--config", path)
    assert run.code == 2 and "'alerts.k'" in run.err


TOO_LONG = [
    ("[x]\npoll_seconds = 99999999999999999\n", "x.poll_seconds"),
    (
        '[[feeds]]\nname = "f"\nurl = "http://a.example/f.xml"\npoll_seconds = 99999999999999999\n',
        "feeds[0].poll_seconds",
    ),
    (
        '[[feeds]]\nname = "f"\nurl = "http://a.example/f.xml"\ntimeout_seconds = 9999999999\n',
        "feeds[0].timeout_seconds",
    ),
    ("[bluesky]\npoll_seconds = 604801\n", "bluesky.poll_seconds"),
    ("[mastodon]\npoll_seconds = 99999999999999999\n", "mastodon.poll_seconds"),
]


@pytest.mark.parametrize(("text", "key"), TOO_LONG)
def test_an_absurd_interval_is_refused_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    """A poll interval past a week (or a timeout past an hour) stops at load, key named."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"'{key}'" in str(caught.value) and "at most" in str(caught.value)


def test_a_week_between_polls_still_loads(tmp_path: Path) -> None:
    """The longest interval that makes sense, a week, is accepted for every source."""
    week = 7 * 24 * 3600
    load_config(
        write(
            tmp_path,
            f"[x]\npoll_seconds = {week}\n[bluesky]\npoll_seconds = {week}\n"
            f"[mastodon]\npoll_seconds = {week}\n"
            f'[[feeds]]\nname = "f"\nurl = "http://a.example/f.xml"\npoll_seconds = {week}\n'
            "timeout_seconds = 3600\n",
        )
    )


def test_an_absurd_feed_interval_exits_2_from_collect(tmp_path: Path, cli, db_path: Path) -> None:
    """`collect` with a feed polled every 10^17 s exits 2 naming the key, before any fetch."""
    path = write(tmp_path, TOO_LONG[1][0])
    run = cli("collect", "--once", "--db", db_path, "--config", path)
    assert run.code == 2 and "'feeds[0].poll_seconds'" in run.err
