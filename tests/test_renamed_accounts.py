"""An account is its platform id: a listed ambassador who changes her handle stays one."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import AccountsSection, Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import write_jsonl

CONFIG = '[accounts]\nambassadors = ["@ambanna", "AmbBen"]\n'
CRITIC = user("critic_carl", "Carl", user_id="100")
BEN = user("AmbBen", "Ben - Acme", user_id="300")
ANNA = user("AmbAnna", "Anna - Acme", user_id="200")
RENAMED = {**user("AnnaAtAcme", "Anna", user_id="200"), "description": "works at Acme"}


def _reply(author: dict[str, Any], text: str, tweet_id: str, after: timedelta) -> dict[str, Any]:
    return tweet(
        author, f"@critic_carl {text}", tweet_id=tweet_id, at=BASE_TIME + after, reply_to=CRITICAL
    )


CRITICAL = tweet(CRITIC, "Acme pays late again", tweet_id="1000", at=BASE_TIME)


def _pages() -> tuple[dict[str, Any], dict[str, Any]]:
    """The first capture (Anna as @AmbAnna, two replies) and a later one (@AnnaAtAcme)."""
    first = [
        CRITICAL,
        _reply(ANNA, "We pay on time, promise!", "1001", timedelta(minutes=5)),
        _reply(ANNA, "Ask HR, they help.", "1002", timedelta(minutes=9)),
        _reply(BEN, "Not true at all.", "1003", timedelta(minutes=6)),
    ]
    later = [_reply(RENAMED, "Still fair pay here.", "1004", timedelta(days=3))]
    return page(first, [CRITIC, ANNA, BEN]), page(later, [RENAMED])


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    first, later = _pages()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    a, b = tmp_path / "first.json", tmp_path / "later.json"
    a.write_text(json.dumps(first))
    b.write_text(json.dumps(later))
    return config, a, b


def _report(cli: Any, db: Path, config: Path) -> dict[str, dict[str, str]]:
    run = cli(
        "export", "--db", db, "--config", config, "--report", "ambassadors", "--format", "csv"
    )
    assert run.code == 0, run.err
    return {row["handle"]: row for row in csv.DictReader(io.StringIO(run.out))}


def _roles(cli: Any, db: Path, config: Path, query: str) -> list[str]:
    run = cli("export", "--db", db, "--config", config, "--ids", "--query", query)
    assert run.code == 0, run.err
    return sorted(run.out.split())


def _assert_anna_is_one_ambassador(cli: Any, db: Path, config: Path) -> None:
    report = _report(cli, db, config)
    assert sorted(report) == ["AmbBen", "AnnaAtAcme"]
    assert report["AnnaAtAcme"]["replies"] == "3"
    assert _roles(cli, db, config, "role:ambassador") == ["1001", "1002", "1003", "1004"]
    with Store.open(db, readonly=True) as store:
        account = store.account("x:200")
    assert account is not None
    assert account["handle"] == "AnnaAtAcme" and account["role"] == "ambassador"
    assert "@AmbAnna" in account["role_reason"]
    assert "accounts.ambassadors" in account["role_reason"]


@pytest.mark.parametrize("newer_first", [False, True])
def test_renamed_ambassador_keeps_her_role_and_her_history(
    cli: Any, db_path: Path, tmp_path: Path, newer_first: bool
) -> None:
    """A capture under a new handle, imported after (or before) the one under the listed
    handle, keeps Anna in the report with every reply; importing both again changes
    nothing."""
    config, first, later = _files(tmp_path)
    for data in (later, first) if newer_first else (first, later):
        assert cli("import", "--db", db_path, "--config", config, data).code == 0
    _assert_anna_is_one_ambassador(cli, db_path, config)
    again = cli("import", "--db", db_path, "--config", config, first, later)
    assert "0 accounts new or changed" in again.out, again.out


def test_both_captures_in_one_import_keep_her_an_ambassador(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """Both captures in one file (one transaction): her posts and account agree."""
    first, later = _pages()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    both = write_jsonl(tmp_path / "both.jsonl", [first, later])
    assert cli("import", "--db", db_path, "--config", config, both).code == 0
    _assert_anna_is_one_ambassador(cli, db_path, config)


@pytest.mark.parametrize("extra", ['parody_patterns = ["satire"]\n', ""])
def test_reclassification_keeps_a_renamed_ambassador(
    cli: Any, db_path: Path, tmp_path: Path, extra: str
) -> None:
    """Re-deciding roles after a config edit (or none) gives the renamed account its role."""
    config, first, later = _files(tmp_path)
    assert cli("import", "--db", db_path, "--config", config, first, later).code == 0
    config.write_text(CONFIG + extra + 'press = ["critic_carl"]\n')
    assert cli("import", "--db", db_path, "--config", config, later).code == 0
    _assert_anna_is_one_ambassador(cli, db_path, config)


def test_a_live_poll_of_the_renamed_account_keeps_her_an_ambassador(db_path: Path) -> None:
    """The collector's path (one page at a time, polled live) gives the same answer."""
    first, later = _pages()
    classifier = Classifier(Config(accounts=AccountsSection(ambassadors=["@ambanna", "AmbBen"])))
    with Store.open(db_path) as store:
        ingest(store, parse_response(first, "x"), classifier)
        ingest(store, parse_response(later, "x"), classifier)
        account = store.account("x:200")
        roles = dict(store.conn.execute("SELECT id, role FROM mentions WHERE author_key = 'x:200'"))
    assert account is not None and account["role"] == "ambassador"
    assert roles == {"x:1001": "ambassador", "x:1002": "ambassador", "x:1004": "ambassador"}
