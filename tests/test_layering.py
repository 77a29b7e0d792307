"""The house's layer contract, checked on every run (and so by `.ci/check`).

- Layers, top to bottom: `app.py` > `tui` > `cache` > `filters` > `sources`; a module imports
  only from its own layer or the layers below it. Nothing imports `app`.
- `sources.model` is the bottom: it imports nothing else of Echowatch.
- No import cycle anywhere, counting every import: inside functions and under
  `TYPE_CHECKING` too, so an import moved into a function cannot hide a cycle.
- No import of Echowatch's own modules guarded by `except ImportError` (it cannot fail).
- The core layers never load the UI toolkit: each core module in a fresh interpreter.
"""

from __future__ import annotations

import ast
import graphlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("app", "tui", "cache", "filters", "sources")
"""Top to bottom: each may import itself and the ones after it."""
BOTTOM = "sources.model"


def project_modules() -> dict[str, Path]:
    """Every module of the project by dotted name (`cache.db.store`), found on disk."""
    modules = {"app": ROOT / "app.py"}
    for package in LAYERS[1:]:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The project modules `path` imports (wherever the import statement sits), by line."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from cache.db import fts` imports cache.db.fts
                submodule = f"{node.module}.{alias.name}"
                names.append(submodule if submodule in modules else node.module)
        for name in names:
            if name in modules and isinstance(node, ast.Import | ast.ImportFrom):
                found.setdefault(name, node.lineno)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    modules = project_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def backward_imports(graph: dict[str, dict[str, int]]) -> list[str]:
    """`importer:line -> imported` for each import of a higher layer or, from the model,
    of anything outside it."""
    wrong = []
    for module, imported in graph.items():
        for target, line in imported.items():
            in_model = module == BOTTOM or module.startswith(BOTTOM + ".")
            leaves_model = not (target == BOTTOM or target.startswith(BOTTOM + "."))
            if layer(target) < layer(module) or (in_model and leaves_model):
                wrong.append(f"{module}:{line} -> {target}")
    return wrong


def import_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle of imports (`a -> b -> a`), or None when there is none."""
    try:
        tuple(graphlib.TopologicalSorter({m: set(t) for m, t in graph.items()}).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_no_module_imports_a_layer_above_its_own() -> None:
    """The storage never reaches into the screens, the rules never into storage, and the
    shared model depends on nothing: each layer can be read and tested without those above."""
    assert backward_imports(import_graph()) == []


def test_there_is_no_import_cycle() -> None:
    """Every module can be read (and loaded) after the ones it imports: no two modules
    need each other, not even through an import hidden in a function."""
    graph = import_graph()
    assert len(graph) > 100  # the whole project was read
    cycle = import_cycle(graph)
    assert cycle is None, " -> ".join(cycle or ())


def test_own_imports_are_never_guarded_by_except_import_error() -> None:
    """An import of Echowatch's own code cannot be missing: a guard only hides a real bug."""
    modules = project_modules()
    guarded = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if not catches & {"ImportError", "ModuleNotFoundError"}:
                continue
            for statement in node.body:
                wrapped = ast.Module(body=[statement], type_ignores=[])
                for inner in ast.walk(wrapped):
                    if isinstance(inner, ast.ImportFrom) and (inner.module or "") in modules:
                        guarded.append(f"{name}:{inner.lineno}")
    assert guarded == []


def test_the_contract_check_sees_a_backward_import_and_a_cycle() -> None:
    """The checks above can fail: a store importing a screen, and two modules importing
    each other, are both reported."""
    graph = {
        "cache.db.store": {"tui.monitor": 3},
        "tui.monitor": {"cache.db.store": 5},
        "sources.model.text": {"sources.net.backoff": 7},
        "sources.net.backoff": {},
    }
    assert backward_imports(graph) == [
        "cache.db.store:3 -> tui.monitor",
        "sources.model.text:7 -> sources.net.backoff",
    ]
    assert import_cycle(graph) in (
        ["cache.db.store", "tui.monitor", "cache.db.store"],
        ["tui.monitor", "cache.db.store", "tui.monitor"],
    )


CORE_PACKAGES = ("sources", "filters", "cache")
UI_PACKAGES = ("textual", "rich")

_PROBE = """
import importlib, json, sys
ui = set(sys.argv[2:])
culprits = {}
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    loaded = sorted({m.split('.')[0] for m in sys.modules} & ui)
    if loaded:
        culprits[name] = loaded
        for module in [m for m in sys.modules if m.split('.')[0] in ui]:
            del sys.modules[module]
print(json.dumps(culprits))
"""


def core_modules() -> list[str]:
    """Every module of the core packages, found on disk so new modules are covered too."""
    return [m for m in project_modules() if m.split(".")[0] in CORE_PACKAGES]


def test_the_core_packages_have_modules_to_check() -> None:
    """The layering check really covers the store, ingest and the parsers."""
    modules = core_modules()
    assert {
        "cache.db.store",
        "cache.write.ingest",
        "sources.x.twitter_v2",
        "filters.classify",
    } <= set(modules)


def test_no_core_module_loads_textual_or_rich() -> None:
    """A headless collector or export never drags the terminal UI (textual, rich) in: each
    core module is imported in turn in one fresh interpreter, and the first one that loads
    the toolkit is named."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(core_modules()), *UI_PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}


def test_building_social_sources_does_not_wait_for_their_sdks() -> None:
    """A monitor with Bluesky and Mastodon configured shows itself without first importing
    the atproto SDK (seconds) or Mastodon.py: they load when the first poll runs."""
    code = (
        "import sys\n"
        "from cache.live.collector import build_sources\n"
        "from sources.model.config import BlueskySection, Config, MastodonSection\n"
        "config = Config(bluesky=BlueskySection(handles=['a.bsky.social'], jetstream=True),\n"
        "    mastodon=MastodonSection(instance='https://m.example', hashtags=['k'], stream=True))\n"
        "names = [s.name for s in build_sources(config, environ={})]\n"
        "assert names == ['bluesky', 'bluesky-jetstream', 'mastodon', 'mastodon-stream'], names\n"
        "loaded = [m for m in ('atproto', 'atproto_client', 'mastodon')"
        " if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
