"""The bundled demo scenario, loaded through `app.py import --demo`, tells its whole story
through the product's own outputs: export rows, status, roles, threads and the ambassador
signals. The expected facts come from `sources/demo/expected.json`, which the scenario's
generator counted from what it wrote (see sources/demo/SCENARIO.md).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import app
from cache.ambassadors import ambassador_profiles
from cache.status import store_status
from cache.store import Store
from cache.threads import thread_for
from filters.classify import Classifier
from sources.config import load_config
from sources.replay import DEMO_DIR, demo_config_path
from sources.text import canonical_link

EXPECTED: dict[str, Any] = json.loads((DEMO_DIR / "expected.json").read_text("utf-8"))
AMBASSADORS = EXPECTED["ambassadors"]
SCRIPTED = [h for h, a in AMBASSADORS.items() if a["scripted"]]
GENUINE = next(h for h, a in AMBASSADORS.items() if not a["scripted"])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the whole demo, written by the command line."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert app.main(["import", "--demo", "--db", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def rows(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every mention as `app.py export --format jsonl` writes it."""
    out = tmp_path_factory.mktemp("export") / "all.jsonl"
    assert app.main(["export", "--format", "jsonl", "--db", str(demo_db), "-o", str(out)]) == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def profiles(demo_db: Path) -> dict[str, Any]:
    """The ambassador signals the monitor and `export --report ambassadors` show."""
    with Store.open(demo_db, readonly=True) as store:
        return {p.handle: p for p in ambassador_profiles(store, load_config(demo_config_path()))}


def test_import_demo_is_a_command_that_can_run_twice(cli, db_path: Path) -> None:
    """`import --demo --db PATH` fills a store once; again it adds nothing; PATHs are refused."""
    first = cli("import", "--demo", "--db", db_path)
    assert first.code == 0
    assert first.out.startswith("imported the demo: ")
    new = int(first.out.split(": ")[1].split(" new")[0])
    assert new >= 1500
    assert "warning harbor-ledger: malformed feed" in first.out
    again = cli("import", "--demo", "--db", db_path)
    assert again.code == 0
    assert again.out.startswith("imported the demo: 0 new, 0 updated")
    assert cli("import", "--demo", "some.jsonl", "--db", db_path).code == 2


def test_import_demo_never_mixes_into_a_store_of_real_mentions(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """A store that holds the user's own mentions is left alone."""
    own = tmp_path / "own.jsonl"
    own.write_text(
        '{"data": [{"id": "1860000000000000001", "text": "hi", "author_id": "1", '
        '"created_at": "2026-11-02T09:00:00.000Z"}]}\n'
    )
    assert cli("import", own, "--db", db_path).code == 0
    refused = cli("import", "--demo", "--db", db_path)
    assert refused.code == 1
    assert "holds your own mentions" in refused.err
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 1


def test_enough_mentions_in_both_languages(rows: list[dict[str, Any]]) -> None:
    """Two weeks of talk: at least 1,500 mentions, German and English, posts and articles."""
    assert len(rows) >= 1500
    langs = Counter(r["lang"] for r in rows)
    assert langs["de"] >= 800 and langs["en"] >= 500
    assert {r["platform"] for r in rows} == {"x", "rss"}


def test_every_topic_is_there_with_plausible_counts(demo_db: Path) -> None:
    """Strikes lead, the other topics follow, taxes is small but present."""
    with Store.open(demo_db, readonly=True) as store:
        per_topic = dict(store_status(store).per_topic)
    intended = EXPECTED["intended_topics"]
    for topic, written in intended.items():
        assert per_topic.get(topic, 0) >= 0.9 * written, topic
    assert max(per_topic, key=per_topic.__getitem__) == "strikes"
    assert 30 <= per_topic["taxes"] < per_topic["pay"]


def test_the_strike_day_is_a_clear_spike(rows: list[dict[str, Any]]) -> None:
    """The strike day in Berlin has far more mentions than any other day."""
    berlin = ZoneInfo("Europe/Berlin")
    days = Counter(
        datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).astimezone(berlin).date()
        for r in rows
    )
    ranked = days.most_common()
    spike, count = ranked[0]
    assert spike.weekday() == datetime.fromisoformat(EXPECTED["spike_day_berlin"]).weekday()
    assert count >= 1.4 * ranked[1][1]
    assert count >= 2.5 * statistics.median(days.values())
    strikes_on_spike = sum(
        1
        for r in rows
        if "strikes" in r["topics"]
        and datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).astimezone(berlin).date()
        == spike
    )
    assert strikes_on_spike >= 150


def test_roles_are_found_by_the_rules(demo_db: Path) -> None:
    """Official, press, ambassador and parody accounts, the unmarked parody by its handle."""
    with Store.open(demo_db, readonly=True) as store:
        accounts = {
            row["handle"]: row
            for row in store.rows("SELECT handle, role, role_reason FROM accounts")
        }
    for handle, role in EXPECTED["roles"].items():
        assert accounts[handle]["role"] == role, handle
    assert "look-alike" in accounts["KorvandoFCT0bias"]["role_reason"]
    # Without the list in the config, the profile markers alone still find every ambassador.
    config = load_config(demo_config_path())
    unlisted = replace(config, accounts=replace(config.accounts, ambassadors=[]))
    with Store.open(demo_db, readonly=True) as store:
        classifier = Classifier(unlisted)
        for handle in AMBASSADORS:
            row = next(store.rows("SELECT * FROM accounts WHERE handle = ?", [handle]))
            decision = classifier.role_rules.decide(row["handle"], row["display_name"], row["bio"])
            assert decision.role == "ambassador", handle


