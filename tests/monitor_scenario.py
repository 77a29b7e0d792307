"""A small, hand-made store for the monitor's tests: a critical thread, hostile texts, filler.

Built through the real path (v2 payload -> parse_response -> ingest) into a real SQLite
file, so the screen reads exactly what a live poll would have stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import AccountsSection, Config
from sources.x.twitter_v2 import parse_response
from tests.builders import page, tweet, user
from tests.store_templates import copy_of

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
"""The frozen clock of every monitor test."""

HOSTILE_TEXTS = (
    "[bold red]x[/] Gehalt",
    "a [/] b",
    "[@click=app.quit]x",
    "clear \x1b[2J screen",
    "evil \u202eodd text",
)
"""Posts that must show as literal text and do nothing."""

CONFIG = Config(accounts=AccountsSection(press=["newsdesk"]))


def frozen_clock() -> datetime:
    return NOW


@dataclass
class Scenario:
    path: Path
    critical_id: str
    lena_reply_id: str
    tom_reply_id: str
    parody_id: str
    hostile_ids: list[str]
    config: Config


_TOPIC_FILLER = ("Stundenlohn", "safety", "strike", "union", "weather")


def build_store(path: Path, *, filler: int = 0) -> Scenario:
    """The scenario in a fresh store at `path`; `filler` older mentions for paging."""
    if not copy_of(path, f"scenario-{filler}", lambda at: _fill_scenario(at, filler)):
        _fill_scenario(path, filler)
    return Scenario(
        path=path,
        critical_id="x:1000",
        lena_reply_id="x:1001",
        tom_reply_id="x:1002",
        parody_id="x:1003",
        hostile_ids=[f"x:{1100 + i}" for i in range(len(HOSTILE_TEXTS))],
        config=CONFIG,
    )


ANNA = user("anna_k", "Anna Krüger", user_id="101", bio="Lagerarbeiterin, Verdi", followers=230)
"""The critic of the scenario's critical post."""
LENA = user(
    "KestrelLena",
    "Lena | FC Ambassador",
    user_id="201",
    bio="Ich arbeite gern bei Kestrel",
    followers=0,
    following=0,
    created=NOW - timedelta(days=90),
)
"""An ambassador of the scenario, who answers Anna."""


def _fill_scenario(path: Path, filler: int) -> None:
    anna, lena = ANNA, LENA
    tom = user("KestrelTom", "Tom FC Ambassador", user_id="202", followers=3, following=1)
    parody = user("KestreILena", "Lena (parody)", user_id="301", bio="Parody account. Not Lena.")
    press = user("newsdesk", "Newsdesk", user_id="401", bio="News")
    joe = user("worker_joe", "Joe 🚚", user_id="102")
    hostile = user("h4x", "[red]Evil[/] \x1b[31mname", user_id="666", bio="[@click=app.quit]bio")
    arab = user("rtl_user", "مستخدم", user_id="103")

    critical = tweet(
        anna,
        "Der Stundenlohn bei Kestrel reicht nicht zum Leben. Verdi ruft zum Streik! 😡",
        tweet_id="1000",
        at=NOW - timedelta(hours=4),
        lang="de",
    )
    lena_reply = tweet(
        lena,
        "Hallo Anna, bei uns gibt es faire Löhne und tolle Benefits! #Markenbotschafter",
        tweet_id="1001",
        at=NOW - timedelta(hours=4) + timedelta(minutes=12),
        lang="de",
        reply_to=critical,
    )
    tom_reply = tweet(
        tom,
        "I love my job at Kestrel, great pay!",
        tweet_id="1002",
        at=NOW - timedelta(hours=4) + timedelta(hours=3, minutes=5),
        reply_to=critical,
    )
    parody_reply = tweet(
        parody,
        "Faire Löhne! Ich liebe es, wenn mein Chef mir Textbausteine schickt. 🙃",
        tweet_id="1003",
        at=NOW - timedelta(minutes=30),
        lang="de",
        reply_to=lena_reply,
    )
    safety = tweet(
        joe,
        "Another injury at the Kestrel warehouse. Safety first? Not here.",
        tweet_id="1004",
        at=NOW - timedelta(minutes=50),
    )
    taxes = tweet(
        press,
        "Kestrel zahlt kaum Steuern in Deutschland",
        tweet_id="1005",
        at=NOW - timedelta(hours=5),
        lang="de",
    )
    rtl = tweet(
        arab, "كيستريل أجور منخفضة pay", tweet_id="1006", at=NOW - timedelta(minutes=20), lang="ar"
    )
    hostile_tweets = [
        tweet(hostile, text, tweet_id=str(1100 + i), at=NOW - timedelta(minutes=40 + i))
        for i, text in enumerate(HOSTILE_TEXTS)
    ]
    tweets = [critical, lena_reply, tom_reply, parody_reply, safety, taxes, rtl, *hostile_tweets]
    for i in range(filler):
        tweets.append(
            tweet(
                joe,
                f"Kestrel {_TOPIC_FILLER[i % len(_TOPIC_FILLER)]} post number {i}",
                tweet_id=str(5000 + i),
                at=NOW - timedelta(days=1, minutes=i),
            )
        )
    users = [anna, lena, tom, parody, press, joe, hostile, arab]
    store_batch(path, page(tweets, users))


