"""The page `app.py serve` hands each browser: textual-serve's own, without what it loads
from other hosts.

textual-serve's page asks fonts.googleapis.com for a font. A served monitor must work where
only the server can be reached, and a viewer's browser should tell no third party that it
opened the team's monitor, so the page is written again without links to other hosts (the
terminal falls back to the browser's monospace font). Everything else comes from the
installed textual-serve, so an upgrade of it is served as it ships.
"""

from __future__ import annotations

import re
from pathlib import Path

import textual_serve

PAGE_NAME = "app_index.html"
"""The template textual-serve renders for a browser (`Server.handle_index`)."""

_FOREIGN_LINK = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>\s*""", re.I)
"""A `<link>` (stylesheet, font, preconnect) to another host: absolute or scheme-relative."""


def shipped_page() -> Path:
    """The page template of the installed textual-serve."""
    return Path(textual_serve.__file__).parent / "templates" / PAGE_NAME


def local_page(page: str) -> str:
    """`page` without its links to other hosts."""
    return _FOREIGN_LINK.sub("", page)


def write_templates(folder: Path) -> Path:
    """Write the served page into `folder` (the server's `templates_path`) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PAGE_NAME).write_text(
        local_page(shipped_page().read_text(encoding="utf-8")), encoding="utf-8"
    )
    return folder
