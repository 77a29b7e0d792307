"""`collect` on a config with nothing to poll says what is really missing: an `[x]`
section whose queries are all blank is not "no [x] section"."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.model.config import ConfigError, load_config

TIMELINES_OFF = "mentions_timeline = false\nambassador_timelines = false\n"


def collect(cli, tmp_path: Path, db_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return cli("collect", "--once", "--config", path, "--db", db_path)


def test_an_x_section_of_blank_queries_is_named_as_such(
    cli, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`[x] queries = ["", "   "]` says the queries are blank, not that [x] is missing."""
    monkeypatch.setenv("X_BEARER_TOKEN", "AAAA-token")
    run = collect(cli, tmp_path, db_path, f'[x]\nqueries = ["", "   "]\n{TIMELINES_OFF}')
    assert run.code == 2
    assert "no [x] section" not in run.err
    assert "x.queries holds only blank queries" in run.err


def test_an_x_section_without_a_company_name_says_the_default_query_needs_one(
    cli, tmp_path: Path, db_path: Path
) -> None:
    """`[company] name = ""` with `[x]`: the default X query needs the company's name."""
    run = collect(cli, tmp_path, db_path, '[company]\nname = ""\n[x]\n')
    assert run.code == 2
    assert "no [x] section" not in run.err
    assert "no X query: [company] name is blank" in run.err


def test_without_an_x_section_the_message_still_names_the_token(
    cli, tmp_path: Path, db_path: Path
) -> None:
    """A config with no source at all still says [x] needs X_BEARER_TOKEN."""
    run = collect(cli, tmp_path, db_path, "[alerts]\nk = 3\n")
    assert run.code == 2
    assert "X needs the X_BEARER_TOKEN environment variable" in run.err


def test_a_mastodon_hashtag_with_a_space_is_refused(tmp_path: Path) -> None:
    """`hashtags = ["ver di"]` names the key: no hashtag holds a space."""
    path = tmp_path / "config.toml"
    path.write_text(
        '[mastodon]\ninstance = "https://m.example"\nhashtags = ["streik", "ver di"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"'mastodon.hashtags\[1\]'.*no spaces"):
        load_config(path)
