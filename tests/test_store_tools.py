"""An Echowatch store opens in the tools its users already have: sqlite-utils, Datasette."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

import app
from cache.db import fts, mention_lists
from cache.db.schema import migrations
from cache.db.store import Store
from tests.test_serve import free_port

SQLITE_UTILS = Path(sys.executable).parent / "sqlite-utils"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo imported into a real store file (shared: tests only read it)."""
    path = tmp_path_factory.mktemp("tools") / "demo.db"
    assert app.main(["import", "--demo", "--db", str(path)]) == 0
    return path


def _project_ids(path: Path, query: str) -> set[str]:
    """The ids Echowatch's own query language finds (export --ids covers X posts only)."""
    from cache.read.search import query_selection, select_sql

    with Store.open(path, readonly=True) as store:
        sql, params = select_sql(query_selection(query), columns="m.id")
        return {row[0] for row in store.conn.execute(sql, params)}


def test_sqlite_utils_cli_searches_the_store(demo_store: Path) -> None:
    """`sqlite-utils search STORE mentions Streik` lists the same posts as Echowatch does."""
    run = subprocess.run(
        [str(SQLITE_UTILS), "search", str(demo_store), "mentions", "Streik", "-c", "id"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    found = {row["id"] for row in json.loads(run.stdout)}
    assert found, "sqlite-utils found nothing"
    assert found == _project_ids(demo_store, "Streik")


def test_sqlite_utils_api_sees_fts_and_author_link(demo_store: Path) -> None:
    """sqlite-utils' Python API finds the index and the mentions -> accounts relation."""
    db = Database(demo_store)
    assert db.table("mentions").detect_fts() == "mentions_fts"
    rows = list(db.table("mentions").search("Gewerkschaft", columns=["id", "text"]))
    assert rows and all("gewerkschaft" in r["text"].lower() for r in rows)
    links = [
        (fk.column, fk.other_table, fk.other_column) for fk in db.table("mentions").foreign_keys
    ]
    assert ("author_key", "accounts", "key") in links
    # Declared for the tools, not enforced: an author may arrive after their posts.
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 0


def test_index_is_exactly_what_sqlite_utils_would_create(tmp_path: Path) -> None:
    """`sqlite-utils enable-fts --replace` on a store finds nothing to change (no rebuild)."""
    path = tmp_path / "s.db"
    Store.open(path).close()
    db = Database(path)
    before = db.table("mentions_fts").schema
    triggers = {t.name for t in db.table("mentions").triggers}
    db.table("mentions").enable_fts(
        list(fts.COLUMNS), tokenize=fts.TOKENIZE, create_triggers=True, replace=True
    )
    assert db.table("mentions_fts").schema == before
    assert {t.name for t in db.table("mentions").triggers} == triggers
    # Besides the full-text triggers, only those of the index tables of cache.db.mention_lists.
    assert triggers == set(fts.TRIGGER_NAMES) | set(mention_lists.TRIGGER_NAMES)


def test_an_existing_store_is_migrated_and_keeps_its_search(tmp_path: Path) -> None:
    """A store from before the change: after opening it, both searches find its posts."""
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m008_mentions_author_fk")
    now = "2026-11-01T10:00:00Z"
    for i, text in enumerate(["Warnstreik in Lahnfeld", "Hitze im Lager", "Streik bei Verdi"]):
        db.execute(
            "INSERT INTO mentions (id, platform, source, text, created_at, first_seen_at, "
            "updated_at, author_key) VALUES (?, 'x', 'import', ?, ?, ?, ?, 'x:1')",
            [f"x:{i}", text, now, now, now],
        )
    db.conn.commit()
    assert db.table("mentions").detect_fts() is None  # the old declaration: invisible to the tools
    db.close()

    Store.open(path).close()
    db = Database(path)
    assert {r["id"] for r in db.table("mentions").search("Streik")} == {"x:2"}
    assert _project_ids(path, "streik*") == {"x:2"}
    assert _project_ids(path, "lager") == {"x:1"}
    old_triggers = {t.name for t in db.table("mentions").triggers} & set(fts.OLD_TRIGGER_NAMES)
    assert not old_triggers
    db.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('integrity-check')")
    # The index follows later writes through the sqlite-utils-named triggers.
    db.execute("UPDATE mentions SET text = 'Streik in Wiesenau' WHERE id = 'x:1'")
    db.execute("DELETE FROM mentions WHERE id = 'x:2'")
    db.conn.commit()
    assert {r["id"] for r in db.table("mentions").search("Streik")} == {"x:1"}


# --- Datasette, installed into a throw-away environment ---------------------------------


@pytest.fixture(scope="module")
def datasette_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Datasette in its own venv; skipped when uv or the package registry is unavailable."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    venv = tmp_path_factory.mktemp("datasette") / "venv"
    made = subprocess.run([uv, "venv", "-q", str(venv)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv: {made.stderr.decode(errors='replace')[-200:]}")
    python = venv / "bin" / "python"
    try:
        got = subprocess.run(
            [uv, "pip", "install", "-q", "--python", str(python), "datasette"],
            capture_output=True,
            check=False,
            timeout=240,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("installing datasette took too long (no registry?)")
    if got.returncode != 0:
        pytest.skip(f"datasette not installable: {got.stderr.decode(errors='replace')[-200:]}")
    return venv / "bin" / "datasette"


@pytest.fixture
def datasette_url(datasette_bin: Path, demo_store: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [str(datasette_bin), "serve", str(demo_store), "-h", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # until it answers (a readiness poll, not a timed assertion)
            try:
                urllib.request.urlopen(f"{url}/-/versions.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    message = server.stderr.read().decode() if server.stderr else ""
                    raise AssertionError(f"datasette did not start: {message}") from None
                time.sleep(0.1)
        yield f"{url}/{demo_store.stem}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow  # starts a Datasette server
def test_datasette_searches_and_links(datasette_url: str, demo_store: Path) -> None:
    """Datasette shows a search box on mentions and `?_search=Streik` finds the same posts."""
    query = "_search=Streik&_col=id&_shape=array&_size=max"
    with urllib.request.urlopen(f"{datasette_url}/mentions.json?{query}", timeout=30) as answer:
        rows = json.load(answer)
    assert {r["id"] for r in rows} == _project_ids(demo_store, "Streik")
    with urllib.request.urlopen(f"{datasette_url}/mentions", timeout=30) as answer:
        page = answer.read().decode()
    assert 'name="_search"' in page
    # The author column links to the account (a declared foreign key).
    assert f'href="/{demo_store.stem}/accounts/' in page


def test_sqlite3_module_reads_store_while_declared_keys_are_broken(tmp_path: Path) -> None:
    """A post whose author is not stored yet is still stored (the key is not enforced)."""
    path = tmp_path / "s.db"
    with Store.open(path) as store, store.writing():
        store.conn.execute(
            "INSERT INTO mentions (id, platform, source, created_at, first_seen_at, updated_at, "
            "author_key) VALUES ('x:9', 'x', 'import', 'a', 'a', 'a', 'x:not-yet')"
        )
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT author_key FROM mentions").fetchall() == [("x:not-yet",)]
    assert conn.execute("PRAGMA foreign_key_check(mentions)").fetchall()  # declared, broken
