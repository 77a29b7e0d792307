"""The bundled demo scenario: data files the replay streams, and the generator behind them.

Everything here is fictional: the company (Korvando), its sites, people, outlets and
unions were invented for Echowatch. `build_scenario.py` writes the data files; run it
with `uv run python -m sources.demo.generator.scenario` after changing the scenario.
"""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
"""The bundled scenario's files (the replay's data and the demo's config)."""


def demo_config_path() -> Path:
    """The config that classifies the demo (company, ambassadors, look-alike targets)."""
    return DEMO_DIR / "demo.toml"


def is_bundled(path: Path | None) -> bool:
    """Whether `path` is one of the program's own files here (the demo's config): never
    written, so that every demo run and `import --demo` reads them as shipped."""
    return path is not None and path.resolve().is_relative_to(DEMO_DIR)
