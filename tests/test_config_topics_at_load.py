"""A `[topics]` entry that cannot be used stops every command at load, before any store."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cache.db.store import Store

BAD_TOPICS = {
    "bad id": ('[topics."my topic"]\nen = ["logistik"]\n', "topic id 'my topic'"),
    "no terms": ("[topics.logistics]\nen = []\nde = []\n", "'topics.logistics'"),
    "empty term": ('[topics.logistics]\nen = [""]\n', "'topics.logistics.en[0]'"),
    "star term": ('[topics.logistics]\nen = ["*"]\n', "'topics.logistics.en[0]'"),
    "bad term of a default topic": ('[topics.pay]\nde = ["*"]\n', "'topics.pay.de[0]'"),
}
COMMANDS = {
    "views": ["views"],
    "export": ["export", "-o", "-"],
    "alerts": ["alerts"],
    "feeds list": ["feeds", "list"],
    "feeds export": ["feeds", "export"],
    "collect": ["collect", "--once"],
    "import": ["import", "PAGE"],
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("bad", BAD_TOPICS.values(), ids=BAD_TOPICS.keys())
def test_a_bad_topic_stops_the_command_naming_the_key_and_touches_no_store(
    tmp_path: Path, cli, command: list[str], bad: tuple[str, str]
) -> None:
    """Exit 2 with the key named; an existing store keeps its bytes, a new one is not made."""
    text, key = bad
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    page = tmp_path / "page.jsonl"
    page.write_text(json.dumps({"data": [{"id": "1", "text": "Kestrel"}]}) + "\n")
    args = [str(page) if a == "PAGE" else a for a in command]
    existing = tmp_path / "existing.db"
    Store.open(existing).close()
    before = _digest(existing)
    for db in (existing, tmp_path / "absent.db"):
        run = cli(*args, "--config", config, "--db", db)
        assert run.code == 2, run.err
        assert key in run.err, run.err
    assert _digest(existing) == before
    assert not (tmp_path / "absent.db").exists()


def test_a_default_topic_replaced_by_no_terms_loads_with_a_warning(tmp_path: Path, cli) -> None:
    """`[topics.pay] replace = true` with no terms loads; stderr says 'pay' matches nothing."""
    config = tmp_path / "c.toml"
    config.write_text("[topics.pay]\nreplace = true\n", "utf-8")
    run = cli("feeds", "list", "--config", config, "--db", tmp_path / "s.db")
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if "topic 'pay'" in line]
    assert warnings == [
        f"echowatch: warning: {config}: topic 'pay' has no terms: it matches nothing "
        "(key 'topics.pay' has replace = true and no en or de terms)"
    ], run.err
