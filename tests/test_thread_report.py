"""`export --report threads`: critical mentions with ambassador replies and parody reactions."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.builders import BASE_TIME, page, tweet, user


def write_scene(tmp_path: Path) -> Path:
    """One page: a critical German tweet, two ambassador replies, a parody quote of one."""
    critic = user("verdi_lager_fan", "Lagerarbeiterin Jana", user_id="21")
    amb_a = user("kestrel_mia", "Mia | Kestrel FC Ambassador", user_id="22")
    amb_b = user("kestrel_jonas", "Jonas", user_id="23", bio="Botschafter bei Kestrel")
    parody = user("kestrel_rnia", "Mia FC Ambassador (Satire)", user_id="24")
    bystander = user("someone", "Someone", user_id="25")
    root = tweet(
        critic,
        "Die Verdi-Streiks gehen weiter, der Stundenlohn reicht nicht",
        tweet_id="900",
        lang="de",
        at=BASE_TIME,
    )
    reply_a = tweet(
        amb_a,
        "Ich bin mit meinem Gehalt zufrieden",
        tweet_id="901",
        lang="de",
        reply_to=root,
        at=BASE_TIME + timedelta(minutes=3),
    )
    reply_b = tweet(
        amb_b,
        "Bei uns streikt fast niemand",
        tweet_id="902",
        lang="de",
        reply_to=root,
        at=BASE_TIME + timedelta(minutes=7, seconds=5),
    )
    quote = tweet(
        parody,
        "Zufrieden! [red]x[/] \x1b[2J",
        tweet_id="903",
        lang="de",
        quotes=reply_b,
        at=BASE_TIME + timedelta(minutes=15),
    )
    unrelated = tweet(
        bystander, "Lovely sunset tonight", tweet_id="904", at=BASE_TIME + timedelta(minutes=20)
    )
    path = tmp_path / "page.json"
    tweets = [root, reply_a, reply_b, quote, unrelated]
    path.write_text(json.dumps(page(tweets, [critic, amb_a, amb_b, parody, bystander])))
    return path


def test_import_then_thread_export_shows_replies_and_parody(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """The critical tweet comes out with both ambassador replies and the parody quote."""
    assert cli("import", "--db", db_path, write_scene(tmp_path)).code == 0
    result = cli("export", "--db", db_path, "--report", "threads")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["report"] == "threads" and document["query"] == ""
    (entry,) = document["threads"]
    assert entry["id"] == "x:900"
    assert entry["author"] == "verdi_lager_fan"
    assert set(entry["topics"]) >= {"strikes", "pay", "unions"}
    assert [(r["id"], r["author"], r["latency_s"]) for r in entry["replies"]] == [
        ("x:901", "kestrel_mia", 180),
        ("x:902", "kestrel_jonas", 425),
    ]
    assert [(p["id"], p["author"], p["kind"], p["target"]) for p in entry["parody_reactions"]] == [
        ("x:903", "kestrel_rnia", "quote", "x:902")
    ]


def test_thread_export_follows_the_query(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """`--query` narrows the threads; a query matching none gives an empty list."""
    cli("import", "--db", db_path, write_scene(tmp_path))
    assert (
        len(
            json.loads(
                cli(
                    "export",
                    "--db",
                    db_path,
                    "--report",
                    "threads",
                    "--query",
                    "lang:de has:parody",
                ).out
            )["threads"]
        )
        == 1
    )
    empty = cli("export", "--db", db_path, "--report", "threads", "--query", "topic:taxes")
    assert json.loads(empty.out)["threads"] == []


def test_markdown_thread_export_shows_hostile_text_literally(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """The Markdown report lists the thread and never lets post text act as markup."""
    cli("import", "--db", db_path, write_scene(tmp_path))
    out = tmp_path / "threads.md"
    result = cli("export", "--db", db_path, "--report", "threads", "--format", "md", "-o", out)
    assert result.code == 0, result.err
    text = out.read_text()
    assert text.startswith("# Threads")
    assert "@verdi\\_lager\\_fan" in text
    assert "parody quote `x:903`" in text and "to `x:902`" in text
    assert "\x1b" not in text and "[red]" not in text


def test_thread_report_refuses_csv(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Asking for a format the report does not have is a usage error that names both."""
    cli("import", "--db", db_path, write_scene(tmp_path))
    result = cli("export", "--db", db_path, "--report", "threads", "--format", "csv")
    assert result.code == 2
    assert "json or md" in result.err