def store_batch(path: Path, payload: dict[str, Any]) -> list[str]:
    """Ingest one v2 response page into the store; returns the new mention ids."""
    batch = parse_response(payload, source="x:search", where="test")
    with Store.open(path) as store:
        result = ingest(store, batch, classifier())
    return result.new_ids


_classifier: Classifier | None = None


def classifier() -> Classifier:
    """The classifier of CONFIG, built once per process (its rules never change in a test;
    building one compiles every topic's patterns)."""
    global _classifier
    if _classifier is None:
        _classifier = Classifier(CONFIG)
    return _classifier


def arrivals(path: Path, count: int, *, start: int = 9000, minutes_ago: int = 1) -> list[str]:
    """`count` new mentions stored now (the newest first in time order)."""
    author = user("late_news", "Late News", user_id="501")
    tweets = [
        tweet(
            author,
            f"Neue Meldung {i} über Kestrel Gehalt",
            tweet_id=str(start + i),
            at=NOW - timedelta(minutes=minutes_ago) + timedelta(seconds=i),
            lang="de",
        )
        for i in range(count)
    ]
    return store_batch(path, page(tweets, [author]))


@dataclass
class Programme:
    """Two scripted ambassadors and a genuine advocate answering two critical posts."""

    path: Path
    pay_post_id: str
    strike_post_id: str
    jana_pay_id: str
    """Jana's reply to the pay post: co-reply, text block, signed with another name."""
    tobias_pay_id: str
    """Tobias's reply 40 s later: the same text with another city."""
    jana_strike_id: str
    tobias_strike_id: str
    """20 s after Jana's, in other words: a co-reply only."""
    carmen_reply_id: str
    """The advocate's reply, two hours later, in her own words, signed with her own name."""
    config: Config


def _programme_people() -> dict[str, dict[str, Any]]:
    return {
        "maria": user("maria_w", "Maria W.", user_id="111", followers=120),
        "jonas": user("jonas_k", "Jonas K.", user_id="112", followers=80),
        "jana": user(
            "KestrelJana",
            "Jana – Kestrel FC Botschafterin",
            user_id="211",
            followers=0,
            following=0,
            created=NOW - timedelta(days=120),
        ),
        "tobias": user(
            "KestrelTobias",
            "Tobias – Kestrel FC Botschafter",
            user_id="212",
            followers=0,
            following=0,
            created=NOW - timedelta(days=120),
        ),
        "carmen": user(
            "CarmenKestrel",
            "Carmen Ortiz · Kestrel FC Ambassador",
            user_id="213",
            bio="Night-shift picker at Kestrel. #BrandAmbassador, views my own.",
            followers=850,
            following=300,
            created=NOW - timedelta(days=1100),
        ),
    }


