"""A reply without topic words of its own takes the topics of the post it answers, marked
as from the thread everywhere: store, queries, export, the mention view."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from cache.db.store import Store
from cache.write import ingest as ingest_module
from cache.write import thread_topics
from cache.write.ingest import ingest
from cache.write.reclassify import reclassify_if_changed
from filters.classify import Classifier
from sources.model.config import Config, TopicSection
from sources.x.twitter_v2 import parse_response
from tests.builders import BASE_TIME, page, tweet, user
from tests.monitor_scenario import CONFIG, Scenario
from tests.tui_helpers import make_app, open_detail_of, settle

CRITIC = user("critic", "Critic", user_id="11")
WORKER = user("worker", "Worker", user_id="12")
ANOTHER = user("another", "Another", user_id="13")


def thread() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A critical post about bathroom breaks, a reply without topic words, a reply to it."""
    critical = tweet(CRITIC, "Kestrel times our bathroom breaks", at=BASE_TIME)
    reply = tweet(WORKER, "Not at my site!", reply_to=critical, at=BASE_TIME + timedelta(1))
    deeper = tweet(ANOTHER, "Same here, honestly", reply_to=reply, at=BASE_TIME + timedelta(2))
    return critical, reply, deeper


def store_tweets(db_path: Path, tweets: list[dict[str, Any]], config: Config = CONFIG) -> None:
    with Store.open(db_path) as store:
        batch = parse_response(page(tweets, [CRITIC, WORKER, ANOTHER]), "test")
        ingest(store, batch, Classifier(config))


def topics_of(db_path: Path, tweet_id: str) -> tuple[list[str], list[str], list[tuple[str, int]]]:
    with Store.open(db_path) as store:
        row = store.mention(f"x:{tweet_id}")
        assert row is not None
        index = store.conn.execute(
            "SELECT topic, inherited FROM mention_topics WHERE mention_id = ? ORDER BY topic",
            [f"x:{tweet_id}"],
        ).fetchall()
    return json.loads(row["topics"]), json.loads(row["topics_from_thread"]), index


def test_reply_inherits_the_topics_of_the_post_it_answers(db_path: Path) -> None:
    """A reply and the reply to it, both without topic words, count as working conditions,
    marked as from the thread; the critical post's own topic is not marked."""
    critical, reply, deeper = thread()
    store_tweets(db_path, [critical, reply, deeper])
    assert topics_of(db_path, critical["id"]) == (
        ["working_conditions"],
        [],
        [("working_conditions", 0)],
    )
    for child in (reply, deeper):
        assert topics_of(db_path, child["id"]) == (
            ["working_conditions"],
            ["working_conditions"],
            [("working_conditions", 1)],
        )


def test_parent_arriving_after_its_replies_hands_them_its_topics(db_path: Path) -> None:
    """Replies stored before the post they answer take its topics once it arrives."""
    critical, reply, deeper = thread()
    store_tweets(db_path, [deeper])
    store_tweets(db_path, [reply])
    assert topics_of(db_path, deeper["id"])[0] == []
    with Store.open(db_path) as store:
        batch = parse_response(page([critical], [CRITIC]), "test")
        result = ingest(store, batch, Classifier(CONFIG))
    # the screen is told to redraw the replies whose topics changed
    assert result.updated == 0
    assert sorted(result.updated_ids) == sorted(f"x:{t['id']}" for t in (reply, deeper))
    assert topics_of(db_path, reply["id"])[1] == ["working_conditions"]
    assert topics_of(db_path, deeper["id"])[1] == ["working_conditions"]


def test_reply_with_its_own_topic_keeps_only_its_own(db_path: Path) -> None:
    """A reply that names a topic itself has said what it is about: nothing is added."""
    critical, _, _ = thread()
    own = tweet(WORKER, "And the pay is a joke", reply_to=critical, at=BASE_TIME + timedelta(1))
    store_tweets(db_path, [critical, own])
    assert topics_of(db_path, own["id"])[:2] == (["pay"], [])


