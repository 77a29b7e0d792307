"""View names in any language's letters (`Löhne_ausland`, `Streik_ü`): loaded from the
config, found by `--view`, written by the monitor's save; spaces and invisible or
control characters are still refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from filters.views import saved_views, view_name_problem
from sources.model.config import ConfigError, load_config
from sources.model.config_write import add_view
from sources.model.shown_text import cells
from tests.store_helpers import IMPORTED_AT, import_demo


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "demo.db"
    import_demo(path, IMPORTED_AT)
    return path


@pytest.mark.parametrize("name", ["Streik_ü", "Löhne_ausland", "Straße-2026", "ÄÖÜ", "-ohne"])
def test_a_view_name_of_letters_in_any_script_is_accepted(name: str) -> None:
    """Umlauts, ß and a leading '-' are letters and signs a view name may hold."""
    assert view_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    ["zwei Wörter", "Löhne\u200b", "Lo\u202ehne", "tab\there", "a:b", "", "x" * 65],
)
def test_spaces_invisible_and_other_signs_are_refused(name: str) -> None:
    """A space, a zero-width or bidi character, a tab or ':' is refused, with the rule."""
    problem = view_name_problem(name)
    assert problem is not None and "letters" in problem


def test_a_config_view_with_umlauts_loads_and_exports(
    cli: Any, demo_db: Path, tmp_path: Path
) -> None:
    """`"Streik_ü" = ...` in [views] is listed by `views` and used by `export --view`."""
    config = tmp_path / "views.toml"
    config.write_text('[views]\n"Streik_ü" = "topic:strikes lang:de"\n', encoding="utf-8")
    listed = cli("views", "--db", demo_db, "--config", config, "--json")
    assert listed.code == 0, listed.err
    assert [row["name"] for row in json.loads(listed.out)] == ["Streik_ü"]
    by_view = cli("export", "--db", demo_db, "--config", config, "--format", "jsonl",
                  "--view", "Streik_ü")  # fmt: skip
    by_query = cli("export", "--db", demo_db, "--format", "jsonl", "--query",
                   "topic:strikes lang:de")  # fmt: skip
    assert by_view.code == 0, by_view.err
    assert by_view.out == by_query.out and by_view.out


def test_a_config_view_name_with_a_space_names_the_rule(tmp_path: Path) -> None:
    """A key with a space is a config error that says what a name may hold."""
    config = tmp_path / "views.toml"
    config.write_text('[views]\n"zwei Wörter" = "Streik"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="letters"):
        saved_views(load_config(config))


def test_saving_a_view_with_umlauts_writes_valid_toml_that_reads_back(tmp_path: Path) -> None:
    """The config writer quotes `Löhne_ausland`; the file loads with that view in it."""
    config = tmp_path / "echowatch.toml"
    config.write_text('[views]\nanswered = "has:reply"\n', encoding="utf-8")
    add_view(config, "Löhne_ausland", "Löhne -lang:de")
    add_view(config, "-ohne", "-topic:strikes")
    views = saved_views(load_config(config))
    assert [(v.name, v.query) for v in views] == [
        ("answered", "has:reply"),
        ("Löhne_ausland", "Löhne -lang:de"),
        ("-ohne", "-topic:strikes"),
    ]


def test_a_decomposed_name_is_refused_saying_how_to_write_the_letter() -> None:
    """`Lo\u0308hne` (pasted from a PDF) looks like Löhne: the refusal says that an 'ö'
    was typed as 'o' plus a combining mark, and names the name to write instead."""
    problem = view_name_problem("Lo\u0308hne")
    assert problem is not None
    assert "combining mark (U+0308)" in problem and "'Löhne'" in problem


def test_the_views_table_aligns_names_in_wide_characters(
    cli: Any, demo_db: Path, tmp_path: Path
) -> None:
    """`views` pads a name in CJK characters by the columns it takes on a terminal, so
    its label and counts stand under their headings."""
    config = tmp_path / "views.toml"
    config.write_text(
        '[views]\n"罢工" = { query = "topic:strikes", label = "罢工 (strikes)" }\n'
        'pay = "topic:pay"\n',
        encoding="utf-8",
    )
    run = cli("views", "--db", demo_db, "--config", config)
    assert run.code == 0, run.err
    _, wide, narrow = run.out.splitlines()
    assert cells(wide[: wide.index("罢工 (strikes)")]) == narrow.index("pay", 3)
    assert cells(wide[: wide.rindex(" no ")]) == narrow.rindex(" no ")
