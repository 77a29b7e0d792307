"""Shared fixtures: a fresh store file per test and a way to run the command line."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import app
from bench.synth import pages
from cache.db.store import Store
from cache.write.ingest import ingest
from filters.classify import Classifier
from sources.model.config import Config
from sources.x.twitter_v2 import parse_response

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's store lives (a real SQLite file in a temporary folder)."""
    return tmp_path / "store.db"


def _keep_away_from_user_dirs(patch: pytest.MonkeyPatch, home: Path) -> None:
    """Point the config, data and state dirs into `home`; no config file or X token."""
    patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    patch.setenv("XDG_DATA_HOME", str(home / "data"))
    patch.setenv("XDG_STATE_HOME", str(home / "state"))
    patch.delenv("ECHOWATCH_CONFIG", raising=False)
    patch.delenv("X_BEARER_TOKEN", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _isolated_session_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The user's dirs kept away for the whole session: module and session fixtures build
    stores before a test's own `_isolated_user_dirs` applies, and a store opened records
    its clean check in the state dir."""
    with pytest.MonkeyPatch.context() as patch:
        _keep_away_from_user_dirs(patch, tmp_path_factory.mktemp("session-home"))
        yield


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keep every test away from the real user's config, data dir and X token."""
    _keep_away_from_user_dirs(monkeypatch, tmp_path_factory.mktemp("home"))
    yield


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def,unused-ignore]
    """Run `app.py ARGS...` in-process and return its exit code and output."""

    def run(*args: str | os.PathLike[str]) -> Run:
        code = app.main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def realworld() -> Path:
    """The real-world samples beside the project; skips when they are not there."""
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is not present on this machine")
    return REALWORLD


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[Path]:
    """A store holding 500 imported mentions, closed cleanly (WAL checkpointed)."""
    db = tmp_path / "store.db"
    classifier = Classifier(Config())
    with Store.open(db) as store:
        for page in pages(500, seed=41):
            ingest(store, parse_response(page, "import"), classifier)
    yield db
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if path.exists():
            path.chmod(stat.S_IRUSR | stat.S_IWUSR)
