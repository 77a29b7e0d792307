"""The core layers never load the UI toolkit: each core module in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("sources", "filters", "cache")
UI_PACKAGES = ("textual", "rich")

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
loaded = sorted({name.split('.')[0] for name in sys.modules} & set(sys.argv[2:]))
print(json.dumps(loaded))
"""


def core_modules() -> list[str]:
    """Every module of the core packages, found on disk so new modules are covered too."""
    names = []
    for package in CORE_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def test_the_core_packages_have_modules_to_check() -> None:
    """The layering check really covers the store, ingest and the parsers."""
    modules = core_modules()
    assert {
        "cache.db.store",
        "cache.write.ingest",
        "sources.x.twitter_v2",
        "filters.classify",
    } <= set(modules)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_load_textual_or_rich(module: str) -> None:
    """A headless collector or export never drags the terminal UI (textual, rich) in."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, module, *UI_PACKAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"importing {module} loaded {loaded}"


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
