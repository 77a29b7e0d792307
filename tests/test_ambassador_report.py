"""Ambassador profiles from a real store, and `export --report ambassadors`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cache.db.store import Store
from cache.export.ambassador_report import REPORT_COLUMNS, markdown_cell
from cache.read.ambassadors import ambassador_profiles, reply_badges
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.demo.generator.social import BLUESKY_AMBASSADOR
from sources.model.config import AccountsSection, Config, ConfigError, load_config
from sources.x.twitter_v2 import parse_response
from tests import builders
from tests.store_helpers import MONDAY, PAY, build_programme, profiles_by_handle
from tests.store_helpers import ambassador_config as config

CONFIG_TOML = 'accounts.ambassadors = ["lena_k"]\n'


def test_scripted_accounts_show_every_pattern_with_evidence(db_path: Path) -> None:
    """Anne: replies only, office hours, co-replies, text blocks, signed as Andrea, no audience."""
    ids = build_programme(db_path)
    anne = profiles_by_handle(db_path)["anne_fc"]
    assert anne.replies == 5 and anne.reply_share == 1.0
    assert anne.weekday_share == 1.0 and anne.office_hours_share == 1.0
    assert {c.reply_id for c in anne.co_replies} == {f"x:{ids[f'anne{d}']}" for d in range(5)}
    assert {c.other_handle for c in anne.co_replies} == {"bernd_fc"}
    assert all(c.seconds == 30 for c in anne.co_replies)
    assert anne.near_duplicate_share == 1.0
    assert anne.text_blocks == (1, 2)
    assert [(s.reply_id, s.name) for s in anne.signoffs if not s.matches_account] == [
        (f"x:{ids['anne1']}", "Andrea"),
        (f"x:{ids['anne3']}", "Andrea"),
    ]
    assert anne.signoff_mismatches == 2
    assert anne.audience_empty and anne.account_age_days == pytest.approx(150 + 28 + 16 / 24)
    assert anne.topics_avoided == ("taxes",)
    assert {f.signal for f in anne.warnings} == {
        "reply_share",
        "working_hours",
        "co_replies",
        "near_duplicates",
        "signoff",
        "audience",
    }
    for finding in anne.findings:
        assert finding.evidence, f"{finding.signal} has no evidence"
    assert anne.median_reply_delay_seconds == 600


def test_genuine_advocate_is_not_flagged(db_path: Path) -> None:
    """Lena (disclosed, own words, evenings and weekends, an audience) has no warnings."""
    build_programme(db_path)
    lena = profiles_by_handle(db_path)["lena_k"]
    assert lena.warnings == ()
    assert lena.disclosed and "#Markenbotschafter" in lena.disclosure.in_bio
    assert lena.office_hours_share == 0.0
    assert lena.weekday_share == pytest.approx(4 / 6)
    assert lena.near_duplicates == () and lena.co_replies == ()
    assert lena.replies == 1 and lena.reply_share == pytest.approx(1 / 6)


def test_templated_text_of_disclosed_accounts_is_a_note_not_a_warning(db_path: Path) -> None:
    """With a disclosure phrase in Bernd's name his text blocks read as disclosed advocacy."""
    build_programme(db_path)
    cfg = Config(
        accounts=AccountsSection(ambassadors=["lena_k"]),
        signals=type(config().signals)(disclosure_tags=["FC Botschafter"]),
    )
    bernd = profiles_by_handle(db_path, cfg)["bernd_fc"]
    [duplicates] = [f for f in bernd.findings if f.signal == "near_duplicates"]
    assert duplicates.severity == "note"
    assert "disclosed" in duplicates.label
    anne = profiles_by_handle(db_path, cfg)["anne_fc"]
    assert [f.severity for f in anne.findings if f.signal == "near_duplicates"] == ["warning"]


def test_per_account_time_zone_from_config(db_path: Path) -> None:
    """`[accounts] timezones` moves Anne to New York: her 04:10 replies leave office hours."""
    build_programme(db_path)
    cfg = Config(
        accounts=AccountsSection(ambassadors=["lena_k"], timezones={"@Anne_FC": "America/New_York"})
    )
    anne = profiles_by_handle(db_path, cfg)["anne_fc"]
    assert anne.working_hours.timezone == "America/New_York"
    assert anne.office_hours_share == 0.0
    assert anne.working_hours.heatmap[0][3] == 1  # Monday 03:10 local (EST)


