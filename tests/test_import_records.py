"""What `import` says about odd records: bad ids, unreadable times, accounts, a SIGTERM."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path
from typing import Any

import pytest

import cache.write.pipeline
from cache.db.store import Store
from cache.write.importer import ImportReport, import_paths
from filters.classify import Classifier
from sources.model.config import Config
from tests.builders import page, tweet, user
from tests.store_helpers import counts, write_jsonl

BAD_IDS = [
    ("１２３４５６７８９", "not made of the digits 0-9"),  # full-width
    ("١٢٣٤٥٦٧٨٩", "not made of the digits 0-9"),  # Arabic-Indic
    ("1" * 38, "larger than any X id"),
    (str(1 << 63), "larger than any X id"),  # 19 digits, but past 64-bit signed
    ("12a45", "not made of the digits 0-9"),
]


@pytest.mark.parametrize(("bad_id", "reason"), BAD_IDS)
def test_a_tweet_id_that_no_x_post_has_is_skipped_with_its_reason(
    tmp_path: Path, db_path: Path, cli, bad_id: str, reason: str
) -> None:
    """Ids in other digit scripts or beyond 64 bits are skipped and named; the rest import."""
    author = user("critic")
    good = tweet(author, "Streik heute")
    response = page([good], [author])
    response["data"].append(tweet(author, "Lohn morgen", tweet_id=bad_id))
    archive = write_jsonl(tmp_path / "a.jsonl", [response])
    run = cli("import", archive, "--db", db_path)
    assert run.code == 0, run.err
    assert counts(run.out) == (1, 0, 1)
    assert reason in run.out
    with Store.open(db_path, readonly=True) as store:
        assert [r["id"] for r in store.rows("SELECT id FROM mentions")] == [f"x:{good['id']}"]


def test_the_largest_real_tweet_id_is_accepted(tmp_path: Path, db_path: Path, cli) -> None:
    """A 19-digit id just below 2**63 is a valid id and is stored."""
    author = user("critic")
    largest = str((1 << 63) - 1)
    archive = write_jsonl(
        tmp_path / "a.jsonl", [page([tweet(author, "x", tweet_id=largest)], [author])]
    )
    assert counts(cli("import", archive, "--db", db_path).out) == (1, 0, 0)


def test_an_unreadable_created_at_is_reported_not_replaced_silently(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A tweet whose time cannot be read is placed at its id's time, and the import says so."""
    author = user("critic")
    odd = tweet(author, "Streik", tweet_id="1860000000000000001")
    odd["created_at"] = "letzten Dienstag"
    archive = write_jsonl(tmp_path / "a.jsonl", [page([odd], [author])])
    run = cli("import", archive, "--db", db_path)
    assert counts(run.out) == (1, 0, 0)
    assert "tweet 1860000000000000001: unreadable created_at 'letzten Dienstag'" in run.out
    with Store.open(db_path, readonly=True) as store:
        row = store.mention("x:1860000000000000001")
    assert row is not None and row["created_at"].startswith("2024-11-")


