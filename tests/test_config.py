"""Loading the TOML configuration: found where documented, strict about keys and types."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.model.config import ConfigError, find_config_path, load_config

FULL_EXAMPLE = """
[company]
name = "Kestrel"
handles = ["Kestrel"]
[accounts]
ambassadors = []
ambassador_patterns = ["FC Ambassador", "FC Botschafter"]
parody = []
parody_patterns = ["parody", "parodie", "satire", "fake", "not affiliated"]
press = []
[x]
queries = ["Kestrel -is:retweet"]
poll_seconds = 60
[[feeds]]
name = "example"
url = "https://example.org/feed.xml"
poll_seconds = 300
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_example_loads(tmp_path):
    """The example from the docs loads with every value as written."""
    config = load_config(write(tmp_path, FULL_EXAMPLE))
    assert config.company.handles == ["Kestrel"]
    assert config.x.poll_seconds == 60
    assert [(f.name, f.poll_seconds) for f in config.feeds] == [("example", 300)]


def test_unknown_key_names_file_and_key(tmp_path):
    """A misspelt key is an error naming the file, the key and what is allowed."""
    path = write(tmp_path, "[x]\npoll_secs = 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "'x.poll_secs'" in str(info.value) and "poll_seconds" in str(info.value)


@pytest.mark.parametrize(
    ("toml", "shown"),
    [
        ('[x]\n"poll_seconds\u200b" = 60\n', r"unknown key 'x.poll_seconds\u200b'"),
        ('[company]\n"tim\u00adezone" = "Europe/Berlin"\n', r"unknown key 'company.tim\xadezone'"),
        (
            '[company]\n"\\u001b[2Jbad\\u202ekey" = 1\n',
            r"unknown key 'company.\x1b[2Jbad\u202ekey'",
        ),
        (
            '[accounts.timezones]\n"ava\u200b" = 5\n',
            r"key 'accounts.timezones.ava\u200b' should be a string",
        ),
        ('[topics."strikes\u200b"]\nen = ["walkout"]\n', r"topic id 'strikes\u200b' should be"),
    ],
    ids=["zero-width-space", "soft-hyphen", "escape-and-bidi", "type-of-a-table-key", "topic-id"],
)
def test_a_key_with_invisible_characters_is_named_with_them_escaped(
    tmp_path, cli, db_path, toml, shown
):
    """An invisible or control character in a bad key is written as an escape (\u200b), not
    shown raw (looking like a right key) nor dropped (naming a key not in the file)."""
    run = cli("views", "--db", db_path, "--config", write(tmp_path, toml))
    assert run.code == 2
    assert shown in run.err, run.err


def test_wrong_type_says_what_was_expected(tmp_path):
    """A string where a number belongs is an error naming the key and the expectation."""
    with pytest.raises(ConfigError, match=r"'feeds\[0\]\.poll_seconds' should be a whole number"):
        load_config(
            write(tmp_path, '[[feeds]]\nname = "a"\nurl = "https://a"\npoll_seconds = "often"\n')
        )


def test_secret_in_file_is_refused(tmp_path):
    """A bearer token in the config file is refused: secrets come from the environment."""
    with pytest.raises(ConfigError, match=r"unknown key 'x\.bearer_token'"):
        load_config(write(tmp_path, '[x]\nbearer_token = "AAAA"\n'))


def test_bad_config_exits_2_on_the_command_line(tmp_path, cli, db_path):
    """The command line turns a bad config into exit code 2 and a one-line reason."""
    path = write(tmp_path, "[company\n")
    run = cli("export", "--db", db_path, "--config", path)
    assert run.code == 2
    assert "not valid TOML" in run.err


def test_lookup_order_flag_then_env_then_user_dir(tmp_path, monkeypatch):
    """--config beats $ECHOWATCH_CONFIG, which beats the user config dir."""
    user_dir = Path(tmp_path / "xdg" / "echowatch")
    user_dir.mkdir(parents=True)
    (user_dir / "config.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert find_config_path(None) == user_dir / "config.toml"
    monkeypatch.setenv("ECHOWATCH_CONFIG", str(tmp_path / "env.toml"))
    assert find_config_path(None) == tmp_path / "env.toml"
    assert find_config_path(tmp_path / "flag.toml") == tmp_path / "flag.toml"
