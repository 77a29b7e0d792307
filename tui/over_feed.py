"""The base of the screens opened over the feed (a post, its thread, an account, a list).

The app's keys work on every screen, and Textual's footer shows them all after the
screen's own: at 120 columns that cut the last ones off. `space` (pause the feed), `t`
(the topic panel's window) and `e` (export the feed's filter) act on the feed, which these
screens cover along with its status line: they still work here, and `?` lists them, but
the footer leaves their room to the screen's own keys.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen


class OverFeedScreen(Screen[None]):
    """A screen over the feed whose footer names its own keys first (see the module)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # One key, two actions, as in the app: the one that applies runs.
        Binding("space", "app.pause", "Pause", show=False),
        Binding("space", "app.resume", "Resume", show=False),
        Binding("t", "app.next_window", "1h/24h/7d", show=False),
        Binding("e", "app.export", "Export", show=False),
    ]