def test_unknown_time_zone_is_a_config_error(db_path: Path) -> None:
    """A misspelt zone names the key instead of silently using UTC."""
    build_programme(db_path)
    cfg = Config(
        accounts=AccountsSection(ambassadors=["lena_k"], timezones={"anne_fc": "Mars/Base"})
    )
    with pytest.raises(ConfigError, match=r"accounts\.timezones\.anne_fc"):
        profiles_by_handle(db_path, cfg)


def test_reply_badges_for_the_live_feed(db_path: Path) -> None:
    """Ambassador replies get co-reply, text block and signature badges; others get none."""
    ids = build_programme(db_path)
    wanted = [
        f"x:{ids['anne1']}",
        f"x:{ids['bernd1']}",
        f"x:{ids['critical1']}",
        f"x:{ids['lena1']}",
    ]
    with Store.open(db_path, readonly=True) as store:
        badges = reply_badges(store, config(), wanted)
    assert badges[f"x:{ids['anne1']}"] == [
        "co-reply 30 s with @bernd_fc",
        "text block #2",
        "signed: Andrea (not own name)",
    ]
    assert badges[f"x:{ids['bernd1']}"] == [
        "co-reply 30 s with @anne_fc",
        "text block #2",
        "signed: Bernd",
    ]
    assert f"x:{ids['critical1']}" not in badges
    assert f"x:{ids['lena1']}" not in badges


def test_badges_follow_new_arrivals(db_path: Path) -> None:
    """A third scripted account arriving later joins block #1 without renumbering it."""
    ids = build_programme(db_path)
    carla = builders.user("carla_fc", "Carla FC Ambassador", followers=0, following=0)
    critic = builders.user("kritikerin", "Kritische Stimme", followers=900, following=300)
    parent = {
        "id": ids["critical0"],
        "author_id": critic["id"],
        "conversation_id": ids["critical0"],
    }
    late = builders.tweet(
        carla,
        f"@kritikerin {PAY.format(city='Dortmund')} LG Carla",
        at=MONDAY + timedelta(days=6),
        reply_to=parent,
    )
    with Store.open(db_path) as store:
        before = reply_badges(store, config(), [f"x:{ids['anne0']}"])
        ingest(
            store, parse_response(builders.page([late], [carla]), "import"), Classifier(config())
        )
        after = reply_badges(store, config(), [f"x:{late['id']}", f"x:{ids['anne0']}"])
    assert before[f"x:{ids['anne0']}"][-2] == "text block #1"
    assert "text block #1" in after[f"x:{late['id']}"]
    assert after[f"x:{ids['anne0']}"][-2] == "text block #1"


