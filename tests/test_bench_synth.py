"""The bench's synthetic archives: one stream, whether written as one file or several."""

from __future__ import annotations

from pathlib import Path

from bench.synth import write_jsonl, write_jsonl_files


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
