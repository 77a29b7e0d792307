"""The bundled demo scenario, loaded through `app.py import --demo`, tells its whole story
through the product's own outputs: export rows, status, roles, threads and the ambassador
signals. The expected facts come from `sources/demo/expected.json`, which the scenario's
generator counted from what it wrote (see sources/demo/SCENARIO.md).
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import app
from cache.db.store import Store, default_db_path, demo_db_path
from cache.read.ambassadors import ambassador_profiles
from cache.read.status import store_status
from cache.read.threads import thread_for
from filters.classify import Classifier
from sources.demo import demo_config_path
from sources.model.config import load_config
from sources.model.text import canonical_link
from tests.store_helpers import EXPECTED, IMPORTED_AT, WRITTEN_END, import_demo

AMBASSADORS = EXPECTED["ambassadors"]
SCRIPTED = [h for h, a in AMBASSADORS.items() if a["scripted"]]
GENUINE = next(h for h, a in AMBASSADORS.items() if not a["scripted"])


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the whole demo, written by the command line."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    import_demo(path, IMPORTED_AT)
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


@pytest.mark.slow  # imports the whole demo twice
def test_import_demo_is_a_command_that_can_run_twice(cli, db_path: Path) -> None:
    """`import --demo --db PATH` fills a store once; again it adds nothing; PATHs are refused."""
    first = cli("import", "--demo", "--db", db_path)
    assert first.code == 0
    counts = re.match(r"imported (\d+) new, \d+ updated, \d+ skipped", first.out)
    assert counts, first.out
    new = int(counts.group(1))
    assert new >= 1500
    assert "warning harbor-ledger: malformed feed" in first.out
    again = cli("import", "--demo", "--db", db_path)
    assert again.code == 0
    assert re.match(r"imported 0 new, 0 updated, \d+ skipped", again.out), again.out
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
    assert refused.code == 2
    assert "holds your own mentions" in refused.err
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 1


def test_import_demo_without_db_goes_into_the_demo_store(cli) -> None:
    """`import --demo` alone fills the demo's own store; the user's store is never created."""
    run = cli("import", "--demo")
    assert run.code == 0, run.err
    assert str(demo_db_path()) in run.out
    assert not default_db_path().exists()
    with Store.open(demo_db_path(), readonly=True) as store:
        assert store.count_mentions() >= 1500


def test_import_demo_refuses_the_users_own_store_by_name(cli) -> None:
    """`import --demo --db <the default store>` is refused with exit 2 and creates nothing."""
    own = default_db_path()
    refused = cli("import", "--demo", "--db", own)
    assert refused.code == 2
    assert f"{own} is your own store" in refused.err
    assert not own.exists()


def test_enough_mentions_in_both_languages(rows: list[dict[str, Any]]) -> None:
    """Two weeks of talk: at least 1,500 mentions, German and English, posts and articles."""
    assert len(rows) >= 1500
    langs = Counter(r["lang"] for r in rows)
    assert langs["de"] >= 800 and langs["en"] >= 500
    assert {r["platform"] for r in rows} == {"x", "rss", "bluesky", "mastodon"}


def test_every_topic_is_there_with_plausible_counts(demo_db: Path) -> None:
    """Strikes lead, the other topics follow, taxes is small but present."""
    with Store.open(demo_db, readonly=True) as store:
        per_topic = dict(store_status(store).per_topic)
    intended = EXPECTED["intended_topics"]
    for topic, written in intended.items():
        assert per_topic.get(topic, 0) >= 0.9 * written, topic
    assert max(per_topic, key=per_topic.__getitem__) == "strikes"
    assert 30 <= per_topic["taxes"] < per_topic["pay"]


def test_the_strike_is_the_climax_at_the_end(rows: list[dict[str, Any]]) -> None:
    """The scenario ends at the import on the strike's second day: its last 24 hours are
    the busiest of all, mostly about the strike, with the day before still far quieter."""
    moments = [
        (datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")), r["topics"]) for r in rows
    ]
    newest = max(m for m, _ in moments)
    assert timedelta(0) <= IMPORTED_AT - newest < timedelta(minutes=30)
    days_back = Counter((IMPORTED_AT - m) // timedelta(days=1) for m, _ in moments)
    assert sorted(days_back) == list(range(14))  # two weeks, every day with mentions
    last_day, earlier = days_back[0], [days_back[d] for d in range(1, 14)]
    assert last_day >= 1.3 * max(earlier) and last_day >= 3 * statistics.median(earlier)
    strikes = [m for m, topics in moments if "strikes" in topics]
    assert sum(IMPORTED_AT - m < timedelta(days=1) for m in strikes) >= 200
    called = datetime.fromisoformat(EXPECTED["strike"]["called_at"].replace("Z", "+00:00"))
    called += IMPORTED_AT - WRITTEN_END
    assert timedelta(days=1) <= IMPORTED_AT - called <= timedelta(days=2, hours=12)


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
    melanie = round(AMBASSADORS["KorvandoFCMelanie"]["longest_gap_days"], 1)
    assert [round(g.days, 1) for g in profiles["KorvandoFCMelanie"].gaps] == [melanie]
    assert melanie > 7
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


def strikes_and_all(alerts: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    return [a for a in alerts if a["topic"] == "strikes"], len(alerts)


def test_alerts_find_one_strikes_alert_for_the_strike(cli, demo_db: Path) -> None:
    """`app.py alerts` on the imported demo: one `strikes` alert from the strike's morning,
    not a storm; few alerts overall; the demo's own rule is used without --config."""
    run = cli("alerts", "--db", demo_db, "--format", "json")
    assert run.code == 0, run.err
    alerts = json.loads(run.out)
    strikes, total = strikes_and_all(alerts)
    assert len(strikes) == 1 and total <= 3, alerts
    started = datetime.fromisoformat(strikes[0]["started_at"].replace("Z", "+00:00"))
    assert timedelta(hours=24) <= IMPORTED_AT - started <= timedelta(hours=32)
    assert strikes[0]["peak_count"] >= 15
    config = load_config(demo_config_path())
    assert {a["min_count"] for a in alerts} == {config.alerts.min_count}
    assert config.alerts.min_count != load_config(None).alerts.min_count  # not the default


