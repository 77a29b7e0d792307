"""A disk that fills up while the store is used: an import says how many of its mentions
were stored before (and that they are kept); `alerts` still lists the alerts stored.

The full disk is a file-size limit on the command (RLIMIT_FSIZE, with SIGXFSZ ignored so
that the write fails instead of killing the process): no write past the limit succeeds,
as on a full disk, on any machine and without mounting anything.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.synth import write_jsonl
from cache.db.store import Store
from tests.store_helpers import DAY0, STRIKE_TEXT, add_posts, steady_days

APP = Path(__file__).resolve().parents[1] / "app.py"


def _on_a_full_disk(
    tmp_path: Path, limit: int, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    """Run `app.py ARGS` where no file can grow past `limit` bytes."""

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run(
        [sys.executable, str(APP), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=limited,
        check=False,
    )


def _count(path: Path) -> int:
    with Store.open(path, readonly=True) as store:
        return store.count_mentions()


def test_an_import_stopped_by_a_full_disk_says_how_many_it_stored(
    tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """The disk fills during an import: the message gives the number of this run's
    mentions that were stored and kept (exactly those found in the store after), never
    'nothing more was written'; exit 1."""
    first = tmp_path / "first.jsonl"
    write_jsonl(first, 200, seed=5)
    assert cli("import", "--db", db_path, first).code == 0
    before = _count(db_path)
    more = tmp_path / "more.jsonl"
    write_jsonl(more, 3000, seed=6)
    run = _on_a_full_disk(tmp_path, 1_500_000, "import", "--db", db_path, "--batch", "100", more)
    assert run.returncode == 1, run.stderr
    stored = _count(db_path) - before
    assert 0 < stored < 3000
    assert f"this import stored {stored} new and 0 updated mentions before it" in run.stderr
    assert "they are kept" in run.stderr and "run the same import again" in run.stderr
    assert "nothing more was written" not in run.stderr
    assert "Traceback" not in run.stderr
    again = cli("import", "--db", db_path, more)
    assert again.code == 0, again.err
    assert re.search(rf"imported {3000 - stored} new, 0 updated", again.out), again.out


def test_alerts_lists_the_stored_alerts_on_a_full_disk(
    tmp_path: Path, db_path: Path, cli: Any
) -> None:
    """On a full disk `alerts` lists the alerts already stored (reading needs no space),
    says stored history was not judged, and exits 0."""
    with Store.open(db_path) as store:
        steady_days(store, 9)
        add_posts(store, DAY0 + timedelta(days=7, hours=9), 40, STRIKE_TEXT)
    listed = cli("alerts", "--db", db_path, "--format", "json")
    assert listed.code == 0, listed.err
    stored = json.loads(listed.out)
    assert stored
    with Store.open(db_path) as store:  # a later spike and a day after it, to be judged
        add_posts(store, DAY0 + timedelta(days=8, hours=3), 40, STRIKE_TEXT)
        steady_days(store, 1, start=DAY0 + timedelta(days=9))
    # A monitor kept open keeps the store's WAL index file, as on the disk that filled up.
    with Store.open(db_path, readonly=True) as monitor:
        monitor.count_mentions()
        run = _on_a_full_disk(tmp_path, 1, "alerts", "--db", db_path, "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == stored
    assert f"{db_path}: the store cannot be written" in run.stderr
    assert "history was not judged" in run.stderr
