"""The screens reach the store only through tui/gateway.py, and browsing never writes it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.test_layering import ROOT

GATEWAY = ROOT / "tui" / "gateway.py"
SQL = re.compile(
    r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I | re.S
)


def tui_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "tui").rglob("*.py") if p != GATEWAY)


def store_access(path: Path) -> list[str]:
    """What in one module goes around the gateway: cache imports, Store.open, SQL text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "cache" or node.module.startswith("cache."):
                found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found.extend(
                f"line {node.lineno}: import {a.name}"
                for a in node.names
                if a.name == "cache" or a.name.startswith("cache.")
            )
        elif isinstance(node, ast.Attribute) and node.attr == "open":
            if isinstance(node.value, ast.Name) and node.value.id == "Store":
                found.append(f"line {node.lineno}: Store.open")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


def test_no_screen_module_reaches_the_store_around_the_gateway() -> None:
    """A screen that opened its own store could write while browsing, or block the UI."""
    modules = tui_modules()
    assert len(modules) > 10  # the check really walks the screens
    offenders = {p.name: store_access(p) for p in modules}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_catches_each_kind_of_store_access(tmp_path: Path) -> None:
    """The layering check fails on a cache import, a Store.open and raw SQL."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import cache.db.store\n"
        "from cache.db.store import Store\n"
        "with Store.open('x') as s:\n"
        "    s.conn.execute('SELECT id FROM mentions')\n"
    )
    assert len(store_access(bad)) == 4