@pytest.mark.slow  # one whole demo import per start moment
@pytest.mark.parametrize(
    "started",
    [
        timedelta(0),
        timedelta(minutes=17, seconds=23),
        timedelta(hours=6, minutes=40, seconds=11),
        timedelta(days=2, hours=13, minutes=45, seconds=9),
    ],
)
def test_one_strikes_alert_whenever_the_demo_is_started(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: timedelta
) -> None:
    """Moved to end at any second, the hours cut the strike differently: still one alert."""
    path = tmp_path / "demo.db"
    monkeypatch.setattr("cache.live.demo.utc_now", lambda: IMPORTED_AT + started)
    assert cli("import", "--demo", "--db", path).code == 0
    run = cli("alerts", "--db", path, "--format", "json")
    strikes, total = strikes_and_all(json.loads(run.out))
    assert len(strikes) == 1 and total <= 3, run.out


def test_the_strike_report_of_the_last_day_is_full_of_the_strike(cli, tmp_path: Path) -> None:
    """`export --format html --query "topic:strikes since:1d"` right after `import --demo`:
    the page names Korvando, fits a phone, and holds posts, ambassador replies, parody
    reactions, both outlets' reports and the one article in two feeds (listed once)."""
    db, page = tmp_path / "demo.db", tmp_path / "strike.html"
    assert cli("import", "--demo", "--db", db).code == 0  # ends now (the real clock)
    run = cli(
        "export",
        "--db",
        db,
        "--format",
        "html",
        "-o",
        page,
        "--query",
        "topic:strikes since:1d",
    )
    assert run.code == 0, run.err
    assert int(run.err.split("exported ")[1].split(" rows")[0].replace(",", "")) >= 200
    html = page.read_text("utf-8")
    assert "Echowatch snapshot: Korvando" in html  # the demo's config, without --config
    assert 'name="viewport" content="width=device-width' in html
    for handle in ("KorvandoFCJana", "KorvandoFCTobias", "KorvandoFCMelanie"):
        assert f"@<bdi>{handle}</bdi>" in html, handle
    reactions = html.count("↳ parody ")
    assert reactions >= 5 and "@<bdi>KorvandoFCJanna</bdi>" in html
    for source in ("· lahntaler ·", "· paketwelt ·"):
        assert source in html, source
    shared = EXPECTED["duplicate_article"]["canonical_url"]
    assert html.count(f'<a href="{shared}"') == 1


def test_a_store_that_is_not_the_demo_keeps_the_users_config(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """Only a store marked as the demo's gets the demo config; the user's own store does not."""
    own = tmp_path / "own.jsonl"
    own.write_text(
        '{"data": [{"id": "1860000000000000001", "text": "Korvando hi", "author_id": "1", '
        '"created_at": "2026-11-02T09:00:00.000Z"}]}\n'
    )
    assert cli("import", own, "--db", db_path).code == 0
    run = cli("export", "--db", db_path, "--format", "md")
    assert run.code == 0
    default = load_config(None).company.name
    assert f"snapshot: {default}" in run.out and default != "Korvando"


def test_bluesky_and_mastodon_show_an_ambassador_answer_and_the_union(
    demo_db: Path, rows: list[dict[str, Any]]
) -> None:
    """A new user sees all three platforms: on Bluesky an ambassador answers a striker and
    her parody quotes the answer; on Mastodon the union calls the strike."""
    social = {r["author"]: r for r in rows if r["platform"] in ("bluesky", "mastodon")}
    assert social["korvandofcjana.bsky.social"]["role"] == "ambassador"
    assert social["korvandofcjanna.bsky.social"]["role"] == "parody"
    union = social["hlv@social.hlv.example"]
    assert union["lang"] == "de" and union["text"].startswith("Streik! Ab Dienstag")
    assert social["fahrer_ole@social.hlv.example"]["in_reply_to"] == union["id"]
    critic = social["lena-lager.bsky.social"]
    with Store.open(demo_db, readonly=True) as store:
        thread = thread_for(store, critic["id"])
    assert thread is not None
    assert [r.post.author for r in thread.replies] == ["korvandofcjana.bsky.social"]
    reactions = [p for r in thread.replies for p in r.reactions]
    assert [(p.post.author, p.kind) for p in reactions] == [
        ("korvandofcjanna.bsky.social", "quote")
    ]