def test_each_ambassador_replies_as_written(rows: list[dict[str, Any]]) -> None:
    """Scripted accounts only reply; the genuine advocate also posts, with a disclosure tag."""
    for handle, facts in AMBASSADORS.items():
        own = [r for r in rows if r["author"] == handle]
        replies = [r for r in own if r["in_reply_to"]]
        assert {r["id"] for r in replies} == set(facts["reply_ids"]), handle
        assert len(own) - len(replies) == facts["own_posts"], handle
        assert all(r["role"] == "ambassador" for r in own)
    assert all(
        AMBASSADORS[h]["own_posts"] == 0 and AMBASSADORS[h]["replies"] >= 25 for h in SCRIPTED
    )
    genuine = [r for r in rows if r["author"] == GENUINE and not r["in_reply_to"]]
    assert sum("#BrandAmbassador" in r["text"] for r in genuine) >= 10


def test_signals_find_the_patterns_the_scenario_was_written_with(profiles: dict[str, Any]) -> None:
    """Co-replies, sign-off mismatch, gap, audience, avoided taxes; the advocate stays clean."""
    within_minute: Counter[str] = Counter()
    for pair in EXPECTED["co_reply_pairs"]:
        if pair["seconds"] <= 60:
            within_minute.update(pair["accounts"])
    for handle in SCRIPTED:
        profile = profiles[handle]
        assert profile.replies == AMBASSADORS[handle]["replies"]
        assert profile.reply_share == 1.0
        assert profile.weekday_share == 1.0 and profile.office_hours_share == 1.0
        assert len(profile.co_replies) == within_minute[handle], handle
        assert profile.signoff_mismatches == len(AMBASSADORS[handle]["signoff_mismatches"])
        assert profile.audience_empty and not profile.disclosed
        assert "taxes" in profile.topics_avoided
        assert profile.near_duplicate_share >= 0.7
    assert within_minute["KorvandoFCJana"] == 8 and within_minute["KorvandoFCDwayne"] == 5
    assert profiles["KorvandoFCJana"].signoff_mismatches == 3
    assert [round(g.days, 1) for g in profiles["KorvandoFCMelanie"].gaps] == [7.8]
    genuine = profiles[GENUINE]
    assert genuine.disclosed and not genuine.warnings
    assert genuine.office_hours_share == 0.0
    assert "taxes" in genuine.topics_answered


def test_parody_accounts_react_to_ambassador_replies_in_threads(demo_db: Path) -> None:
    """Each parody quote or reply of an ambassador reply shows in that reply's thread."""
    with Store.open(demo_db, readonly=True) as store:
        for handle, facts in EXPECTED["parody"].items():
            reacted = facts["quotes_of_ambassador_replies"] + facts["replies_to_ambassador_replies"]
            assert len(reacted) >= 15, handle
            for reaction_id in reacted:
                thread = thread_for(store, reaction_id)
                assert thread is not None, reaction_id
                found = [
                    (reaction.post.author, reaction.kind)
                    for reply in thread.replies
                    for reaction in reply.reactions
                    if reaction.post.id == reaction_id
                ]
                kind = "quote" if reaction_id in facts["quotes_of_ambassador_replies"] else "reply"
                assert found == [(handle, kind)], reaction_id


def test_one_article_in_two_feeds_is_stored_once_with_both_sources(demo_db: Path) -> None:
    """The strike report reached the paper's feed and the aggregator: one mention."""
    duplicate = EXPECTED["duplicate_article"]
    with Store.open(demo_db, readonly=True) as store:
        found = list(
            store.rows(
                "SELECT sources FROM mentions WHERE canonical_url = ?",
                [canonical_link(duplicate["canonical_url"])],
            )
        )
    assert len(found) == 1
    assert sorted(json.loads(found[0]["sources"])) == sorted(duplicate["feeds"])


def test_hostile_text_is_kept_exactly_as_posted(rows: list[dict[str, Any]]) -> None:
    """Markup-like brackets, escape sequences, bidi overrides and a long post survive intact."""
    texts = {r["id"]: r["text"] for r in rows}
    hostile = "\n".join(texts[i] for i in EXPECTED["hostile_ids"])
    for needle in ("[bold red]", "a [/] b", "[@click=app.quit]", "\x1b[2J", "\u202e"):
        assert needle in hostile, repr(needle)
    assert len(texts[EXPECTED["long_post_id"]]) > 1000  # the whole note_tweet, not 280
    names = {r["author_name"] for r in rows}
    assert "سارة الخطيب" in names and "\u202eKorvando Support\u202c" in names
    titles = [r["text"] for r in rows if r["platform"] == "rss"]
    assert any("[bold]Wer zahlt den Preis?[/bold]" in t for t in titles)
