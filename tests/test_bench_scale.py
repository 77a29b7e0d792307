"""`bench/scale.py --bases`: the cost of importing the same fresh posts into stores of two
sizes, with each import's CPU split into the program's own work and the kernel's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.synth import write_jsonl
from cache.db.store import Store
from cache.write.importer import import_paths
from filters.classify import Classifier
from sources.model.config import Config

ROOT = Path(__file__).resolve().parents[1]


def _base(path: Path, rows: int, seed: int) -> Path:
    posts = path.with_suffix(".jsonl")
    write_jsonl(posts, rows, seed=seed)
    with Store.open(path) as store:
        import_paths(store, [posts], Classifier(Config()))
    return path


@pytest.mark.slow  # two small bases, four imports with a worker each, and the floors
def test_scale_splits_each_imports_cpu_into_user_and_kernel_time(tmp_path: Path) -> None:
    """Each import's user and kernel time add up to its CPU; each base lists every round's
    kernel time, and the summary gives the growth of the user time beside the total's."""
    small, large = _base(tmp_path / "small.db", 200, 1), _base(tmp_path / "large.db", 600, 2)
    argv = ["--dir", str(tmp_path / "work"), "--segment-rows", "300", "--seed", "9"]
    argv += ["--rounds", "2", "--bases", str(small), str(large)]
    # Its own process, as it is run: the bench imports the project afresh from the tree
    # it measures, which would leave this process's modules replaced.
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale.py"), *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    out, err = done.stdout, done.stderr
    figures = json.loads(out.splitlines()[-1])
    assert figures["warnings"] == []
    imports = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert len(imports) == 4
    for timed in imports:
        assert timed["user_cpu_us"] + timed["kernel_cpu_us"] == pytest.approx(timed["cpu_us"])
    for base in figures["bases"]:
        assert base["new"] == 300
        assert base["user_cpu_us"] > 0 and base["kernel_cpu_us"] >= 0
        assert len(base["kernel_cpu_us_rounds"]) == 2
    first, last = figures["bases"]
    assert figures["user_cpu_growth"] == pytest.approx(
        last["user_cpu_us"] / first["user_cpu_us"] - 1
    )
    assert figures["kernel_cpu_us_last"] == last["kernel_cpu_us"]
    for path, rows in ((small, 200), (large, 600)):  # the bases are copied, never written
        with Store.open(path, readonly=True) as store:
            assert store.count_mentions() == rows