def test_export_csv_has_the_contract_columns(db_path: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """`export --report ambassadors` writes one CSV row per ambassador with the columns."""
    build_programme(db_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG_TOML)
    run = cli("export", "--report", "ambassadors", "--db", db_path, "--config", cfg)
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out)))
    assert tuple(rows[0]) == REPORT_COLUMNS
    table = {row[0]: dict(zip(REPORT_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert sorted(table) == ["anne_fc", "bernd_fc", "lena_k"]
    anne = table["anne_fc"]
    assert anne["replies"] == "5" and anne["reply_share"] == "1.0"
    assert anne["co_replies"] == "5" and anne["text_blocks"] == "1;2"
    assert anne["signoff_mismatches"] == "2" and anne["disclosed"] == "false"
    assert anne["followers"] == "0" and anne["topics_avoided"] == "taxes"
    assert table["lena_k"]["disclosed"] == "true"


def test_export_json_carries_evidence_ids(db_path: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """The JSON form names the posts behind each value (co-replies, duplicates, signatures)."""
    ids = build_programme(db_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG_TOML)
    out = tmp_path / "ambassadors.json"
    run = cli(
        "export",
        "--report",
        "ambassadors",
        "--format",
        "json",
        "-o",
        out,
        "--db",
        db_path,
        "--config",
        cfg,
    )
    assert run.code == 0, run.err
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["report"] == "ambassadors"
    assert document["thresholds"]["co_reply_seconds"] == 60
    anne = next(a for a in document["ambassadors"] if a["handle"] == "anne_fc")
    assert set(REPORT_COLUMNS) <= set(anne)
    evidence = anne["evidence"]
    assert {c["reply"] for c in evidence["co_replies"]} == {
        f"x:{ids[f'anne{d}']}" for d in range(5)
    }
    assert {d["other_handle"] for d in evidence["near_duplicates"]} == {"bernd_fc"}
    assert [s["name"] for s in evidence["signoffs"] if not s["matches_account"]] == [
        "Andrea",
        "Andrea",
    ]
    assert all(f["evidence"] for f in evidence["findings"])


def test_export_markdown_escapes_user_text(db_path: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """Markdown stays one table row per ambassador whatever the handle or labels contain."""
    build_programme(db_path)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG_TOML)
    run = cli(
        "export", "--report", "ambassadors", "--format", "md", "--db", db_path, "--config", cfg
    )
    assert run.code == 0, run.err
    table = [line for line in run.out.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 3
    assert table[0] == "| " + " | ".join(REPORT_COLUMNS) + " |"
    assert any(r.startswith("| \\@anne\\_fc | 5 | 1.0 |") for r in table)
    assert markdown_cell("a|b [x](http://e) <b>*y*</b>\n\x1b[2J") == (
        "a\\|b \\[x\\]\\(http://e\\) \\<b\\>\\*y\\*\\</b\\>"
    )


def test_export_rejects_a_format_the_report_lacks(db_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """`--format jsonl` is refused for this report with the formats it has."""
    build_programme(db_path)
    run = cli("export", "--report", "ambassadors", "--format", "jsonl", "--db", db_path)
    assert run.code == 2
    assert "csv or json or md" in run.err


def test_export_refuses_a_query_it_would_ignore(db_path: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """`--query` is refused for this report (it covers every ambassador), no file written."""
    build_programme(db_path)
    out = tmp_path / "ambassadors.csv"
    run = cli(
        "export", "--report", "ambassadors", "--query", "since:1h", "-o", out, "--db", db_path
    )
    assert run.code == 2
    assert "--report ambassadors covers every ambassador: it takes no --query" in run.err
    assert not out.exists()


DEMO_DIR = Path(__file__).resolve().parents[1] / "sources" / "demo"


def test_demo_finds_exactly_the_patterns_it_was_written_with(  # type: ignore[no-untyped-def,unused-ignore]
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the demo every ambassador shows the replies, hours, text blocks, co-replies,
    sign-offs and gaps the scenario was written with, and only the scripted ones warn."""
    expected_path = DEMO_DIR / "expected.json"
    if not expected_path.exists():
        pytest.skip("the demo scenario (sources/demo/expected.json) has not landed yet")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    # The demo ends at the import moment; weekdays and office hours are exactly as written
    # only a whole number of weeks after its written end (three: still winter time).
    written_end = datetime.fromisoformat(expected["strike"]["end"].replace("Z", "+00:00"))
    monkeypatch.setattr("cache.live.demo.utc_now", lambda: written_end + timedelta(weeks=3))
    db = tmp_path / "demo.db"
    demo_config = DEMO_DIR / "demo.toml"
    run = cli("import", "--demo", "--db", db, "--config", demo_config)
    assert run.code == 0, run.err
    cfg = load_config(demo_config)
    with Store.open(db, readonly=True) as store:
        profiles = {p.handle: p for p in ambassador_profiles(store, cfg)}
    # Jana's Bluesky account (sources/demo/social.py) answers once, outside the X facts.
    assert set(profiles) == set(expected["ambassadors"]) | {BLUESKY_AMBASSADOR}
    for handle, written in expected["ambassadors"].items():
        profile = profiles[handle]
        assert profile.replies == written["replies"], handle
        assert len(profile.own_post_ids) == written["own_posts"], handle
        assert profile.weekday_share == pytest.approx(written["weekday_share"], abs=0.005)
        assert profile.office_hours_share == pytest.approx(written["office_hours_share"], abs=0.005)
        assert {d.reply_id for d in profile.near_duplicates} == set(
            written["near_duplicate_reply_ids"]
        ), handle
        assert sorted((s.reply_id, s.name) for s in profile.signoffs) == sorted(
            (s["id"], s["name"]) for s in written["signoffs"]
        ), handle
        assert sorted((s.reply_id, s.name) for s in profile.signoffs if not s.matches_account) == (
            sorted((s["id"], s["name"]) for s in written["signoff_mismatches"])
        ), handle
        assert (profile.followers, profile.following) == (
            written["followers"],
            written["following"],
        )
        assert len(profile.disclosure.post_ids) == written["disclosure_tag_posts"], handle
        assert bool(profile.gaps) == (written["longest_gap_days"] > cfg.signals.gap_days), handle
        assert set(profile.topics_answered) == set(written["topics_answered"]), handle
        if written["scripted"]:
            assert "taxes" in profile.topics_avoided, handle
            assert len(profile.warnings) >= 4, handle  # clearly apart from the advocate
        else:
            assert profile.warnings == (), handle
    co_written = {
        (c["post"], *sorted((c["first"], c["second"])))
        for c in expected["co_reply_pairs"]
        if c["seconds"] <= cfg.signals.co_reply_seconds
    }
    co_found = {
        (c.parent_id, *sorted((c.reply_id, c.other_reply_id)))
        for p in profiles.values()
        for c in p.co_replies
    }
    assert co_found == co_written


def test_reports_carry_the_median_and_fastest_reply_delay_of_the_stored_replies(
    db_path: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """CSV and JSON give each ambassador's median and fastest reply delay, as computed from
    the stored replies (`in_reply_to`, `created_at`), the same numbers the monitor shows."""
    critic = builders.user("kritikerin", "Kritische Stimme")
    lena = builders.user("lena_k", "Lena Kraus")
    tweets = []
    for day, minutes in enumerate((95, 7, 240, 33)):
        at = MONDAY + timedelta(days=day)
        post = builders.tweet(critic, f"Kestrel zahlt zu wenig, Tag {day}", at=at)
        reply = builders.tweet(
            lena, f"@kritikerin Tag {day}", at=at + timedelta(minutes=minutes), reply_to=post
        )
        tweets += [post, reply]
    with Store.open(db_path) as store:
        ingest(
            store,
            parse_response(builders.page(tweets, [critic, lena]), "import"),
            Classifier(config()),
        )
        times = {
            r["id"]: datetime.fromisoformat(r["created_at"])
            for r in store.rows("SELECT id, created_at FROM mentions")
        }
        delays = sorted(
            (times[r["id"]] - times[r["in_reply_to"]]).total_seconds()
            for r in store.rows("SELECT id, in_reply_to FROM mentions WHERE author = 'lena_k'")
        )
    median, fastest = (delays[1] + delays[2]) / 2, delays[0]
    assert (median, fastest) == (64 * 60, 7 * 60)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG_TOML)
    run = cli("export", "--report", "ambassadors", "--db", db_path, "--config", cfg)
    rows = list(csv.reader(io.StringIO(run.out)))
    assert rows[0][-2:] == ["median_reply_delay_seconds", "fastest_reply_delay_seconds"]
    assert [float(v) for v in rows[1][-2:]] == [median, fastest]
    run = cli(
        "export", "--report", "ambassadors", "--format", "json", "--db", db_path, "--config", cfg
    )
    [entry] = json.loads(run.out)["ambassadors"]
    assert (entry["median_reply_delay_seconds"], entry["fastest_reply_delay_seconds"]) == (
        median,
        fastest,
    )
    [profile] = profiles_by_handle(db_path).values()
    assert (profile.median_reply_delay_seconds, profile.fastest_reply_delay_seconds) == (
        median,
        fastest,
    )


def test_demo_bluesky_ambassador_answers_with_her_x_text_block(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def,unused-ignore]
    """As README's 'Start here' says, Jana's Bluesky answer to a striker is one of her text
    blocks from X: the ambassadors report puts it in the block her X account uses."""
    db = tmp_path / "demo.db"
    assert cli("import", "--demo", "--db", db).code == 0
    run = cli("export", "--report", "ambassadors", "--db", db, "--config", DEMO_DIR / "demo.toml")
    assert run.code == 0, run.err
    rows = {row["handle"]: row for row in csv.DictReader(io.StringIO(run.out))}
    bluesky = rows[BLUESKY_AMBASSADOR]
    assert bluesky["replies"] == "1" and bluesky["near_duplicate_share"] == "1.0"
    [block] = bluesky["text_blocks"].split(";")
    assert block in rows["KorvandoFCJana"]["text_blocks"].split(";")
