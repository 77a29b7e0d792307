"""CSV and JSON Lines exports carry `FILE.meta.json`; `export --ids` writes only post ids."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from cache.db.store import Store
from cache.write.importer import import_paths
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.feeds.parse import parse_feed
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, rss, tweet, user


def build_store(db_path: Path, tmp_path: Path) -> list[str]:
    """Three tweets (two about strikes) and one feed article; returns the tweet ids."""
    critic = user("critic")
    tweets = [
        tweet(critic, "Kestrel strike at Leipzig", at=BASE_TIME),
        tweet(critic, "Kestrel strike, day two", at=BASE_TIME + timedelta(days=1)),
        tweet(critic, "Kestrel parcel arrived", at=BASE_TIME + timedelta(days=2)),
    ]
    feed = tmp_path / "news.xml"
    feed.write_bytes(
        rss(
            "News",
            [
                {
                    "title": "Kestrel strike spreads",
                    "link": "https://news.example/strike",
                    "pubDate": "Tue, 03 Nov 2026 08:00:00 GMT",
                }
            ],
        )
    )
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        ingest(store, parse_response(page(tweets, [critic]), "x:search"), classifier)
        import_paths(store, [feed], classifier)
    return [t["id"] for t in tweets]


def test_csv_export_writes_a_sidecar_that_reproduces_it(cli, db_path: Path, tmp_path: Path) -> None:
    """Beside `strikes.csv` lies `strikes.csv.meta.json` with query, range, time, version, rows."""
    build_store(db_path, tmp_path)
    out = tmp_path / "strikes.csv"
    query = "strike until:2026-11-05"
    run = cli("export", "--db", db_path, "--query", query, "-o", out)
    assert run.code == 0, run.err
    meta = json.loads((tmp_path / "strikes.csv.meta.json").read_text(encoding="utf-8"))
    assert meta["query"] == query
    assert meta["rows"] == 3
    assert meta["time_range"] == {"first": "2026-11-02T09:00:00Z", "last": "2026-11-03T09:00:00Z"}
    assert meta["query_range"] == {"since": None, "until": "2026-11-06T00:00:00Z"}  # whole day
    assert meta["captured_at"].endswith("Z") and len(meta["captured_at"]) == 20
    assert meta["echowatch_version"] and meta["echowatch_version"] != "unknown"
    assert (meta["report"], meta["format"], meta["file"]) == ("mentions", "csv", "strikes.csv")


def test_jsonl_export_gets_a_sidecar_and_stdout_gets_none(
    cli, db_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """A JSON Lines file gets its sidecar; writing to standard output leaves no file."""
    build_store(db_path, tmp_path)
    out = tmp_path / "all.jsonl"
    assert cli("export", "--db", db_path, "--format", "jsonl", "-o", out).code == 0
    meta = json.loads((tmp_path / "all.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["rows"] == len(out.read_text(encoding="utf-8").splitlines()) == 4
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    run = cli("export", "--db", db_path, "--format", "jsonl")
    assert run.code == 0 and len(run.out.splitlines()) == 4
    assert set(tmp_path.iterdir()) == before


def test_reports_carry_their_metadata_inside_not_in_a_sidecar(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """A Markdown report has no sidecar: its header already names query and capture time."""
    build_store(db_path, tmp_path)
    out = tmp_path / "report.md"
    assert cli("export", "--db", db_path, "--format", "md", "-o", out).code == 0
    assert not (tmp_path / "report.md.meta.json").exists()


def test_ids_writes_only_the_tweet_ids(cli, db_path: Path, tmp_path: Path) -> None:
    """`--ids` writes the bare tweet ids, newest first, one per line; feed items are left out."""
    tweet_ids = build_store(db_path, tmp_path)
    out = tmp_path / "ids.txt"
    run = cli("export", "--db", db_path, "--ids", "--query", "strike", "-o", out)
    assert run.code == 0, run.err
    assert out.read_text(encoding="utf-8").splitlines() == [tweet_ids[1], tweet_ids[0]]
    assert "exported 2 ids" in run.err
    meta = json.loads((tmp_path / "ids.txt.meta.json").read_text(encoding="utf-8"))
    assert (meta["format"], meta["rows"], meta["query"]) == ("ids", 2, "strike")


def test_ids_refuses_a_format(cli, db_path: Path, tmp_path: Path) -> None:
    """`--ids --format csv` is a usage error that names the conflict."""
    build_store(db_path, tmp_path)
    run = cli("export", "--db", db_path, "--ids", "--format", "csv")
    assert run.code == 2
    assert "--ids" in run.err and "--format" in run.err


def test_a_failed_export_leaves_no_file_and_no_sidecar(cli, db_path: Path, tmp_path: Path) -> None:
    """A query that cannot be read writes neither the file nor its sidecar."""
    build_store(db_path, tmp_path)
    out = tmp_path / "bad.csv"
    run = cli("export", "--db", db_path, "--query", "topic:", "-o", out)
    assert run.code == 2
    assert not out.exists() and not (tmp_path / "bad.csv.meta.json").exists()


def build_mixed_store(db_path: Path) -> None:
    """Two tweets (2 and 3 Nov), feed articles dated 1 and 5 Nov, and an undated feed item
    first seen on 9 Nov (its stored time is that moment, flagged `undated`)."""
    critic = user("critic")
    tweets = [
        tweet(critic, "Kestrel strike at Leipzig", at=BASE_TIME),
        tweet(critic, "Kestrel strike, day two", at=BASE_TIME + timedelta(days=1)),
    ]
    articles = [
        {
            "title": "Kestrel before",
            "link": "https://n.example/1",
            "pubDate": "Sun, 01 Nov 2026 08:00:00 GMT",
        },
        {
            "title": "Kestrel after",
            "link": "https://n.example/5",
            "pubDate": "Thu, 05 Nov 2026 08:00:00 GMT",
        },
        {"title": "Kestrel undated", "link": "https://n.example/u"},
    ]
    seen = BASE_TIME + timedelta(days=7)
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        ingest(store, parse_response(page(tweets, [critic]), "x:search"), classifier)
        ingest(store, parse_feed(rss("News", articles), "news", seen_at=seen), classifier)
        flags = {r["time_flag"] for r in store.rows("SELECT time_flag FROM mentions")}
        assert flags == {"", "undated"}


def test_the_sidecar_time_range_leaves_out_untrusted_times_as_the_report_does(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """An undated item is exported but its first-seen time is not the sidecar's `last`:
    CSV and JSON Lines sidecars give the range the Markdown report gives."""
    build_mixed_store(db_path)
    report = tmp_path / "all.md"
    assert cli("export", "--db", db_path, "--format", "md", "-o", report).code == 0
    assert "first 2026-11-01 08:00 UTC, last 2026-11-05 08:00 UTC" in report.read_text()
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"all.{fmt}"
        assert cli("export", "--db", db_path, "--format", fmt, "-o", out).code == 0
        meta = json.loads((tmp_path / f"all.{fmt}.meta.json").read_text(encoding="utf-8"))
        assert meta["rows"] == 5, fmt
        assert meta["time_range"] == {
            "first": "2026-11-01T08:00:00Z",
            "last": "2026-11-05T08:00:00Z",
        }, fmt


def test_the_ids_sidecar_covers_only_the_posts_in_the_file(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """`--ids` writes the two tweets; its sidecar's range is theirs, not the feed items'."""
    build_mixed_store(db_path)
    out = tmp_path / "ids.txt"
    assert cli("export", "--db", db_path, "--ids", "-o", out).code == 0
    meta = json.loads((tmp_path / "ids.txt.meta.json").read_text(encoding="utf-8"))
    assert meta["rows"] == len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert meta["time_range"] == {"first": "2026-11-02T09:00:00Z", "last": "2026-11-03T09:00:00Z"}
