"""The installed package: one `echowatch` package, no generic top-level names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERIC = {"app", "cache", "filters", "sources", "tui"}


@pytest.mark.slow
def test_the_wheel_ships_only_the_echowatch_package(tmp_path: Path) -> None:
    """`uv tool install .` adds `echowatch` to site-packages and nothing named `cache`,
    `sources`, `filters`, `tui` or `app` that would collide with other packages; the demo
    data ships, its generator does not, and the `echowatch` command points into the package."""
    uv = shutil.which("uv")
    assert uv, "uv builds the wheel as `uv tool install` does"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("echowatch-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        sources = {n: archive.read(n).decode("utf-8") for n in names if n.endswith(".py")}
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode("utf-8")
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"echowatch"}
    assert {
        "echowatch/app.py",
        "echowatch/cache/db/store.py",
        "echowatch/sources/model/records.py",
        "echowatch/sources/demo/replay.py",
        "echowatch/sources/demo/scenario.json",
        "echowatch/tui/monitor.tcss",
    } <= set(names)
    assert not [n for n in names if "/demo/generator/" in n]
    assert "echowatch = echowatch.app:main" in scripts
    generic_imports = []
    for name, text in sources.items():
        for node in ast.walk(ast.parse(text, name)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            generic_imports += [
                f"{name}:{node.lineno} {m}" for m in modules if m.split(".")[0] in GENERIC
            ]
    assert generic_imports == []