def test_an_unreadable_created_at_is_told_apart_from_a_missing_one(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """A post without created_at is counted in the note, one with an unreadable created_at
    only in its warning: each post told once, as what it is."""
    author = user("critic")
    odd = tweet(author, "Streik", tweet_id="1860000000000000001")
    odd["created_at"] = "not a date"
    missing = tweet(author, "Lohn", tweet_id="1860000000000000002")
    del missing["created_at"]
    archive = write_jsonl(tmp_path / "a.jsonl", [page([odd, missing], [author])])
    run = cli("import", archive, "--db", db_path)
    assert counts(run.out) == (2, 0, 0)
    assert "note 1 posts had no created_at" in run.out
    assert "tweet 1860000000000000001: unreadable created_at 'not a date'" in run.out
    assert "1860000000000000002" not in run.out


def test_a_tweet_without_time_or_a_time_carrying_id_says_which(
    realworld: Path, tmp_path: Path, db_path: Path, cli
) -> None:
    """X's own example tweet 20 (no created_at, an id from 2006) is skipped saying its
    created_at is missing and its id too old to carry a time; an unreadable one says so."""
    example = "Single_Tweet_200_Success_Default_Payload_No_additonal_fields_requested.json"
    run = cli("import", realworld / "twitter_v2" / "postman_examples" / example, "--db", db_path)
    assert counts(run.out) == (0, 0, 1)
    assert (
        ": tweet 20: no created_at, and its id is too old to carry its time "
        "(X ids before November 2010 carry none)"
    ) in run.out
    old = tweet(user("critic"), "Streik", tweet_id="21")
    old["created_at"] = "letzten Dienstag"
    run = cli("import", write_jsonl(tmp_path / "a.jsonl", [page([old], [])]), "--db", db_path)
    assert (
        "tweet 21: unreadable created_at 'letzten Dienstag', and its id is too old to carry "
        "its time"
    ) in run.out


def test_the_accounts_count_is_of_accounts_added_or_changed(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """Three authors on 40 pages are 3 accounts, and 0 when imported again unchanged."""
    authors = [user(f"author{i}") for i in range(3)]
    pages = [page([tweet(a, f"post {n}") for a in authors], authors) for n in range(40)]
    archive = write_jsonl(tmp_path / "a.jsonl", pages)
    first = cli("import", archive, "--db", db_path)
    assert "3 accounts new or changed" in first.out, first.out
    again = cli("import", archive, "--db", db_path)
    assert "0 accounts new or changed" in again.out, again.out


def test_an_import_leaves_alone_a_profile_another_writer_changed_meanwhile(
    tmp_path: Path, db_path: Path
) -> None:
    """The archive's copy of a profile does not overwrite a newer one the collector wrote
    between two of the import's transactions, nor is it written again each transaction."""
    author = user("critic", bio="archived bio")
    pages = [page([tweet(author, f"Streik {n}")], [author]) for n in range(4)]
    archive = write_jsonl(tmp_path / "a.jsonl", pages)
    transactions: list[int] = []

    def collector_writes_newer_profile(report: ImportReport) -> None:
        transactions.append(report.totals.new)
        if len(transactions) == 1:
            with Store.open(db_path) as collector, collector.writing():
                collector.conn.execute(
                    "UPDATE accounts SET bio = 'newer bio', raw_hash = 'newer' WHERE handle = ?",
                    ("critic",),
                )

    with Store.open(db_path) as store:
        report = import_paths(
            store,
            [archive],
            Classifier(Config()),
            batch=1,
            parallel=False,
            on_progress=collector_writes_newer_profile,
        )
        bio = store.conn.execute("SELECT bio FROM accounts WHERE handle = 'critic'").fetchone()
    assert transactions == [1, 2, 3, 4]  # the author came back in three later transactions
    assert report.totals.accounts == 1
    assert bio == ("newer bio",)


def test_sigterm_stops_the_import_after_a_transaction_and_says_so(
    tmp_path: Path, db_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM mid-import: exit 143 with a message of what was stored; a rerun adds the rest."""
    author = user("critic")
    pages = [page([tweet(author, f"post {p}-{i}") for i in range(10)], [author]) for p in range(30)]
    archive = write_jsonl(tmp_path / "a.jsonl", pages)
    real_store = cache.write.pipeline.BulkIngest._store
    stores = 0

    def store_then_terminate(self: Any, batch: Any, classifier: Any) -> None:
        nonlocal stores
        real_store(self, batch, classifier)
        stores += 1
        if stores == 2:  # as `kill PID` from outside, between two transactions
            os.kill(os.getpid(), signal.SIGTERM)

    def unhandled(signum: int, frame: object) -> None:  # instead of killing the test run
        raise AssertionError("SIGTERM reached the default handler: the import ignored it")

    monkeypatch.setattr(cache.write.pipeline.BulkIngest, "_store", store_then_terminate)
    previous = signal.signal(signal.SIGTERM, unhandled)
    try:
        run = cli("import", archive, "--db", db_path, "--batch", "50")
    finally:
        signal.signal(signal.SIGTERM, previous)
        monkeypatch.undo()
    assert run.code == 143
    message = re.search(r"interrupted by SIGTERM: (\d+) new", run.err)
    assert message, run.err
    with Store.open(db_path, readonly=True) as store:
        stored = store.count_mentions()
    assert 0 < stored < 300 and stored == int(message.group(1))
    rest = cli("import", archive, "--db", db_path)
    assert rest.code == 0 and counts(rest.out)[0] == 300 - stored
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 300
