"""An older capture of an account's profile never replaces a newer one.

The same account comes in several archives, captured at different times with different
follower counts (the audience signal of the ambassadors' report). Which capture is newer
is known from twarc's `__twarc.retrieved_at` on the page, else from the newest post on the
page; a live poll's account is the newest. Importing unchanged files again changes no
account.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.store_helpers import write_jsonl

ANNA_ID = "31311448"


def _anna(followers: int) -> dict[str, object]:
    return user("anna_k", "Anna K", user_id=ANNA_ID, followers=followers)


def _capture(path: Path, followers: int, retrieved: str | None, days: int = 0) -> Path:
    """A page of one post of Anna's (posted `days` after the base time) with her profile,
    as twarc saved it at `retrieved` (None: no twarc bookkeeping)."""
    anna = _anna(followers)
    found = page([tweet(anna, "Kestrel Streik", at=BASE_TIME + timedelta(days=days))], [anna])
    if retrieved is not None:
        found["__twarc"] = {"url": "https://api.twitter.com/2/tweets", "retrieved_at": retrieved}
    return write_jsonl(path, [found])


def _accounts_changed(out: str) -> int:
    match = re.search(r"(\d+) accounts new or changed", out)
    assert match, out
    return int(match.group(1))


def _followers(db_path: Path) -> int:
    with Store.open(db_path) as store:
        account = store.account(f"x:{ANNA_ID}")
    assert account is not None
    return int(account["followers"])


def test_the_newer_capture_stays_and_a_second_import_changes_nothing(tmp_path, cli):
    """Whichever file is read last, the profile retrieved last is stored, and importing
    the same files again reports no account changed."""
    for newer_name, older_name in (("a.jsonl", "b.jsonl"), ("b.jsonl", "a.jsonl")):
        folder = tmp_path / newer_name
        folder.mkdir()
        db_path = folder / "store.db"
        files = [
            _capture(folder / newer_name, 3_634_513, "2021-09-22T16:38:09+00:00"),
            _capture(folder / older_name, 3_520_224, "2021-05-01T10:00:00+00:00", days=3),
        ]
        files.sort()
        first = cli("import", "--db", db_path, *files)
        assert first.code == 0, first.err
        assert _followers(db_path) == 3_634_513
        again = cli("import", "--db", db_path, *files)
        assert again.code == 0, again.err
        assert _accounts_changed(again.out) == 0
        assert _followers(db_path) == 3_634_513


def test_without_a_retrieval_time_the_newest_post_tells_the_newer_capture(tmp_path, cli, db_path):
    """Pages with no twarc bookkeeping: the page with the newer posts carries the newer
    profile, in whichever order the files are imported."""
    newer = _capture(tmp_path / "newer.jsonl", 300, None, days=30)
    older = _capture(tmp_path / "older.jsonl", 100, None)
    assert cli("import", "--db", db_path, newer).code == 0
    run = cli("import", "--db", db_path, older)
    assert run.code == 0, run.err
    assert _accounts_changed(run.out) == 0
    assert _followers(db_path) == 300


def test_a_live_poll_replaces_an_imported_profile(tmp_path, cli, db_path):
    """The profile a poll brings is the newest: it replaces one imported from an archive,
    as before."""
    archived = _capture(tmp_path / "a.jsonl", 100, "2030-01-01T00:00:00+00:00")
    assert cli("import", "--db", db_path, archived).code == 0
    anna = _anna(150)
    polled = parse_response(page([tweet(anna, "Kestrel Streik")], [anna]), "x/search")
    with Store.open(db_path) as store:
        result = ingest(store, polled, Classifier(Config()))
    assert result.accounts == 1
    assert _followers(db_path) == 150
