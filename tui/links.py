"""A post's link: copied to the clipboard (OSC 52), or opened in a browser when there is one.

Every toast names what happened, literally: "Copied link …", "Opening …", or that no
browser was found (then the link is copied instead, so the reader can paste it).
"""

from __future__ import annotations

import webbrowser
from pathlib import PurePath
from typing import Any

from tui.safe_text import clean, shorten

CONSOLE_BROWSERS = frozenset({"www-browser", "lynx", "w3m", "links", "elinks", "browsh"})
"""Text browsers Python falls back to without a display: they would draw over the monitor
in the same terminal, so for the monitor they do not count as a browser."""


def browser_available() -> bool:
    """Whether `webbrowser` would start a browser that does not take over this terminal."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if type(browser) is webbrowser.GenericBrowser:
        command = getattr(browser, "name", "") or ""
        return PurePath(command.split()[0] if command.split() else "").name not in CONSOLE_BROWSERS
    return True


def copy_link(app: Any, url: str, mention_id: str, *, why: str = "") -> None:
    """Copy the link (or the id of a mention without one) and say so in a toast."""
    if url:
        app.copy_to_clipboard(url)
        what = f"link {shorten(clean(url, one_line=True), 80)}"
    else:
        app.copy_to_clipboard(mention_id)
        what = f"id {clean(mention_id, one_line=True)} (it has no link)"
    app.notify(f"{why}Copied {what}", markup=False)


def open_in_browser(app: Any, url: str, mention_id: str = "") -> None:
    """Open `url` in the reader's browser; a slow browser start never freezes the screen.

    Served in a web browser (textual-serve), the viewer's own browser opens it. Without
    a browser, the link is copied and the toast says so instead of "Opening …".
    """
    if not url.startswith(("http://", "https://")):
        app.notify(f"Not a web link: {clean(url, one_line=True)}", markup=False)
        return
    shown = shorten(clean(url, one_line=True), 80)
    if getattr(app, "is_web", False):
        app.open_url(url)
        app.notify(f"Opening {shown}", markup=False)
        return
    if not browser_available():
        copy_link(app, url, mention_id, why="No browser found, so nothing opened. ")
        return

    def run() -> None:
        if not webbrowser.open(url):
            app.call_from_thread(copy_link, app, url, mention_id, why="The browser did not start. ")

    app.run_worker(run, thread=True, exit_on_error=False, group="browser")
    app.notify(f"Opening {shown}", markup=False)
