"""The keys every list of rows shares: `j`/`k` as the arrows, `g`/`G` as home/end.

The feed, the saved views, the alerts, the ambassadors, parody accounts and sources all
move the same way (the thread walk binds the same keys on its rows), so a reader learns
them once. `pgup`/`pgdn` come with DataTable itself.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class ListTable(DataTable[Any]):
    """A DataTable that moves with the reader's keys as well as the arrows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g,home", "scroll_top", "First", show=False),
        Binding("G,end", "scroll_bottom", "Last", show=False),
    ]