def test_replies_that_cannot_take_topics_are_settled_without_reading_their_parents(
    db_path: Path,
) -> None:
    """A reply with a topic of its own, under a post stored earlier, is stored without its
    parent's topics being read (it keeps its own); one without takes them as before."""
    critical, reply, _ = thread()
    own = tweet(WORKER, "And the pay is a joke", reply_to=critical, at=BASE_TIME + timedelta(1))
    store_tweets(db_path, [critical])
    for child, parent_read in ((own, False), (reply, True)):
        statements: list[str] = []
        with Store.open(db_path) as store:
            store.conn.set_trace_callback(statements.append)
            batch = parse_response(page([child], [WORKER]), "test")
            ingest(store, batch, Classifier(CONFIG))
        reads = [s for s in statements if s.startswith("SELECT id, topics FROM mentions")]
        assert bool(reads) is parent_read, statements
    assert topics_of(db_path, own["id"])[:2] == (["pay"], [])
    assert topics_of(db_path, reply["id"])[1] == ["working_conditions"]


def test_bulk_import_of_the_parent_later_updates_waiting_replies(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """`import` of a reply file, then of the file with the parent: the replies inherit."""
    critical, reply, deeper = thread()
    first, second = tmp_path / "replies.json", tmp_path / "critical.json"
    first.write_text(json.dumps(page([reply, deeper], [WORKER, ANOTHER])))
    second.write_text(json.dumps(page([critical], [CRITIC])))
    assert cli("import", "--db", db_path, first, second).code == 0
    assert topics_of(db_path, deeper["id"])[1] == ["working_conditions"]


def test_queries_and_export_show_inherited_topics_as_such(cli: Any, db_path: Path) -> None:
    """`topic:` finds the replies too, `own:` only the post that says it; the export has
    all topics in `topics` and the inherited ones in `topics_from_thread`, after it."""
    critical, reply, deeper = thread()
    store_tweets(db_path, [critical, reply, deeper])

    def exported(query: str, fmt: str = "jsonl") -> str:
        run = cli("export", "--db", db_path, "--format", fmt, f"--query={query}")
        assert run.code == 0, run.err
        return str(run.out)

    rows = [json.loads(line) for line in exported("topic:working_conditions").splitlines()]
    assert [r["id"] for r in rows] == [f"x:{t['id']}" for t in (deeper, reply, critical)]
    assert rows[0]["topics"] == ["working_conditions"]
    assert rows[0]["topics_from_thread"] == ["working_conditions"]
    assert rows[2]["topics_from_thread"] == []
    assert list(rows[0])[7:9] == ["topics", "topics_from_thread"]
    own = [json.loads(line)["id"] for line in exported("own:working_conditions").splitlines()]
    assert own == [f"x:{critical['id']}"]
    csv_lines = exported("-own:working_conditions", "csv").splitlines()
    assert "topics,topics_from_thread" in csv_lines[0]
    assert ",working_conditions,working_conditions," in csv_lines[1]


def test_changed_rules_move_the_inherited_topics_along(db_path: Path) -> None:
    """When the parent's topics change with the config, its replies follow."""
    critical, reply, _ = thread()
    store_tweets(db_path, [critical, reply])
    config = Config(topics={"working_conditions": TopicSection(en=["canteen"], replace=True)})
    with Store.open(db_path) as store:
        reclassify_if_changed(store, Classifier(config))
    assert topics_of(db_path, reply["id"])[:2] == ([], [])
    with Store.open(db_path) as store:
        reclassify_if_changed(store, Classifier(CONFIG))
    assert topics_of(db_path, reply["id"])[:2] == (["working_conditions"], ["working_conditions"])


def test_a_store_from_before_thread_topics_passes_them_on_at_the_next_write(
    db_path: Path,
) -> None:
    """Replies stored before topics came from the thread take them once the store is
    classified again (the migration asks for that)."""
    critical, reply, deeper = thread()
    store_tweets(db_path, [critical, reply, deeper])
    with Store.open(db_path) as store, store.writing():
        # How such a store looks: no inherited topics, rules recorded as current.
        store.conn.execute(
            "UPDATE mentions SET topics = '[]', topics_from_thread = '[]' "
            "WHERE topics_from_thread != '[]'"
        )
        store.conn.execute("DELETE FROM mention_topics WHERE inherited = 1")
        store.conn.execute("DELETE FROM meta WHERE key = 'classifier_fingerprint'")
    assert topics_of(db_path, deeper["id"])[:2] == ([], [])
    with Store.open(db_path) as store:
        result = reclassify_if_changed(store, Classifier(CONFIG))
    assert result is not None and result.mentions_changed == 2
    assert topics_of(db_path, deeper["id"]) == (
        ["working_conditions"],
        ["working_conditions"],
        [("working_conditions", 1)],
    )


@pytest.mark.pilot
async def test_mention_view_says_the_topic_is_from_the_thread(
    db_path: Path, tmp_path: Path
) -> None:
    """The reply's detail names the topic and says it comes from the reply to @critic."""
    critical, reply, _ = thread()
    store_tweets(db_path, [critical, reply])
    scenario = Scenario(db_path, f"x:{critical['id']}", "", "", "", [], CONFIG)
    app = make_app(scenario, tmp_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        screen = await open_detail_of(app, pilot, f"x:{reply['id']}")
        shown = str(screen.query_one("#detail-topics", Static).render())
        assert shown == "working_conditions: from the thread (reply to @critic)"


def _stored_topics(store: Store) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    mentions = store.conn.execute(
        "SELECT id, topics, topics_from_thread FROM mentions ORDER BY id"
    ).fetchall()
    index = store.conn.execute(
        "SELECT topic, created_at, mention_id, inherited FROM mention_topics ORDER BY 3, 1"
    ).fetchall()
    return [tuple(r) for r in mentions], [tuple(r) for r in index]


def test_a_batch_settles_its_threads_from_what_it_wrote_as_from_the_store(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replies listed before their parents, across settling chunks, get the same topics
    whether settling reads the batch's rows back or takes them as written, and an import
    settles without reading back what it has just written."""
    monkeypatch.setattr("cache.write.thread_topics._CHUNK", 2)
    tweets: list[dict[str, Any]] = []
    for n in range(6):
        critical, reply, deeper = thread()
        quote = tweet(WORKER, "Look at this", quotes=deeper, at=BASE_TIME + timedelta(3))
        own = tweet(ANOTHER, "And the pay is a joke", reply_to=reply, at=BASE_TIME + timedelta(4))
        chain = [quote, own, deeper, reply] + ([critical] if n % 2 else [])
        tweets.extend(reversed(chain) if n % 3 == 0 else chain)
    batch_page = page(tweets, [CRITIC, WORKER, ANOTHER])

    reads: list[str] = []
    with Store.open(db_path) as store:
        store.conn.set_trace_callback(reads.append)
        ingest(store, parse_response(batch_page, "test"), Classifier(CONFIG))
        store.conn.set_trace_callback(None)
        taken_as_written = _stored_topics(store)
    assert not [s for s in reads if s.startswith("SELECT") and "topics_from_thread" in s]

    def settle_by_reading(conn: Any, ids: Any, known: Any = None) -> list[str]:
        return thread_topics.settle(conn, ids)

    monkeypatch.setattr(ingest_module, "settle", settle_by_reading)
    with Store.open(tmp_path / "read_back.db") as store:
        ingest(store, parse_response(batch_page, "test"), Classifier(CONFIG))
        read_back = _stored_topics(store)
    assert taken_as_written == read_back
    # The three chains with their critical post hand it down to reply, deeper and quote.
    assert len([row for row in read_back[1] if row[3] == 1]) == 3 * 3
