"""Build the wheel under one `echowatch` package, so an install squats on no generic name.

In a clone the layers are top-level folders (`cache/`, `sources/`, `filters/`, `tui/`,
`app.py`) and import each other by those names: `uv run app.py`, pytest, ruff and mypy see
the tree as it is. The wheel instead holds `echowatch/cache/...`, `echowatch/app.py`: this
hook copies the tree into a staging folder with every import of the project's own modules
prefixed (`from cache.db.store import Store` -> `from echowatch.cache.db.store import Store`),
and ships that. Only import statements change; the hook refuses code it cannot rewrite
(`import cache.x` without `as`, whose dotted uses would need rewriting too).

The demo generator (`sources/demo/generator/`) is developer tooling and stays out.
"""

from __future__ import annotations

import ast
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "echowatch"
TOP_LEVEL = ("app", "cache", "filters", "sources", "tui")
"""The project's own top-level modules, as imported in a clone."""
SHIPPED = ("app.py", "cache", "filters", "sources", "tui")
LEFT_OUT = ("sources/demo/generator",)
_NAME = re.compile(r"(?<![\w.])(" + "|".join(TOP_LEVEL) + r")(?=[.\s,)]|$)")


class ImportRewriteError(ValueError):
    """A module imports the project in a form the wheel's rewrite does not handle."""


def own(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in TOP_LEVEL


def prefixed(source: str, where: str) -> str:
    """`source` with each import of the project's own modules moved under `echowatch.`."""
    tree = ast.parse(source, where)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and own(node.module):
            start = starts[node.lineno - 1] + node.col_offset
            spans.append((start, start + len("from ")))
        elif isinstance(node, ast.Import) and any(own(a.name) for a in node.names):
            bare = [a.name for a in node.names if own(a.name) and a.asname is None]
            if any("." in name for name in bare):
                raise ImportRewriteError(f"{where}:{node.lineno}: write `import {bare[0]} as x`")
            start = starts[node.lineno - 1] + node.col_offset
            assert node.end_lineno is not None and node.end_col_offset is not None
            spans.append((start, starts[node.end_lineno - 1] + node.end_col_offset))
    for start, end in sorted(spans, reverse=True):
        head, text, tail = source[:start], source[start:end], source[end:]
        if text.startswith("from"):  # the module follows `from ` (ruff format: one space)
            text = f"from {PACKAGE}."
        else:
            text = _NAME.sub(lambda m: f"{PACKAGE}.{m.group(1)}", text)
        source = head + text + tail
    return source


def stage(root: Path, target: Path) -> None:
    """Copy the shipped tree from `root` into `target/echowatch`, imports rewritten."""
    package = target / PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Echowatch: the installed package."""\n', "utf-8")
    for name in SHIPPED:
        base = root / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            relative = path.relative_to(root)
            text = relative.as_posix()
            if "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo"):
                continue
            if any(text == left or text.startswith(left + "/") for left in LEFT_OUT):
                continue
            out = package / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".py":
                out.write_text(prefixed(path.read_text("utf-8"), text), "utf-8")
            else:
                shutil.copyfile(path, out)


class CustomBuildHook(BuildHookInterface):
    """Ships the staged `echowatch` package in the wheel; editable installs map the clone."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        if version == "editable":  # the clone is on the path; `echowatch` only names the CLI
            self._staging = tempfile.mkdtemp(prefix="echowatch-editable-")
            shim = Path(self._staging) / PACKAGE
            shim.mkdir()
            (shim / "__init__.py").write_text('"""Echowatch, from a clone."""\n', "utf-8")
            (shim / "app.py").write_text("from app import main as main\n", "utf-8")
            build_data["force_include_editable"][str(shim)] = PACKAGE
            return
        self._staging = tempfile.mkdtemp(prefix="echowatch-wheel-")
        stage(Path(self.root), Path(self._staging))
        build_data["force_include"][str(Path(self._staging) / PACKAGE)] = PACKAGE

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        staging = getattr(self, "_staging", None)
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