_PAY_AT = NOW - timedelta(hours=3)
_STRIKE_AT = NOW - timedelta(hours=2)


def _pay_post(people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return tweet(
        people["maria"],
        "Kestrel pays too little: der Stundenlohn reicht nicht für die Miete.",
        tweet_id="2000",
        at=_PAY_AT,
    )


def _tobias_pay(people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return tweet(
        people["tobias"],
        "Bei uns in Wiesenau sind die Löhne fair und die Kollegen sind super nett.",
        tweet_id="2002",
        at=_PAY_AT + timedelta(minutes=10, seconds=40),
        lang="de",
        reply_to=_pay_post(people),
    )


def build_programme_store(path: Path, *, leave_out_tobias_pay: bool = False) -> Programme:
    """The programme in a fresh store at `path` (optionally without Tobias's pay reply)."""
    key = f"programme-{leave_out_tobias_pay}"
    if not copy_of(path, key, lambda at: _fill_programme(at, leave_out_tobias_pay)):
        _fill_programme(path, leave_out_tobias_pay)
    return Programme(
        path=path,
        pay_post_id="x:2000",
        strike_post_id="x:2010",
        jana_pay_id="x:2001",
        tobias_pay_id="x:2002",
        jana_strike_id="x:2011",
        tobias_strike_id="x:2012",
        carmen_reply_id="x:2003",
        config=CONFIG,
    )


def _fill_programme(path: Path, leave_out_tobias_pay: bool) -> None:
    people = _programme_people()
    pay = _pay_post(people)
    strike = tweet(
        people["jonas"],
        "Streik bei Kestrel in Lahnfeld: Überwachung und Leistungsdruck jeden Tag.",
        tweet_id="2010",
        at=_STRIKE_AT,
        lang="de",
    )
    jana_pay = tweet(
        people["jana"],
        "Bei uns in Lahnfeld sind die Löhne fair und die Kollegen sind super nett. "
        "Liebe Grüße, Katrin",
        tweet_id="2001",
        at=_PAY_AT + timedelta(minutes=10),
        lang="de",
        reply_to=pay,
    )
    jana_strike = tweet(
        people["jana"],
        "Ich arbeite gern hier, der Streik betrifft nur sehr wenige Kollegen.",
        tweet_id="2011",
        at=_STRIKE_AT + timedelta(minutes=5),
        lang="de",
        reply_to=strike,
    )
    tobias_strike = tweet(
        people["tobias"],
        "Heute ist ein ganz normaler Arbeitstag in Wiesenau, alles läuft wie immer.",
        tweet_id="2012",
        at=_STRIKE_AT + timedelta(minutes=5, seconds=20),
        lang="de",
        reply_to=strike,
    )
    carmen_reply = tweet(
        people["carmen"],
        "Night shift here. Pay went up in spring, but I get the anger: rent is brutal. – Carmen",
        tweet_id="2003",
        at=NOW - timedelta(hours=1),
        reply_to=pay,
    )
    carmen_own = [
        tweet(
            people["carmen"],
            f"Shift {i} done, proud of my team in Lahnfeld. #BrandAmbassador",
            tweet_id=str(2100 + i),
            at=NOW - timedelta(days=i, hours=5),
        )
        for i in range(1, 5)
    ]
    tweets = [pay, strike, jana_pay, jana_strike, tobias_strike, carmen_reply, *carmen_own]
    if not leave_out_tobias_pay:
        tweets.append(_tobias_pay(people))
    store_batch(path, page(tweets, list(people.values())))


def store_tobias_pay_reply(path: Path) -> list[str]:
    """Store Tobias's pay reply (left out by `build_programme_store`) as a new arrival."""
    people = _programme_people()
    return store_batch(path, page([_tobias_pay(people)], [people["tobias"]]))
