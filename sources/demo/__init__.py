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
