"""The demo scenario's generator: developer tooling, not shipped in the wheel.

`uv run python -m sources.demo.generator` rewrites the data files in `sources/demo/`.
"""
