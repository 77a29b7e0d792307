"""The bench's synthetic archives: one stream, whether written as one file or several."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.synth import pages, write_jsonl, write_jsonl_files


def test_a_stream_cut_into_files_is_the_one_file_stream_in_order(tmp_path: Path) -> None:
    """`bench/run.py --files N` imports the very pages of the one-file run, N files of
    consecutive pages, none empty (fewer files when there are fewer pages)."""
    write_jsonl(tmp_path / "one.jsonl", 2_500, seed=3)
    whole = (tmp_path / "one.jsonl").read_text(encoding="utf-8")
    for files in (1, 4, 30):
        folder = tmp_path / f"cut-{files}"
        folder.mkdir()
        paths = write_jsonl_files(folder, 2_500, files, seed=3)
        texts = [path.read_text(encoding="utf-8") for path in paths]
        assert "".join(texts) == whole
        assert len(paths) == min(files, 25) and all(texts)  # 25 pages of 100 posts


def test_a_paced_stream_holds_the_same_posts_over_a_longer_time() -> None:
    """`bench/synth.py --pace 210` writes the posts of the ordinary stream, in order (their
    ids, which encode the time, aside), with 210 times the time between them (about 1,000
    days for 200,000 posts)."""
    plain = [t for p in pages(3_000, seed=5) for t in p["data"]]
    paced = [t for p in pages(3_000, seed=5, pace=210) for t in p["data"]]

    def times(tweets: list[dict[str, Any]]) -> list[datetime]:
        return [datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) for t in tweets]

    def strip(tweets: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
        return [(t["author_id"], t["lang"], t["text"]) for t in tweets]

    assert strip(paced) == strip(plain)
    plain_span = times(plain)[-1] - times(plain)[0]
    paced_span = times(paced)[-1] - times(paced)[0]
    assert paced_span / plain_span == pytest.approx(210, rel=0.01)
    assert times(paced) == sorted(times(paced))
