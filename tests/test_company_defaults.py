"""Defaults that follow the configured company: X's default search and official handles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from sources.model.config import load_config
from tests.builders import page, tweet, user

SEARCH = "https://api.twitter.com/2/tweets/search/recent"
USERS = "https://api.twitter.com/2/users/by"
CRITIC = user("critic", "A Critic", user_id="101")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_another_company_searches_x_for_its_own_name(tmp_path: Path) -> None:
    """A config naming Acme searches X for Acme, not the demo company, and has no handles."""
    config = load_config(write(tmp_path, '[company]\nname = "Acme"\n'))
    assert config.x.queries == ["Acme -is:retweet"]
    assert config.company.handles == []


def test_a_company_name_with_spaces_is_searched_as_a_phrase(tmp_path: Path) -> None:
    """A name of several words is quoted, as X's query syntax needs for a phrase."""
    config = load_config(write(tmp_path, '[company]\nname = "Acme Rail & Co"\n'))
    assert config.x.queries == ['"Acme Rail & Co" -is:retweet']


def test_a_quote_in_the_company_name_cannot_end_the_phrase(tmp_path: Path) -> None:
    """A double quote inside the name cannot end X's phrase early."""
    config = load_config(write(tmp_path, "[company]\nname = 'The \"Best\" Rail'\n"))
    assert config.x.queries == ['"The Best Rail" -is:retweet']


def test_a_blank_company_name_gets_no_default_search(tmp_path: Path) -> None:
    """An empty name would search X for every non-retweet: no default query instead."""
    config = load_config(write(tmp_path, '[company]\nname = "  "\n'))
    assert config.x.queries == []
    assert config.company.handles == []


def test_without_a_company_the_documented_defaults_stay(tmp_path: Path) -> None:
    """A config that names no company keeps the demo company's query and handle."""
    config = load_config(write(tmp_path, "[alerts]\nk = 3\n"))
    assert config.x.queries == ["Kestrel -is:retweet"]
    assert config.company.handles == ["Kestrel"]


def test_explicit_queries_and_handles_are_kept(tmp_path: Path) -> None:
    """What the config lists is used as written, whatever the company's name."""
    config = load_config(
        write(
            tmp_path,
            '[company]\nname = "Acme"\nhandles = ["AcmeHQ"]\n[x]\nqueries = ["acme strike"]\n',
        )
    )
    assert config.x.queries == ["acme strike"]
    assert config.company.handles == ["AcmeHQ"]


def test_collect_once_sends_the_company_query_and_no_mentions_lookup(
    api: responses.RequestsMock, tmp_path: Path, db_path: Path, cli, monkeypatch
) -> None:
    """`collect --once` for Acme asks X for Acme posts and polls no @Kestrel mentions."""
    monkeypatch.setenv("X_BEARER_TOKEN", "test-token")
    config = write(tmp_path, '[company]\nname = "Acme"\n[x]\nambassador_timelines = false\n')
    api.get(SEARCH, json=page([tweet(CRITIC, "Acme is late again", tweet_id="900")], [CRITIC]))
    api.get(USERS, json={"data": []})
    result = cli("collect", "--once", "--config", config, "--db", db_path)
    assert result.code == 0, result.err
    sent = [parse_qs(urlsplit(str(c.request.url)).query) for c in api.calls]
    assert [q.get("query") for q in sent] == [["Acme -is:retweet"]]
    assert "Kestrel" not in result.out + result.err
