"""The bulk import path: large transactions, topics classified in a worker process.

Every test compares against the plain in-process path, so the worker can only ever make an
import faster, never different.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import app
from bench.synth import mention_ids, write_jsonl
from cache.db.store import Store
from cache.write import pipeline
from cache.write.importer import import_paths
from cache.write.pipeline import BulkIngest, ClassifyWorker
from filters.classify import Classifier
from sources.archive.files import read_archive
from sources.model.config import SECRET_ENVS, Config
from tests.builders import BASE_TIME, user
from tests.builders import page as bpage
from tests.builders import tweet as btweet

ROOT = Path(__file__).resolve().parents[1]
ROWS = 3000
BATCH = 400


def _stored(db: Path) -> list[tuple[str, ...]]:
    with Store.open(db, readonly=True) as store:
        rows = store.conn.execute(
            "SELECT id, topics, topic_matches, role FROM mentions ORDER BY id"
        ).fetchall()
        topic_rows = store.conn.execute("SELECT count(*) FROM mention_topics").fetchone()[0]
    assert topic_rows == sum(row[1].count('"') // 2 for row in rows)
    return [tuple(row) for row in rows]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "archive.jsonl"
    write_jsonl(path, ROWS, seed=5)
    return path


@pytest.fixture(scope="module")
def in_process(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, ...]]:
    db = tmp_path_factory.mktemp("plain") / "store.db"
    with Store.open(db) as store:
        import_paths(store, [archive], Classifier(Config()), batch=BATCH, parallel=False)
    return _stored(db)


@pytest.mark.slow  # a classifying worker process, killed or garbled
def test_worker_classified_import_stores_exactly_what_in_process_import_stores(
    archive: Path, in_process: list[tuple[str, ...]], tmp_path: Path
) -> None:
    """Topics, matched words and roles are the same whether a worker classified them or not."""
    db = tmp_path / "store.db"
    with (
        Store.open(db) as store,
        BulkIngest(store, Classifier(Config()), flush=BATCH, parallel=True) as bulk,
    ):
        for batch in read_archive(archive):
            bulk.add(batch)
        totals = bulk.flush()
    assert bulk.worker_classified > ROWS // 2  # the worker really did the classifying
    assert totals.new == len(in_process)
    assert {row[0] for row in in_process} >= set(mention_ids(ROWS, seed=5))
    assert sum(row[1] != "[]" for row in in_process) > ROWS // 10  # topics were really found
    assert _stored(db) == in_process


@pytest.mark.slow  # a classifying worker process, killed or garbled
def test_an_import_whose_worker_dies_classifies_the_rest_itself(
    archive: Path, in_process: list[tuple[str, ...]], tmp_path: Path
) -> None:
    """Killing the classifying worker mid-import neither fails the import nor loses topics."""
    db = tmp_path / "store.db"
    killed: list[int] = []
    with Store.open(db) as store:

        def kill_worker_once(*_: object) -> None:
            pid = bulk.worker_pid
            if pid is not None and not killed:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        classifier = Classifier(Config())
        with BulkIngest(
            store, classifier, flush=BATCH, parallel=True, on_stored=kill_worker_once
        ) as bulk:
            for batch in read_archive(archive):
                bulk.add(batch)
            bulk.flush()
    assert killed
    assert _stored(db) == in_process


def _count_reads_here(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files this process reads itself from now on (the worker's reads are not seen)."""
    reads: list[Path] = []
    real = pipeline.read_archive

    def counting(path: Path, **options: Any) -> Any:
        reads.append(path)
        return real(path, **options)

    monkeypatch.setattr(pipeline, "read_archive", counting)
    return reads


