"""Shared builders of store-level tests: stores filled with posts, alerts, ambassadors, feeds."""

from __future__ import annotations

import contextlib
import json
import random
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

import app
from cache.db.schema import migrations
from cache.db.store import Store
from cache.live.collector import Collector
from cache.read.ambassadors import AmbassadorProfile, ambassador_profiles
from cache.read.monitor_queries import count_matching, feed_page, feed_page_sql
from cache.read.search import query_selection
from cache.write.importer import import_paths
from cache.write.ingest import IngestResult, ingest
from filters.classify import Classifier
from sources.demo.replay import DEMO_DIR
from sources.feeds.source import FeedSource
from sources.model.config import (
    AccountsSection,
    AlertsSection,
    Config,
    FeedSection,
)
from sources.model.records import ParsedBatch
from sources.x.twitter_v2 import parse_response
from tests import builders
from tests.builders import BASE_TIME, page, tweet, user
from tests.feedserver import FeedServer

# --- moved from test_export.py, shared with other test modules ---


def fill(db_path, texts: list[str]) -> list[str]:
    author = user("critic", 'Crit "the" Ic, Esq.')
    tweets = [
        tweet(author, text, at=BASE_TIME + timedelta(minutes=i)) for i, text in enumerate(texts)
    ]
    batch: ParsedBatch = parse_response(page(tweets, [author]), "test")
    with Store.open(db_path) as store:
        ingest(store, batch, Classifier(Config()))
    return [f"x:{t['id']}" for t in tweets]


# --- moved from test_import.py, shared with other test modules ---

COUNTS = re.compile(r"imported (\d+) new, (\d+) updated, (\d+) skipped")


def counts(out: str) -> tuple[int, int, int]:
    match = COUNTS.search(out)
    assert match, out
    new, updated, skipped = (int(g) for g in match.groups())
    return new, updated, skipped


