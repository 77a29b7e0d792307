"""`--db` and `--config` given before the command name count, as after it."""

from __future__ import annotations

from pathlib import Path

from bench.synth import write_jsonl
from cache.db.store import Store, default_db_path


def test_db_before_the_command_is_the_store_imported_into(
    tmp_path: Path, db_path: Path, cli
) -> None:
    """`app.py --db X import FILE` fills X, and never creates the default store."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 5, seed=3)
    run = cli("--db", db_path, "import", archive)
    assert run.code == 0, run.err
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 5
    assert not default_db_path().exists()


def test_db_after_the_command_still_wins(tmp_path: Path, db_path: Path, cli) -> None:
    """`app.py --db A import FILE --db B` imports into B, the one nearest the command."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 5, seed=3)
    other = tmp_path / "other.db"
    assert cli("--db", other, "import", archive, "--db", db_path).code == 0
    with Store.open(db_path, readonly=True) as store:
        assert store.count_mentions() == 5
    assert not other.exists()


def test_config_before_the_command_is_read(tmp_path: Path, db_path: Path, cli) -> None:
    """`app.py --config BAD import FILE` reads BAD and says what is wrong (exit 2)."""
    archive = tmp_path / "a.jsonl"
    write_jsonl(archive, 5, seed=3)
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml\n")
    run = cli("--config", bad, "--db", db_path, "import", archive)
    assert run.code == 2, (run.out, run.err)
    assert "config error" in run.err
    assert str(bad) in run.err