@pytest.mark.slow  # a worker process reads the archive
def test_an_archive_read_by_the_worker_is_stored_as_one_read_here(
    archive: Path,
    in_process: list[tuple[str, ...]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a second core the worker reads and classifies the file: same topics and roles."""
    reads_here = _count_reads_here(monkeypatch)
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        report = import_paths(store, [archive], Classifier(Config()), batch=BATCH, parallel=True)
    assert reads_here == []  # the worker did the reading
    assert report.files_read == 1 and report.totals.new == len(in_process) > 0
    assert _stored(db) == in_process


@pytest.mark.slow  # a worker process reads the archive
def test_the_worker_sends_a_file_in_small_chunks_first(
    archive: Path, in_process: list[tuple[str, ...]], tmp_path: Path
) -> None:
    """The importer stores its first transaction after 1,000 posts read, not a whole
    batch's worth; the next one is twice as large; the store is the same."""
    stored_after: list[int] = []
    db = tmp_path / "store.db"
    with Store.open(db) as store:
        import_paths(
            store,
            [archive],
            Classifier(Config()),
            batch=2_500,
            parallel=True,
            on_progress=lambda report: stored_after.append(report.totals.new),
        )
    sizes = [b - a for a, b in zip([0, *stored_after], stored_after, strict=False)]
    # Chunks count the posts read, referenced copies included: fewer of them are new.
    assert sizes[0] <= pipeline.FIRST_CHUNK < sizes[1] <= 2 * pipeline.FIRST_CHUNK, sizes
    assert _stored(db) == in_process


@pytest.mark.slow  # a worker process killed part way through a file
def test_an_import_whose_worker_dies_mid_file_reads_the_rest_itself(
    archive: Path,
    in_process: list[tuple[str, ...]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killing the worker that reads the file: the import goes on from where it was,
    every post stored once, with its topics."""
    reads_here = _count_reads_here(monkeypatch)
    killed: list[int] = []

    def kill_worker_once(report: Any) -> None:
        worker = _worker_of(os.getpid())
        if worker is not None and not killed:
            os.kill(worker, signal.SIGKILL)
            killed.append(worker)

    db = tmp_path / "store.db"
    with Store.open(db) as store:
        report = import_paths(
            store,
            [archive],
            Classifier(Config()),
            batch=BATCH,
            parallel=True,
            on_progress=kill_worker_once,
        )
    assert killed and reads_here == [archive]
    with Store.open(tmp_path / "here.db") as store:
        here = import_paths(store, [archive], Classifier(Config()), batch=BATCH, parallel=False)
    counts = (report.totals.new, report.totals.updated, report.totals.unchanged)
    assert counts == (here.totals.new, here.totals.updated, here.totals.unchanged)
    assert _stored(db) == in_process


@pytest.mark.slow  # a worker process reads the archive
def test_the_worker_is_this_program_wherever_the_import_runs(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import run from a folder that holds a `cache/` package of its own still gets
    its own worker (not the stranger's module), so it is as fast as anywhere else."""
    decoy = tmp_path / "here" / "cache" / "write"
    decoy.mkdir(parents=True)
    for folder in (decoy, decoy.parent):
        (folder / "__init__.py").write_text("")
    (decoy / "pipeline_worker.py").write_text("raise SystemExit('not the worker')\n")
    monkeypatch.chdir(decoy.parent.parent)
    with (
        Store.open(tmp_path / "store.db") as store,
        BulkIngest(store, Classifier(Config()), flush=BATCH, parallel=True) as bulk,
    ):
        for batch in read_archive(archive):
            bulk.add(batch)
        bulk.flush()
    assert bulk.worker_classified > ROWS // 2


def _exits_within(pid: int, seconds: float) -> bool:
    """Wait for a process that is not our child to end (a pidfd becomes readable)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([handle], [], [], seconds)
        return bool(ready)
    finally:
        os.close(handle)


def _worker_of(parent: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{parent}\n" in status and b"cache.write.pipeline" in command:
            return int(entry.name)
    return None


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfd_open")
@pytest.mark.slow  # a classifying worker process, killed or garbled
def test_a_killed_import_leaves_no_worker_behind(archive: Path, tmp_path: Path) -> None:
    """SIGKILL of `app.py import` ends its classifying worker too: no orphan keeps running."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path))
    command = [sys.executable, str(ROOT / "app.py"), "import", str(archive), "--batch", "200"]
    importer = subprocess.Popen(
        [*command, "--db", str(tmp_path / "store.db")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        worker = None
        while worker is None and importer.poll() is None:
            assert time.monotonic() < deadline, "the import never started a worker"
            worker = _worker_of(importer.pid)
        assert worker is not None, "the import finished before a worker was seen"
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=60)
        assert _exits_within(worker, 30)
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()


def test_import_refuses_a_batch_size_below_one(
    archive: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import --batch 0` is a usage error that says what is wrong, and stores nothing."""
    with pytest.raises(SystemExit) as exit_info:
        app.main(["import", str(archive), "--batch", "0", "--db", str(db_path)])
    assert exit_info.value.code == 2
    assert "--batch: expected at least 1, got 0" in capsys.readouterr().err
    assert not db_path.exists()


# A pickle that calls int("1", "2", "3") when loaded: it raises TypeError, as a torn or
# garbled answer from a dying worker can.
_GARBLED_ANSWER = (
    b"\x80\x04cbuiltins\nint\n(X\x01\x00\x00\x001X\x01\x00\x00\x002X\x01\x00\x00\x003tR."
)


@pytest.mark.slow  # a classifying worker process, killed or garbled
def test_a_garbled_worker_answer_is_classified_here_instead(tmp_path: Path) -> None:
    """A worker answer that cannot be read ends the worker's part, never the import."""
    with pytest.raises(TypeError):
        pickle.loads(_GARBLED_ANSWER)
    worker = ClassifyWorker(Config())
    try:
        read_end, write_end = os.pipe()
        os.write(write_end, _GARBLED_ANSWER)
        os.close(write_end)
        worker._process.stdout = os.fdopen(read_end, "rb")
        assert worker.answers(["Streik bei Kestrel"]) == {}
        assert not worker.alive
    finally:
        worker.close()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_the_worker_gets_no_secret_and_the_users_allocator_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import's worker never sees a token or password, takes the allocator settings
    it imports with, and keeps one the user set."""
    for name in SECRET_ENVS:
        monkeypatch.setenv(name, "secret-" + name)
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    worker = ClassifyWorker(Config())
    try:
        # An answer first: the worker then runs the program it was started as. Popen
        # returns once the exec is under way, and until the kernel has set up the new
        # program, /proc shows no environment at all (read empty under load).
        worker.submit(["Streik"])
        assert worker.answers(["Streik"]) is not None and worker.alive
        raw = Path(f"/proc/{worker.pid}/environ").read_bytes()
        env = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    finally:
        worker.close()
    assert not any(name in env for name in SECRET_ENVS)
    assert "secret-" not in raw.decode()
    assert env["MALLOC_MMAP_THRESHOLD_"] == "65536"
    assert env["MALLOC_TRIM_THRESHOLD_"] == pipeline.WORKER_MALLOC["MALLOC_TRIM_THRESHOLD_"]


def _accounts_and_roles(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with Store.open(db, readonly=True) as store:
        accounts = store.conn.execute(
            "SELECT key, handle, bio, role, role_reason, raw FROM accounts ORDER BY key"
        ).fetchall()
        roles = store.conn.execute("SELECT id, author_key, role FROM mentions ORDER BY id")
        return accounts, roles.fetchall()


@pytest.mark.slow  # a worker process reads the archive
def test_authors_repeated_and_changed_across_chunks_are_stored_as_read_here(
    tmp_path: Path,
) -> None:
    """An author's posts in later chunks keep the author's role, and a profile that changes
    part way through an archive read by the worker ends as the newest one, as without it."""
    steady = user("steady_voice", bio="Lagerarbeiter")
    before = user("turncoat", user_id="4711", bio="Betriebsrat")
    after = user("turncoat", user_id="4711", bio="Parodie, kein offizieller Account")
    pages = [
        bpage(
            [
                btweet(steady, f"Streik {n}", at=BASE_TIME + timedelta(minutes=n)),
                btweet(
                    before if n < 6 else after, f"Lohn {n}", at=BASE_TIME + timedelta(minutes=n)
                ),
            ],
            [steady, before if n < 6 else after],
        )
        for n in range(10)
    ]
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(p) + "\n" for p in pages), encoding="utf-8")
    stored = []
    for parallel in (False, True):
        db = tmp_path / f"parallel-{parallel}.db"
        with Store.open(db) as store:
            import_paths(store, [archive], Classifier(Config()), batch=4, parallel=parallel)
        stored.append(_accounts_and_roles(db))
    (accounts, roles), read_by_worker = stored
    assert read_by_worker == (accounts, roles)
    assert ("x:4711", "turncoat", after["description"]) in [a[:3] for a in accounts]
    turncoat_roles = [role for _, key, role in roles if key == "x:4711"]
    assert turncoat_roles.count("parody") == 4 and len(set(turncoat_roles)) == 2
