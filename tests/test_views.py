"""Saved views (`[views]`): the config, `app.py views`, `export --view` and view alerts,
on the bundled demo scenario imported through the command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from cache.alerts.rules import describe, list_alerts
from cache.alerts.watch import AlertWatcher
from cache.db.store import Store
from cache.read.search import query_selection
from cache.read.views import view_counts
from filters.query import QueryError
from filters.topics import topic_ids
from filters.views import saved_views
from sources.demo import demo_config_path
from sources.model.config import ConfigError, load_config
from sources.model.config_write import ViewNameTaken, add_view
from tests.store_helpers import IMPORTED_AT, import_demo, recorder_command
from tui.keys import describe_query_error

STRIKE_DE = "topic:strikes lang:de"
VIEWS = f"""
[views]
streik_de = {{ query = "{STRIKE_DE}", label = "Streik [b]DE[/b]", alert = true }}
answered = "has:reply"   # the short form
"""


def demo_with_views(tmp_path: Path) -> Path:
    """The demo's own config with the views above in place of its own."""
    path = tmp_path / "views.toml"
    demo = demo_config_path().read_text("utf-8").split("\n[views]")[0]
    path.write_text(demo + VIEWS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole demo, imported by `app.py import --demo` with its clock pinned."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    import_demo(path, IMPORTED_AT)
    return path


def test_short_and_table_forms_load_in_file_order(tmp_path: Path) -> None:
    """`name = "query"` and `[views.name]` tables both load, with label and alert."""
    path = tmp_path / "c.toml"
    path.write_text(
        '[views]\na = "topic:pay lang:de"\n[views.b]\nquery = "has:reply"\nlabel = "B"\n'
        "alert = true\n",
        encoding="utf-8",
    )
    views = saved_views(load_config(path))
    assert [(v.name, v.query, v.label, v.alert) for v in views] == [
        ("a", "topic:pay lang:de", "", False),
        ("b", "has:reply", "B", True),
    ]


@pytest.mark.parametrize(
    ("views", "expected"),
    [
        ('x = "topic: lang:de"', "key 'views.x': bad query: position 7: expected a topic"),
        ('x = "topic:nope"', "key 'views.x': bad query: position 7: unknown topic 'nope'"),
        ('x = "topic:pay )"', "key 'views.x': bad query: position 11: unmatched ')'"),
        (
            'x = "' + "(" * 8 + "Streik" + ")" * 8 + '"',
            "key 'views.x': bad query: position 8: groups nested too deeply (at most 7)",
        ),
        (
            'x = "' + "-(" * 60 + "Streik" + ")" * 60 + '"',
            "key 'views.x': bad query: position 16: groups nested too deeply (at most 7)",
        ),
        ('x = ""', "key 'views.x': the query must not be empty"),
        ('x = "& -🎉"', "key 'views.x': the query has no letters or digits to search for"),
        ('"a b" = "streik"', "key 'views.a b': a view name may hold only letters"),
        (
            'x = { query = "streik since:1d", alert = true }',
            "key 'views.x': a view with alert = true cannot use since:",
        ),
        ("x = 3", "key 'views.x' should be a query string or a table"),
        ('x = { query = "streik", colour = "red" }', "unknown key 'views.x.colour'"),
    ],
)
def test_a_bad_view_is_a_config_error_naming_it(
    cli, tmp_path: Path, db_path: Path, views: str, expected: str
) -> None:
    """A bad view stops every command with exit 2, naming the file, the view and the spot."""
    Store.open(db_path).close()
    path = tmp_path / "c.toml"
    path.write_text(f"[views]\n{views}\n", encoding="utf-8")
    for command in ("views", "export", "alerts"):
        run = cli(command, "--db", db_path, "--config", path)
        assert run.code == 2, (command, run.err)
        assert f"config error: {path}: {expected}" in run.err, run.err


def test_the_position_of_a_mistake_is_marked_under_the_query(tmp_path: Path) -> None:
    """The error shows the view's query with a caret under the mistake."""
    path = tmp_path / "c.toml"
    path.write_text('[views]\nx = "lang:de topic:"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        saved_views(load_config(path))
    lines = str(info.value).splitlines()
    assert lines[1:] == ["  lang:de topic:", "                ^"]


def test_the_caret_stays_under_the_mistake_after_wide_characters(tmp_path: Path) -> None:
    """After emoji and CJK characters (two terminal cells each) the caret is still under
    the mistake, where the monitor's filter bar puts it for the same query."""
    query = "Streik 🔥🔥🔥 Löhne 日本語 topic:foo"
    path = tmp_path / "c.toml"
    path.write_text(f'[views]\nbad = "{query}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        saved_views(load_config(path))
    lines = str(info.value).splitlines()
    assert lines[1] == f"  {query}"
    assert lines[2] == " " * (2 + 33) + "^"  # `foo` starts 33 cells in, 27 characters in
    monitor = describe_query_error(query, QueryError(28, "unknown topic 'foo'"))
    assert monitor.splitlines()[1:] == lines[1:]


def test_export_view_writes_the_same_file_as_export_query(
    cli, demo_db: Path, tmp_path: Path
) -> None:
    """`export --view streik_de` and `export --query "<its query>"` write identical files;
    the view's sidecar names the view and its query."""
    config = demo_with_views(tmp_path)
    for fmt in ("csv", "jsonl"):
        by_view, by_query = tmp_path / f"view.{fmt}", tmp_path / f"query.{fmt}"
        common = ["--db", demo_db, "--config", config, "--format", fmt]
        assert cli("export", *common, "--view", "streik_de", "-o", by_view).code == 0
        assert cli("export", *common, "--query", STRIKE_DE, "-o", by_query).code == 0
        assert by_view.read_bytes() == by_query.read_bytes()
        assert len(by_view.read_text("utf-8-sig").splitlines()) > 300
    sidecar = json.loads((tmp_path / "view.csv.meta.json").read_text("utf-8"))
    assert sidecar["query"] == STRIKE_DE
    assert sidecar["view"] == {"name": "streik_de", "query": STRIKE_DE, "label": "Streik [b]DE[/b]"}
    plain = json.loads((tmp_path / "query.csv.meta.json").read_text("utf-8"))
    assert plain["view"] is None and plain["rows"] == sidecar["rows"]


def test_view_and_query_together_select_what_both_match(cli, demo_db: Path, tmp_path: Path) -> None:
    """`--view` with `--query` ANDs them: the same rows as the two queries written as one."""
    config = demo_with_views(tmp_path)
    both, written = tmp_path / "both.jsonl", tmp_path / "written.jsonl"
    common = ["--db", demo_db, "--config", config, "--format", "jsonl"]
    run = cli("export", *common, "--view", "answered", "--query", "lang:en", "-o", both)
    assert run.code == 0, run.err
    assert cli("export", *common, "--query", "has:reply lang:en", "-o", written).code == 0
    assert both.read_bytes() == written.read_bytes() and both.stat().st_size > 0
    meta = json.loads((tmp_path / "both.jsonl.meta.json").read_text("utf-8"))
    assert meta["query"] == "(has:reply) lang:en" and meta["view"]["name"] == "answered"
    bad = cli("export", *common, "--view", "answered", "--query", "lang:")
    assert bad.code == 2 and "position 6" in bad.err  # a column of --query, not of the AND


def test_an_unknown_view_lists_the_known_ones(cli, demo_db: Path, tmp_path: Path) -> None:
    """`--view nope` exits 2 and names the views there are; nothing is written."""
    out = tmp_path / "x.csv"
    run = cli("export", "--db", demo_db, "--config", demo_with_views(tmp_path), "--view", "nope")
    assert run.code == 2
    assert "no view named 'nope'" in run.err
    assert "known views: streik_de, answered" in run.err
    assert not out.exists()


def test_reports_name_the_view_in_their_header(cli, demo_db: Path, tmp_path: Path) -> None:
    """The Markdown and HTML reports and the threads report say which view they show."""
    config = demo_with_views(tmp_path)
    common = ["--db", demo_db, "--config", config, "--view", "streik_de"]
    md = cli("export", *common, "--format", "md")
    assert md.code == 0, md.err
    view_line = next(line for line in md.out.splitlines() if line.startswith("- **View:**"))
    assert "streik" in view_line and "(Streik \\[b\\]DE\\[/b\\])" in view_line
    assert view_line.endswith("` topic:strikes lang:de `")
    html = cli("export", *common, "--format", "html")
    assert (
        "<dt>View</dt><dd><bdi>streik_de</bdi> (<bdi>Streik [b]DE[/b]</bdi>): "
        "<code><bdi>topic:strikes lang:de</bdi></code></dd>"
    ) in html.out
    threads = cli("export", *common, "--report", "threads", "--format", "json")
    head = json.loads(threads.out)
    assert head["view"]["name"] == "streik_de" and head["query"] == STRIKE_DE
    refused = cli("export", *common, "--report", "ambassadors")
    assert refused.code == 2 and "takes no --view" in refused.err


def test_views_command_lists_counts_per_window(cli, demo_db: Path, tmp_path: Path) -> None:
    """`app.py views` lists each view with its 1 h / 24 h / 7 d counts (table and JSON)."""
    config = demo_with_views(tmp_path)
    table = cli("views", "--db", demo_db, "--config", config)
    assert table.code == 0, table.err
    header, *rows = table.out.splitlines()
    assert header.split() == ["view", "label", "1h", "24h", "7d", "alert", "query"]
    assert rows[-2].startswith("streik_de  Streik [b]DE[/b]") and rows[-2].endswith(STRIKE_DE)
    listed = json.loads(cli("views", "--db", demo_db, "--config", config, "--json").out)
    assert [v["name"] for v in listed] == ["streik_de", "answered"]
    assert {"name", "query", "label", "alert", "1h", "24h", "7d"} <= set(listed[0])


def test_views_command_shows_the_name_of_a_view_without_a_label(
    cli, demo_db: Path, tmp_path: Path
) -> None:
    """A view without a label is listed with its name as the label, as the monitor shows it."""
    table = cli("views", "--db", demo_db, "--config", demo_with_views(tmp_path))
    assert table.code == 0, table.err
    answered = table.out.splitlines()[-1].split()
    assert answered[:2] == ["answered", "answered"] and answered[-1] == "has:reply"


def test_view_counts_equal_the_query_with_a_since_bound(demo_db: Path, tmp_path: Path) -> None:
    """A view's count in a window is the number of rows its query with `since:` selects."""
    config = load_config(demo_with_views(tmp_path))
    now = IMPORTED_AT
    views = saved_views(config)
    with Store.open(demo_db, readonly=True) as store:
        counted = view_counts(store, views, config, now)
        for item in counted:
            for window, bound in (("1h", "1h"), ("24h", "24h"), ("7d", "7d")):
                selection = query_selection(
                    f"({item.view.query}) since:{bound}", now, topics=topic_ids(config)
                )
                (expected,) = store.conn.execute(
                    f"SELECT count(*) FROM mentions AS m WHERE {selection.where}",
                    selection.params,
                ).fetchone()
                assert item.counts[window] == expected, (item.view.name, window)
    strike = next(c for c in counted if c.view.name == "streik_de")
    assert 0 < strike.counts["1h"] < strike.counts["24h"] < strike.counts["7d"]


def test_a_view_with_alert_raises_its_own_spike_on_the_demo(demo_db: Path, tmp_path: Path) -> None:
    """On the demo, the German strike view spikes like a topic: stored as `view:streik_de`,
    announced once through notify_command with the view's name, never repeated."""
    received = tmp_path / "alerts.jsonl"
    store_copy = tmp_path / "demo.db"
    with Store.open(demo_db, readonly=True) as source:
        source.conn.execute("VACUUM INTO ?", [str(store_copy)])
    config = load_config(demo_with_views(tmp_path))  # the demo's own [alerts] rule
    config = replace(
        config, alerts=replace(config.alerts, notify_command=recorder_command(received))
    )
    announced = AlertWatcher(config, db_path=store_copy).check(IMPORTED_AT)
    with Store.open(store_copy) as store:
        stored = [a for a in list_alerts(store) if a.view == "streik_de"]
    assert stored, "the view raised no alert"
    assert all(a.topic == "view:streik_de" for a in stored)
    assert stored[-1].count >= config.alerts.min_count  # the demo's own rule
    assert stored[-1].top_ids and stored[-1].top_sources
    sent = [json.loads(line) for line in received.read_text("utf-8").splitlines()]
    views_sent = [d for d in sent if d["view"] == "streik_de"]
    assert len(views_sent) == 1 and views_sent[0]["topic"] == "view:streik_de"
    assert {d["view"] for d in sent} - {"streik_de"} == {None}  # topics say null
    assert [a.view for a in announced].count("streik_de") == 1
    assert describe(stored[-1]).startswith("view streik_de: ")  # the monitor's toast text
    again = AlertWatcher(config, db_path=store_copy).check(IMPORTED_AT + timedelta(minutes=5))
    assert [a for a in again if a.view] == []


@pytest.mark.parametrize(
    "text",
    [
        'views = { a = "has:reply" }\n[alerts]\nk = 3.0\n',
        '[views.a]\nquery = "has:reply"  # why\n\n[alerts]\nk = 3.0\n',
        "# nothing about views yet\n[alerts]\nk = 3.0\n",
    ],
)
def test_add_view_keeps_the_file_and_adds_one_entry(tmp_path: Path, text: str) -> None:
    """Saving a view into an inline table, beside sub-tables or into a file without
    [views] keeps every other line and loads back with exactly one more view."""
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    before = [v.name for v in saved_views(load_config(path))]
    add_view(path, "new_one", 'topic:pay "x\\y"')
    after = load_config(path)
    assert sorted(v.name for v in saved_views(after)) == sorted([*before, "new_one"])
    assert after.views["new_one"].query == 'topic:pay "x\\y"' and after.alerts.k == 3.0
    written = path.read_text("utf-8")
    for line in text.splitlines():
        assert line in written or line.startswith("views = {"), line


def test_add_view_refuses_a_taken_name_and_a_broken_file(tmp_path: Path) -> None:
    """A name in use, or a config that does not load, is refused; the file is untouched."""
    path = tmp_path / "c.toml"
    path.write_text('[views]\na = "has:reply"\n', encoding="utf-8")
    with pytest.raises(ViewNameTaken, match="'a' exists already"):
        add_view(path, "a", "lang:de")
    broken = '[x]\npoll_secs = 5\n[views]\na = "has:reply"\n'
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        add_view(path, "b", "lang:de")
    assert f"{path}: unknown key 'x.poll_secs'" in str(info.value)
    assert path.read_text("utf-8") == broken
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


DELETE_CONFIG = """\
# The team's config: these comments must survive a deleted view.
[company]
name = "Kestrel"   # the company

[views]
# standing questions
answered = "has:reply"   # who got an answer
"Löhne_de" = "topic:pay lang:de"
[views.streik]
query = "topic:strikes"  # the table form
label = "Streik"
"""


def test_views_delete_removes_one_view_and_keeps_the_rest(cli, tmp_path: Path) -> None:
    """`views --delete NAME` exits 0, says what it removed, and leaves every other line."""
    config = tmp_path / "c.toml"
    config.write_text(DELETE_CONFIG, encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "answered")
    assert run.code == 0, run.err
    assert run.out.strip() == f"deleted view answered (has:reply) from {config}"
    written = config.read_text("utf-8")
    assert written == DELETE_CONFIG.replace('answered = "has:reply"   # who got an answer\n', "")
    assert [v.name for v in saved_views(load_config(config))] == ["Löhne_de", "streik"]
    table = cli("views", "--config", config, "--delete", "streik")
    assert table.code == 0, table.err
    assert "deleted view streik (topic:strikes)" in table.out
    assert [v.name for v in saved_views(load_config(config))] == ["Löhne_de"]
    assert "# The team's config" in config.read_text("utf-8")
    umlaut = cli("views", "--config", config, "--delete", "Löhne_de")
    assert umlaut.code == 0 and saved_views(load_config(config)) == []


def test_views_delete_of_an_unknown_name_exits_2_and_writes_nothing(cli, tmp_path: Path) -> None:
    """An unknown name exits 2 naming the known views; the config is untouched."""
    config = tmp_path / "c.toml"
    config.write_text(DELETE_CONFIG, encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "nope")
    assert run.code == 2
    assert "no view named 'nope'" in run.err and "known views: answered, Löhne_de" in run.err
    assert config.read_text("utf-8") == DELETE_CONFIG
    assert list(tmp_path.iterdir()) == [config]


def test_views_delete_refuses_a_read_only_config_and_read_only(cli, tmp_path: Path) -> None:
    """A config without write permission, `--read-only` and the demo's bundled config are
    refused with the reason; nothing is written."""
    config = tmp_path / "c.toml"
    config.write_text(DELETE_CONFIG, encoding="utf-8")
    flagged = cli("--read-only", "views", "--config", config, "--delete", "answered")
    assert flagged.code == 2 and "--read-only" in flagged.err and "not deleted" in flagged.err
    after = cli("views", "--config", config, "--delete", "answered", "--read-only")
    assert after.code == 2 and "--read-only" in after.err
    config.chmod(0o444)
    locked = cli("views", "--config", config, "--delete", "answered")
    assert locked.code == 1 and "read-only" in locked.err and str(config) in locked.err
    assert config.read_text("utf-8") == DELETE_CONFIG
    demo = cli("views", "--config", demo_config_path(), "--delete", "x")
    assert demo.code == 2 and "bundled" in demo.err


@contextmanager
def _unwritable_folder(folder: Path) -> Iterator[None]:
    """`folder` takes no new file: immutable for root (whom permissions do not stop),
    without write permission for anyone else."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr to make a folder immutable for root")
    locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if locked.returncode != 0:
        pytest.skip(f"this filesystem has no immutable folders: {locked.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_views_delete_in_a_folder_that_cannot_be_written_names_the_config(
    cli, tmp_path: Path
) -> None:
    """A config whose folder takes no new file: the error names the config (not a
    temporary file), exit 1, and the config is as it was."""
    folder = tmp_path / "locked"
    folder.mkdir()
    config = folder / "c.toml"
    config.write_text(DELETE_CONFIG, encoding="utf-8")
    with _unwritable_folder(folder):
        run = cli("views", "--config", config, "--delete", "answered")
    assert run.code == 1, (run.out, run.err)
    assert f"view 'answered' not deleted: cannot write {config}:" in run.err
    assert ".part" not in run.err
    assert config.read_text("utf-8") == DELETE_CONFIG


def test_views_delete_a_view_named_with_a_leading_dash(cli, tmp_path: Path) -> None:
    """A view name may start with `-` (`--view -ohne` reads it): `--delete -ohne` does too."""
    config = tmp_path / "c.toml"
    config.write_text('[views]\n-ohne = "-topic:pay"\nkeep = "lang:de"\n', encoding="utf-8")
    run = cli("views", "--config", config, "--delete", "-ohne")
    assert run.code == 0, run.err
    assert config.read_text("utf-8") == '[views]\nkeep = "lang:de"\n'
