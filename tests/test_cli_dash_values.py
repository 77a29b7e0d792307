"""`export --query -topic:x` and `--view -name`: a value starting with `-` (the query
language's exclusion) is taken as the value, as `--query=-topic:x` always was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.store_helpers import IMPORTED_AT, import_demo


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dash") / "demo.db"
    import_demo(path, IMPORTED_AT)
    return path


@pytest.mark.parametrize("query", ["-topic:strikes", "-topic:strikes lang:de", "-(Streik)"])
def test_a_query_starting_with_minus_is_the_querys_value(
    cli: Any, demo_db: Path, query: str
) -> None:
    """`--query "-topic:strikes"` exports what `--query=-topic:strikes` does."""
    spaced = cli("export", "--db", demo_db, "--format", "jsonl", "--query", query)
    joined = cli("export", "--db", demo_db, "--format", "jsonl", f"--query={query}")
    assert spaced.code == 0, spaced.err
    assert spaced.out == joined.out and spaced.out


def test_a_view_named_with_a_leading_minus_is_found(
    cli: Any, demo_db: Path, tmp_path: Path
) -> None:
    """`--view -ohne_streik` names the view `-ohne_streik`, output in -o as asked."""
    config = tmp_path / "views.toml"
    config.write_text('[views]\n-ohne_streik = "-topic:strikes"\n', encoding="utf-8")
    out = tmp_path / "v.jsonl"
    run = cli("export", "--db", demo_db, "--config", config, "--format", "jsonl",
              "--view", "-ohne_streik", "-o", out)  # fmt: skip
    assert run.code == 0, run.err
    query = cli("export", "--db", demo_db, "--format", "jsonl", "--query=-topic:strikes")
    assert out.read_text("utf-8") == query.out


def test_an_option_after_a_missing_query_is_still_an_option(cli: Any, demo_db: Path) -> None:
    """`--query -o FILE` (the query forgotten) is still refused, not a search for `o`."""
    with pytest.raises(SystemExit) as stop:
        cli("export", "--db", demo_db, "--query", "-o", "x.csv")
    assert stop.value.code == 2