def write_jsonl(path: Path, values: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    return path


# --- moved from test_alerts.py, shared with other test modules ---

DAY0 = datetime(2026, 11, 1, 0, tzinfo=UTC)

CONFIG = Config()

CLASSIFIER = Classifier(CONFIG)

CRITIC = user("critic", "A Critic")

STRIKE_TEXT = "Kestrel workers are on strike at the Leipzig site"

PLAIN_TEXT = "Kestrel parcel arrived"


def add_posts(
    store: Store,
    hour: datetime,
    n: int,
    text: str = PLAIN_TEXT,
    *,
    reply_to: dict | None = None,
    span_s: int = 3599,
) -> IngestResult:
    """Store `n` posts spread over `span_s` seconds from `hour`."""
    tweets = [
        tweet(
            CRITIC,
            f"{text} ({hour:%d %H:%M} #{i})",
            at=hour + timedelta(seconds=i * span_s // n),
            reply_to=reply_to,
        )
        for i in range(n)
    ]
    return ingest(store, parse_response(page(tweets, [CRITIC]), "x:search"), CLASSIFIER)


def steady_days(store: Store, days: int, *, start: datetime = DAY0) -> None:
    """A daily rhythm: 6 plain posts per daytime hour, 1 at night, a strike post each noon."""
    for hour_index in range(days * 24):
        hour = start + timedelta(hours=hour_index)
        add_posts(store, hour, 6 if 8 <= hour.hour < 20 else 1)
        if hour.hour == 12:
            add_posts(store, hour, 1, STRIKE_TEXT)


def alerts_config(tmp_path: Path, **alerts: object) -> Config:
    return Config(alerts=AlertsSection(**alerts))  # type: ignore[arg-type]


def recorder_command(target: Path) -> str:
    """A notify_command that appends its stdin to `target` (one JSON document per line)."""
    script = f"import sys; open({str(target)!r}, 'a').write(sys.stdin.read())"
    return f"{shutil.which('python') or sys.executable} -c {json.dumps(script)}"


# --- moved from test_ambassador_report.py, shared with other test modules ---

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (CET)

NOW = datetime(2026, 12, 1, tzinfo=UTC)

PAY = (
    "Ich arbeite seit drei Jahren gern im Lager in {city}, der Lohn liegt über dem "
    "Tarif und kommt immer pünktlich."
)

BREAKS = (
    "Bei uns in {city} sind die Pausen fest im Schichtplan eingeplant und niemand "
    "muss sie ausfallen lassen."
)


def ambassador_config() -> Config:
    """Default config; Lena is listed as an ambassador (her profile has no FC pattern)."""
    return Config(accounts=AccountsSection(ambassadors=["lena_k"]))


def build_programme(db_path: Path, cfg: Config | None = None) -> dict[str, Any]:
    """Two scripted ambassadors, one genuine advocate, one critic, ingested into a store.

    Anne and Bernd answer the critic's weekday posts 30 s apart in office hours with one
    template (only the city differs); Anne signs two replies as 'Andrea'. Both have no
    followers and follow nobody. Lena discloses her role, answers in her own words in
    the evening and at weekends, and has an audience. Critics raise taxes three times.
    """
    created = MONDAY - timedelta(days=150)
    critic = builders.user("kritikerin", "Kritische Stimme", followers=900, following=300)
    anne = builders.user(
        "anne_fc", "Anne | Kestrel FC Ambassador", followers=0, following=0, created=created
    )
    bernd = builders.user(
        "bernd_fc", "Bernd FC Botschafter", followers=0, following=0, created=created
    )
    lena = builders.user(
        "lena_k",
        "Lena Kraus",
        bio="Schichtleiterin bei Kestrel, hier privat. #Markenbotschafter",
        followers=250,
        following=180,
    )
    tweets: list[dict[str, Any]] = []
    ids: dict[str, str] = {}
    cities = ["Leipzig", "Bremen", "Koblenz", "Werne", "Graben"]
    for day in range(5):  # Monday to Friday
        at = MONDAY + timedelta(days=day)
        template = PAY if day % 2 == 0 else BREAKS
        topic_text = "Der Lohn ist zu niedrig" if day % 2 == 0 else "Keine Pausen im Lager"
        critical = builders.tweet(critic, f"{topic_text} bei Kestrel! #{day}", at=at, lang="de")
        signature = "LG Andrea" if day in (1, 3) else "LG Anne"
        a = builders.tweet(
            anne,
            f"@kritikerin {template.format(city=cities[day])} {signature}",
            at=at + timedelta(minutes=10),
            reply_to=critical,
            lang="de",
        )
        b = builders.tweet(
            bernd,
            f"@kritikerin {template.format(city=cities[(day + 2) % 5])} VG Bernd",
            at=at + timedelta(minutes=10, seconds=30),
            reply_to=critical,
            lang="de",
        )
        tweets += [critical, a, b]
        ids[f"critical{day}"], ids[f"anne{day}"], ids[f"bernd{day}"] = (
            critical["id"],
            a["id"],
            b["id"],
        )
    for day in range(3):
        tweets.append(
            builders.tweet(
                critic,
                f"Kestrel zahlt kaum Steuern in Deutschland, Teil {day}",
                at=MONDAY + timedelta(days=day, hours=3),
                lang="de",
            )
        )
    # Lena: evenings (19:30 Berlin) and the weekend, own words, one own post per day.
    lena_texts = [
        "Heute war eine harte Schicht, aber mein Team hat super zusammengehalten.",
        "Ich verstehe den Ärger über die Pausen, bei uns klappt es meistens, nicht immer.",
        "Wer Fragen zu meinem Alltag im Lager hat, fragt einfach, ich antworte abends.",
        "Samstag frei und trotzdem an die Arbeit gedacht. Ehrlich: der Lohn könnte höher sein.",
        "Sonntag im Garten, morgen wieder Frühschicht in Leipzig.",
        "Die Hitze im Sommer war schlimm, seitdem gibt es mehr Ventilatoren.",
    ]
    for day, text in zip((0, 1, 2, 5, 6, 7), lena_texts, strict=True):
        at = MONDAY + timedelta(days=day, hours=10, minutes=30)  # 19:30 Berlin
        reply_to = None
        if day == 1:
            reply_to = next(t for t in tweets if t["id"] == ids["critical1"])
        lena_tweet = builders.tweet(lena, text, at=at, reply_to=reply_to, lang="de")
        tweets.append(lena_tweet)
        ids[f"lena{day}"] = lena_tweet["id"]
    payload = builders.page(tweets, [critic, anne, bernd, lena])
    batch = parse_response(payload, "import")
    with Store.open(db_path) as store:
        ingest(store, batch, Classifier(cfg or ambassador_config()))
    return ids


def profiles_by_handle(db_path: Path, cfg: Config | None = None) -> dict[str, AmbassadorProfile]:
    with Store.open(db_path, readonly=True) as store:
        return {
            p.handle: p for p in ambassador_profiles(store, cfg or ambassador_config(), now=NOW)
        }


# --- moved from test_feed_source.py, shared with other test modules ---


class Clock:
    def __init__(self) -> None:
        self.now = BASE_TIME

    def __call__(self):
        return self.now


def feed_source(server: FeedServer, name: str, path: str, **kwargs: object) -> FeedSource:
    section = FeedSection(name=name, url=server.url(path), poll_seconds=300)
    return FeedSource(section, rng=random.Random(1), **kwargs)  # type: ignore[arg-type]


def collector(db_path: Path, *sources: FeedSource, clock: Clock | None = None) -> Collector:
    return Collector(Config(), db_path, sources=list(sources), clock=clock or Clock())


def stored_ids(db_path: Path) -> set[str]:
    with Store.open(db_path, readonly=True) as store:
        return {row["id"] for row in store.rows("SELECT id FROM mentions")}


# --- moved from test_demo_scenario.py, shared with other test modules ---

EXPECTED: dict[str, Any] = json.loads((DEMO_DIR / "expected.json").read_text("utf-8"))

WRITTEN_END = datetime.fromisoformat(EXPECTED["strike"]["end"].replace("Z", "+00:00"))

IMPORTED_AT = WRITTEN_END + timedelta(weeks=3)
"""The pinned clock of `import --demo`: the replay ends the scenario at the import moment,
so weekdays and office hours hold exactly as written only a whole number of weeks after
the written end (three weeks: still winter time in Berlin and the US, and in the past)."""


def import_demo(path: Path, at: datetime) -> None:
    """`app.py import --demo --db PATH` with its clock pinned to `at`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cache.live.demo.utc_now", lambda: at)
        assert app.main(["import", "--demo", "--db", str(path)]) == 0


def store_before(migration: str, path: Path, posts_from: Path) -> Path:
    """A store at `path` as it was before `migration`, holding the mentions, accounts and
    topic rows of the store `posts_from` (made by this version: the columns are the same)."""
    db = Database(path)
    migrations.apply(db, stop_before=migration)
    db.execute("ATTACH DATABASE ? AS new", [str(posts_from)])
    with db.conn:
        db.execute("INSERT INTO mentions SELECT * FROM new.mentions")
        # The accounts as far as the old layout holds them (`captured_at` came with m029).
        names = ", ".join(db["accounts"].columns_dict)
        db.execute(f"INSERT INTO accounts ({names}) SELECT {names} FROM new.accounts")
        # The topic rows as far as the old layout holds them (`inherited` came with m007).
        names = ", ".join(c for c in db["mention_topics"].columns_dict if c != "rowid")
        db.execute(f"INSERT INTO mention_topics ({names}) SELECT {names} FROM new.mention_topics")
    db.execute("DETACH DATABASE new")
    db.close()
    return path


OLDER_SCHEMA = 16
"""The schema of `older_store`: the migrations applied before m017 (`mention_days`)."""


def older_store(path: Path, posts_from: Path) -> Path:
    """The mentions of `posts_from` in a store at `path` as an older version (schema 16)
    left it: in WAL mode and closed cleanly, as every store is."""
    store_before("m017_mention_days", path, posts_from)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA user_version = {OLDER_SCHEMA}")
    return path


def plain_page_ids(
    store: Store, text: str, now: datetime, before: tuple[str, str] | None, limit: int
) -> list[Any]:
    """The ids of a page of the query `text` by the plain compiled statement (no time
    windows, no prefix words): what every faster way of reading a page must give."""
    sql, params = feed_page_sql(query_selection(text, now), before)
    return [r["id"] for r in store.rows(sql, (*params, limit))]


def counts_as_plain(store: Store, selection: Any, caps: Sequence[int]) -> int:
    """Assert that the filter line's count of `selection`, capped at each of `caps`, is the
    plain statement's count capped; that exact count."""
    (exact,) = store.conn.execute(
        f"SELECT count(*) FROM mentions AS m WHERE {selection.where}", selection.params
    ).fetchone()
    for cap in caps:
        assert count_matching(store, selection, cap) == min(exact, cap + 1), cap
    return int(exact)


def scroll_as_plain(store: Store, selection: Any, text: str, now: datetime, limit: int) -> int:
    """Scroll the feed of `selection` (the query `text`) to its end with `feed_page`,
    asserting each page is the plain statement's (`plain_page_ids`); the full pages read."""
    before: tuple[str, str] | None = None
    full = 0
    while True:
        rows = feed_page(store, selection, before=before, limit=limit)
        assert [r["id"] for r in rows] == plain_page_ids(store, text, now, before, limit), (
            text,
            before,
        )
        if len(rows) < limit:
            return full
        before = (rows[-1]["created_at"], rows[-1]["id"])
        full += 1


def store_in_pages(
    path: Path,
    posts: Sequence[dict[str, Any]],
    authors: Sequence[dict[str, Any]],
    order: Sequence[int] | None = None,
) -> Path:
    """A store at `path` holding `posts` of `authors`, ingested live a page of 100 at a
    time, the pages in `order` (their indexes; default: as given)."""
    parts = [posts[start : start + 100] for start in range(0, len(posts), 100)]
    with Store.open(path) as store:
        for index in range(len(parts)) if order is None else order:
            ingest(store, parse_response(page(list(parts[index]), list(authors)), "x"), CLASSIFIER)
    return path


def store_pages(
    store: Store, payloads: Sequence[dict[str, Any]], writer: str, folder: Path
) -> None:
    """Store API v2 pages as the live sources do (`writer` "live": page by page) or as
    `app.py import` does ("import": one JSON Lines archive in `folder`, read in-process)."""
    if writer == "live":
        for payload in payloads:
            ingest(store, parse_response(payload, "x"), CLASSIFIER)
        return
    archive = folder / "pages.jsonl"
    archive.write_text("".join(json.dumps(p) + "\n" for p in payloads))
    import_paths(store, [archive], CLASSIFIER, parallel=False)


def author_ids_newest_first(store: Store, author: str) -> list[str]:
    """The ids of `author`'s posts (any case) sorted newest first without any index: what
    every reader of them must give."""
    return [
        str(row[0])
        for row in store.conn.execute(
            "SELECT id FROM mentions NOT INDEXED WHERE author = ? COLLATE NOCASE "
            "ORDER BY created_at DESC, id DESC",
            (author,),
        )
    ]


def vm_steps(store: Store, work: Callable[[], Any]) -> tuple[int, Any]:
    """(SQLite virtual-machine steps, in tens, that `work` took on the store's connection,
    its answer): the work a read does, measured without a clock."""
    counted = iter(range(1, 10**9))
    last = [0]

    def step() -> int:
        last[0] = next(counted)
        return 0

    store.conn.set_progress_handler(step, 10)
    try:
        answer = work()
    finally:
        store.conn.set_progress_handler(None, 0)
    return last[0], answer
