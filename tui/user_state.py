"""The state a reader keeps in the monitor: read marks, stars, the unread count.

A post counts as read once the reader moved to it and it stayed in the reading pane
for `READ_AFTER_SECONDS` (as mail readers with a preview pane do), or was opened with
`enter`; `m` toggles read by hand, `*` stars for later. The screen changes at once; the
store is written in a worker (`tui.gateway.save_marks`). A store that cannot be written
is said in a toast and the marks go back to what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer

from tui import gateway
from tui.safe_text import clean

READ_AFTER_SECONDS = 1.0
"""How long a post stays in the reading pane before it counts as read (scrolling past
with j/k does not mark every row on the way)."""


class MarksSaved(Message):
    """Marks were written to the store, or could not be (`problem` says why)."""

    def __init__(
        self,
        ids: tuple[str, ...],
        *,
        read: bool | None,
        starred: bool | None,
        problem: str | None,
        by_hand: bool,
    ) -> None:
        super().__init__()
        self.ids = ids
        self.read = read
        self.starred = starred
        self.problem = problem
        self.by_hand = by_hand


class UnreadCounted(Message):
    """The store's unread mentions were counted (`37`, `more than 10,000`)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ReaderMarks:
    """Marks for the monitor's feed: keys, the dwell timer, the writes and their results."""

    def __init__(
        self, app: Any, db_path: Path, clock: Callable[[], datetime], *, writable: bool = True
    ) -> None:
        self.app = app
        self.db_path = db_path
        self.clock = clock
        self.read_after = READ_AFTER_SECONDS
        self.not_saved: str | None = None if writable else "the monitor was opened read-only"
        """Why marks cannot be stored (then posts are no longer marked read on sight)."""
        self._dwell: Timer | None = None

    # --- what the keys do -------------------------------------------------------------

    def toggle_read(self) -> None:
        row = self._current_row()
        if row is not None:
            self._change((row.id,), read=not row.read, by_hand=True)

    def toggle_star(self) -> None:
        row = self._current_row()
        if row is not None:
            self._change((row.id,), starred=not row.starred, by_hand=True)

    def viewing(self, mention_id: str) -> None:
        """The post is in the reading pane: read once it stays there a moment, if the
        reader went to it (a post the cursor sits on only because it arrived at the top
        while the reader follows the newest, or at start, is not taken as read)."""
        if self._dwell is not None:
            self._dwell.stop()
        if self.app.feed.auto_selected == mention_id:
            return
        self._dwell = self.app.set_timer(self.read_after, lambda: self._dwelt(mention_id))

    def opened(self, mention_id: str) -> None:
        """The post was opened in full (`enter`): read now."""
        self._mark_read_on_sight(mention_id)

    def _dwelt(self, mention_id: str) -> None:
        try:
            current = self.app.feed.current_id
        except NoMatches:  # the app is closing: its widgets are gone
            return
        if current == mention_id and self.app.feed.auto_selected != mention_id:
            self._mark_read_on_sight(mention_id)

    def _mark_read_on_sight(self, mention_id: str) -> None:
        row = self.app.feed.known.get(mention_id)
        if row is not None and not row.read and self.not_saved is None:
            self._change((mention_id,), read=True, by_hand=False)

    def _current_row(self) -> Any:
        mention_id = self.app.post_in_view()
        return None if mention_id is None else self.app.feed.known.get(mention_id)

    # --- writing -----------------------------------------------------------------------

    def _change(
        self,
        ids: tuple[str, ...],
        *,
        read: bool | None = None,
        starred: bool | None = None,
        by_hand: bool,
    ) -> None:
        if self.not_saved is not None and by_hand:
            self._say_not_saved(self.not_saved)
            return
        self._show(ids, read=read, starred=starred)
        db_path, now = self.db_path, self.clock()

        def write() -> None:
            problem = gateway.save_marks(db_path, ids, now, read=read, starred=starred)
            self.app.post_message(
                MarksSaved(ids, read=read, starred=starred, problem=problem, by_hand=by_hand)
            )

        self.app.run_worker(
            write, thread=True, exit_on_error=False, group="marks", description="marks"
        )

    def saved(self, message: MarksSaved) -> None:
        """The write came back: count again, or undo what the screen showed and say why."""
        if message.problem is None:
            if message.by_hand and message.starred is not None:
                word = "Starred" if message.starred else "Unstarred"
                self.app.notify(f"{word} (is:starred lists the starred posts)", markup=False)
            self.count_unread()
            return
        back_read = None if message.read is None else not message.read
        back_star = None if message.starred is None else not message.starred
        self._show(message.ids, read=back_read, starred=back_star)
        first_failure = self.not_saved is None
        self.not_saved = message.problem
        if message.by_hand or first_failure:
            self._say_not_saved(message.problem)

    def _say_not_saved(self, why: str) -> None:
        self.app.notify(
            f"Marks are not saved: {clean(why, one_line=True)}",
            severity="warning",
            markup=False,
        )

    def _show(self, ids: tuple[str, ...], *, read: bool | None, starred: bool | None) -> None:
        feed = self.app.feed
        for mention_id in ids:
            row = feed.known.get(mention_id)
            if row is None:
                continue
            feed.show_marks(
                mention_id,
                read=row.read if read is None else read,
                starred=row.starred if starred is None else starred,
            )

    # --- the unread count --------------------------------------------------------------

    def count_unread(self) -> None:
        """Count the unread mentions again (in a worker; a newer count cancels an older)."""

        def count() -> None:
            with self.app.open_store() as store:
                text = gateway.unread_text(store)
            self.app.post_message(UnreadCounted(text))

        self.app.run_worker(
            count,
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="unread",
            description="unread",
        )
