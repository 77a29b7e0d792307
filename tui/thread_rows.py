"""Rows a reader can walk: a post, its author, or a text block, in a thread or a profile.

Each row is a focusable `Static` that draws its untrusted text as `Content` (never
markup). `j`/`k` (or the arrows) move between the rows of a screen, `enter` opens what
the row points at: the post (the detail screen with its thread), the author's profile
(the ambassador's signals, or the account page of a parody or other account), or the
list of every reply sharing a text block. `escape` goes back, one step at a time.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from sources.model.config import Config
from sources.model.handles import platform_of, shown_author
from tui import timefmt
from tui.gateway import PostAuthor
from tui.safe_text import clean, shown_name

POST, AUTHOR, BLOCK = "post", "author", "block"


class WalkRow(Static):
    """One row of a thread or profile that `enter` opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Open"),
        Binding("down,j", "step(1)", "Next", show=False),
        Binding("up,k", "step(-1)", "Previous", show=False),
        Binding("home,g", "step(-100000)", "First", show=False),
        Binding("end,G", "step(100000)", "Last", show=False),
    ]
    DEFAULT_CSS = """
    WalkRow { padding: 0 1; }
    WalkRow:focus { background: $accent 25%; }
    WalkRow.-current { border-left: thick $accent; }
    """

    class Chosen(Message):
        """The reader pressed enter (or clicked) on a row."""

        def __init__(self, row: WalkRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        content: Content,
        *,
        kind: str,
        mention_id: str = "",
        author: PostAuthor | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(content, **kwargs)
        self.kind = kind
        self.mention_id = mention_id
        self.author = author
        # An author with no stored account (an X post that came with only its id and
        # text) has no profile to open: the row is shown, but is no way in.
        self.can_focus = kind != AUTHOR or has_profile(author)

    def action_choose(self) -> None:
        if self.can_focus:
            self.post_message(self.Chosen(self))

    def action_step(self, step: int) -> None:
        walk(self.screen, step)

    def on_click(self, event: Click) -> None:
        # A click picks the row (as j/k would), a double click opens it (as enter would).
        if event.chain >= 2:
            self.action_choose()
        else:
            self.screen.set_focus(self, scroll_visible=False)


def has_profile(author: PostAuthor | None) -> bool:
    """Whether enter on the author can open a page: only an author with an account key."""
    return author is not None and bool(author.key)


def walk_rows(screen: Screen[Any]) -> list[WalkRow]:
    """The rows of `screen` a reader can move to, top to bottom."""
    return [row for row in screen.query(WalkRow).results(WalkRow) if row.focusable]


def walk(screen: Screen[Any], step: int) -> None:
    """Move the focus `step` rows down (up when negative), stopping at either end."""
    rows = walk_rows(screen)
    if not rows:
        return
    current = screen.focused
    index = rows.index(current) if isinstance(current, WalkRow) and current in rows else -1
    target = max(0, min(len(rows) - 1, index + step if index >= 0 else 0))
    # At once, not `focus()` (which waits for the next idle): keys that arrive together
    # each start from the row the previous one moved to.
    screen.set_focus(rows[target])


def display_tz(app: Any) -> tzinfo | None:
    """The zone the monitor shows times in (its `--tz`), or the computer's."""
    return getattr(getattr(app, "options", None), "tz", None)


def author_content(
    prefix: str, author: PostAuthor | None, handle: str, name: str, mention_id: str, when: str
) -> Content:
    """`↳ after 12 min · @handle Name · ambassador · 08:12` as literal text."""
    shown = shown_name(shown_author(handle, platform_of(mention_id)) or "?")
    role = (author.role if author else "") or "public"
    return Content.from_markup(
        "$prefix[b]$handle[/b]$name [dim]· $role · $when[/dim]",
        prefix=prefix,
        handle=shown,
        name=f" {shown_name(name)}" if shown_name(name) else "",
        role=clean(role, one_line=True),
        when=when,
    )


class OpenRow(Message):
    """Open what a walk row points at, on top of the screen that showed it.

    The screens of a walk (the post, an account, a text block) open one another; asking
    the app to push the next one (tui/row_opener.py) keeps them from importing each other.
    """

    def __init__(self, row: WalkRow, db_path: Path, config: Config, now: datetime) -> None:
        super().__init__()
        self.row, self.db_path, self.config, self.now = row, db_path, config, now


def open_row(
    screen: Screen[Any], row: WalkRow, *, db_path: Path, config: Config, now: datetime
) -> None:
    """Open what `row` points at on top of `screen` (escape comes back here)."""
    screen.post_message(OpenRow(row, db_path, config, now))


def when(value: object, now: datetime, app: Any) -> str:
    """A time as every view writes it (`tui.timefmt.when` in the monitor's zone)."""
    return timefmt.when(value, now, display_tz(app))
