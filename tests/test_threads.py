"""Threads: a critical mention, who of the ambassadors answered, how parody accounts reacted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cache.db.store import Store
from cache.read.search import query_selection
from cache.read.selection import Selection
from cache.read.threads import critical_threads, thread_for
from cache.write.ingest import ingest
from filters.classify import Classifier
from filters.threads import LinkedPost, PostRef, assemble_thread
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user

CRITIC = user("lager_leipzig", "Lager Leipzig", user_id="11")
AMB_A = user("kestrel_anna", "Anna | Kestrel FC Ambassador", user_id="12")
AMB_B = user("kestrel_ben", "Ben, Kestrel FC Botschafter", user_id="13")
PARODY = user("kestreI_anna", "Anna FC Ambassador (Parodie)", user_id="14")
USERS = [CRITIC, AMB_A, AMB_B, PARODY]


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


def put(store: Store, tweets: list[dict[str, Any]], users: list[dict[str, Any]] = USERS) -> None:
    ingest(store, parse_response(page(tweets, users), "x:search"), Classifier(Config()))


def scene() -> dict[str, dict[str, Any]]:
    t = BASE_TIME
    root = tweet(
        CRITIC, "Schon wieder Hitze im Lager und keine Pausen", tweet_id="500", lang="de", at=t
    )
    reply_a = tweet(
        AMB_A,
        "Bei uns gibt es Ventilatoren und Pausen",
        tweet_id="501",
        reply_to=root,
        lang="de",
        at=t + timedelta(minutes=4),
    )
    reply_b = tweet(
        AMB_B,
        "Ich fühle mich wohl bei der Arbeit",
        tweet_id="502",
        reply_to=root,
        lang="de",
        at=t + timedelta(minutes=9),
    )
    mock_quote = tweet(
        PARODY,
        "Ventilatoren! Wie großzügig",
        tweet_id="503",
        quotes=reply_a,
        lang="de",
        at=t + timedelta(minutes=20),
    )
    mock_reply = tweet(
        PARODY,
        "Hitzefrei gibt es nur für Roboter",
        tweet_id="504",
        reply_to=root,
        lang="de",
        at=t + timedelta(minutes=30),
    )
    return {"root": root, "a": reply_a, "b": reply_b, "quote": mock_quote, "reply": mock_reply}


def test_thread_links_replies_latencies_and_parody_reactions(store: Store) -> None:
    """A critical post shows both ambassador replies with latency and both parody reactions."""
    s = scene()
    put(store, list(s.values()))
    thread = thread_for(store, "x:500")
    assert thread is not None
    assert [(r.post.id, r.latency_s) for r in thread.replies] == [("x:501", 240), ("x:502", 540)]
    assert [(x.post.id, x.kind, x.target) for x in thread.replies[0].reactions] == [
        ("x:503", "quote", "x:501")
    ]
    assert [(x.post.id, x.kind) for x in thread.root_reactions] == [("x:504", "reply")]
    assert thread.missing_ids == ()
    assert thread.root.topics == ("working_conditions",)


def test_any_member_leads_to_the_same_thread(store: Store) -> None:
    """Opening a reply or a parody quote shows the thread of the critical post."""
    put(store, list(scene().values()))
    expected = thread_for(store, "x:500")
    assert thread_for(store, "x:501") == expected
    assert thread_for(store, "x:503") == expected
    assert thread_for(store, "x:504") == expected


def test_pieces_arriving_out_of_order_fill_in(store: Store) -> None:
    """Replies stored before their critical post keep the link; the post fills it later."""
    s = scene()
    put(store, [s["quote"]])
    put(store, [s["a"], s["b"]])
    early = thread_for(store, "x:501")
    assert early is not None
    assert early.missing_ids == ("x:500",)
    assert early.root.missing and [r.latency_s for r in early.replies] == [None, None]
    assert [x.post.id for x in early.replies[0].reactions] == ["x:503"]
    put(store, [s["root"], s["reply"]])
    late = thread_for(store, "x:501")
    assert late is not None and late.missing_ids == ()
    assert late.root.text.startswith("Schon wieder Hitze")
    assert [r.latency_s for r in late.replies] == [240, 540]


def test_posts_outside_any_thread_give_none(store: Store) -> None:
    """An official post, an unknown id and an untopical unanswered post have no thread."""
    official = user("Kestrel", "Kestrel", user_id="15")
    plain = tweet(CRITIC, "Nice weather in Leipzig today", tweet_id="600")
    news = tweet(official, "Our new depot opens today", tweet_id="601")
    put(store, [plain, news], [CRITIC, official])
    assert thread_for(store, "x:600") is None
    assert thread_for(store, "x:601") is None
    assert thread_for(store, "x:999") is None


def test_critical_threads_follow_the_query_newest_first(store: Store) -> None:
    """The thread list holds only critical posts the query selects, newest first."""
    s = scene()
    other = tweet(
        CRITIC,
        "Warum zahlt Kestrel so wenig Steuern?",
        tweet_id="510",
        lang="de",
        at=BASE_TIME + timedelta(hours=2),
    )
    put(store, [*s.values(), other])
    assert [t.root.id for t in critical_threads(store, Selection())] == ["x:510", "x:500"]
    selected = critical_threads(store, query_selection("has:reply"))
    assert [t.root.id for t in selected] == ["x:500"]
    assert critical_threads(store, Selection(), limit=1)[0].root.id == "x:510"


def test_assemble_thread_ignores_unrelated_posts_and_chains_ambassadors() -> None:
    """An ambassador answering another ambassador's reply joins the thread; strangers do not."""
    root = PostRef("x:1", role="public", created_at=BASE_TIME)
    first = LinkedPost(
        PostRef("x:2", role="ambassador", created_at=BASE_TIME + timedelta(seconds=60)),
        kind="reply",
        in_reply_to="x:1",
    )
    chained = LinkedPost(
        PostRef("x:3", role="ambassador", created_at=BASE_TIME + timedelta(seconds=90)),
        kind="reply",
        in_reply_to="x:2",
    )
    stranger = LinkedPost(
        PostRef("x:4", role="public", created_at=BASE_TIME), kind="reply", in_reply_to="x:1"
    )
    elsewhere = LinkedPost(
        PostRef("x:5", role="parody", created_at=BASE_TIME), kind="quote", quoted_id="x:77"
    )
    thread = assemble_thread(root, [chained, stranger, elsewhere, first])
    assert [(r.post.id, r.latency_s) for r in thread.replies] == [("x:2", 60), ("x:3", 90)]
    assert thread.root_reactions == ()
