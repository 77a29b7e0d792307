"""The name the user started Echowatch by, for hints that tell them what to type next."""

from __future__ import annotations

import sys
from pathlib import Path

INSTALLED = "echowatch"
"""The command `pip install` / `uv tool install` puts on the PATH."""
FROM_SOURCE = "uv run app.py"
"""How a clone of the repository runs it (the README's form)."""


def program_name(argv0: str | None = None) -> str:
    """`echowatch` when started as the installed command, else `uv run app.py`."""
    name = Path(sys.argv[0] if argv0 is None else argv0).name
    return INSTALLED if name.startswith(INSTALLED) else FROM_SOURCE
