"""`bench/statements.py`: where an import's SQL time goes, by the wall clock or by the
storing thread's CPU, without ever writing the store it measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import statements
from bench.synth import write_jsonl
from cache.db.store import Store
from cache.write.importer import import_paths
from filters.classify import Classifier
from sources.model.config import Config


@pytest.mark.parametrize(
    ("flags", "clock"), [([], "(wall)"), (["--cpu"], "(storing thread's CPU)")]
)
def test_statements_names_its_clock_and_leaves_the_store_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], clock: str
) -> None:
    """Each run says which clock it read, lists the insert of the new mentions among the
    statements, and the store it copies keeps what it held."""
    store_path, segment = tmp_path / "store.db", tmp_path / "segment.jsonl"
    write_jsonl(tmp_path / "first.jsonl", 300, seed=5)
    with Store.open(store_path) as store:
        import_paths(store, [tmp_path / "first.jsonl"], Classifier(Config()))
        before = store.count_mentions()
    write_jsonl(segment, 300, seed=6)
    assert statements.main([str(store_path), str(segment), *flags]) == 0
    first, *rows = capsys.readouterr().out.splitlines()
    assert first.startswith(f"300 new mentions into a copy of {before:,}:")
    assert first.endswith(clock)
    assert any("INSERT INTO main.mentions" in row for row in rows)
    with Store.open(store_path, readonly=True) as store:
        assert store.count_mentions() == before
