"""When the config's topics or roles change, what is already stored follows."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from cache.db.store import Store
from cache.write.reclassify import FINGERPRINT_KEY, reclassify_if_changed
from filters.classify import Classifier
from sources.model.config import AccountsSection, Config, TopicSection
from tests.builders import page, tweet, user
from tests.store_helpers import store_before


def write_page(tmp_path: Path) -> Path:
    fan = user("kestrel_fan", "Kestrel Fan", user_id="31")
    path = tmp_path / "page.json"
    path.write_text(
        json.dumps(
            page([tweet(fan, "Three late parcels and no Streik news", tweet_id="700")], [fan])
        )
    )
    return path


def test_changed_config_reclassifies_stored_mentions_on_import(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """A topic added and a handle listed as parody apply to mentions imported earlier."""
    data = write_page(tmp_path)
    assert cli("import", "--db", db_path, data).code == 0
    config = tmp_path / "config.toml"
    config.write_text(
        '[accounts]\nparody = ["kestrel_fan"]\n[topics.delivery]\nen = ["late parcel*"]\n'
    )
    result = cli("import", "--db", db_path, "--config", config, data)
    assert result.code == 0
    assert "re-classified 1 of 1 mentions and 1 of 1 accounts" in result.err
    exported = cli(
        "export",
        "--db",
        db_path,
        "--config",
        config,
        "--format",
        "jsonl",
        "--query",
        "topic:delivery role:parody",
    )
    (row,) = [json.loads(line) for line in exported.out.splitlines()]
    assert row["topics"] == ["strikes", "delivery"]
    assert row["role"] == "parody"
    with Store.open(db_path, readonly=True) as store:
        account = store.account("x:31")
        assert account is not None
        assert account["role_reason"] == "listed in the config (accounts.parody)"


def test_unchanged_rules_do_nothing_and_new_stores_just_record(db_path: Path) -> None:
    """An empty store records the rules; the same rules again rewrite nothing."""
    classifier = Classifier(Config())
    with Store.open(db_path) as store:
        assert reclassify_if_changed(store, classifier) is None
        assert store.get_meta(FINGERPRINT_KEY) == classifier.fingerprint()
        assert reclassify_if_changed(store, Classifier(Config())) is None
        changed = Classifier(Config(topics={"pay": TopicSection(de=["knete"])}))
        assert changed.fingerprint() != classifier.fingerprint()
        other_roles = Classifier(Config(accounts=AccountsSection(press=["x"])))
        assert other_roles.fingerprint().split("|")[0] == classifier.fingerprint().split("|")[0]


def import_authorless_post(cli: Any, db_path: Path, tmp_path: Path) -> None:
    """Import X post 701, whose payload names no author (X's default fields)."""
    fan = user("kestrel_fan", "Kestrel Fan", user_id="31")
    bare = tweet(fan, "Kestrel parcels are late", tweet_id="701")
    del bare["author_id"]
    data = tmp_path / "bare.json"
    data.write_text(json.dumps(page([bare], [])))
    assert cli("import", "--db", db_path, data).code == 0


def test_posts_without_an_author_stay_public_when_the_rules_change(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """Re-deciding roles gives a post with no author `public`, as its import did."""
    import_authorless_post(cli, db_path, tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[accounts]\nparody_patterns = ["parody", "satire"]\n')
    result = cli("import", "--db", db_path, "--config", config, write_page(tmp_path))
    assert "classification rules changed" in result.err
    public = cli("export", "--db", db_path, "--config", config, "--ids", "--query", "role:public")
    assert sorted(public.out.split()) == ["700", "701"]
    status = cli("status", "--db", db_path)
    assert "per role: public 2" in status.out


def test_posts_left_without_a_role_by_an_earlier_version_are_public_again(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    """A store where an earlier version's re-classification blanked authorless posts' role
    counts them as `public` again once opened by this version."""
    import_authorless_post(cli, db_path, tmp_path)
    blanked = store_before(
        "m032_authorless_posts_public_again", tmp_path / "old.db", posts_from=db_path
    )
    with closing(sqlite3.connect(blanked)) as conn, conn:
        conn.execute("UPDATE mentions SET role = '' WHERE id = 'x:701'")
    public = cli("export", "--db", blanked, "--ids", "--query", "role:public")
    assert public.out.split() == ["701"]
