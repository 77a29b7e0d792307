"""`bench/run.py`'s import figures: what the import stored, and where its CPU went."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run
from cache.db.store import Store
from filters.classify import Classifier
from sources.model.config import Config


@pytest.mark.slow  # an import with its worker process, and the collector floor beside it
def test_ingest_figures_give_the_kernels_part_of_the_imports_cpu(tmp_path: Path) -> None:
    """Every generated mention is stored, and the kernel's part of the import's CPU is
    reported apart, within the two processes' CPU together."""
    with Store.open(tmp_path / "bench.db") as store:
        figures = run.measure_ingest(store, Classifier(Config()), 400, 1, tmp_path)
        assert store.count_mentions() == figures["stored"] == 400
    # One transaction wrote one full-text segment: nothing to merge, and none timed.
    assert (figures["ingest_index_segments_merged"], figures["ingest_index_merge_s"]) == (0, 0.0)
    together = figures["ingest_importer_cpu_us"] + figures["ingest_worker_cpu_us"]
    assert 0 <= figures["ingest_kernel_cpu_us"] <= together
    assert not (tmp_path / "mentions.jsonl").exists()  # the archive is removed after
