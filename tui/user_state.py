"""The state a reader keeps in the monitor: read marks, stars, the unread count.

A post counts as read once the reader moved to it and it stayed in the reading pane
for `READ_AFTER_SECONDS` (as mail readers with a preview pane do), or was opened with
`enter`; `m` toggles read by hand, `*` stars for later. The screen changes at once; the
store is written in a worker (`tui.gateway.save_marks`), one change after another in the
order the reader made them. A store that cannot be written is said in a toast and the
marks go back to what is stored.

While a collector writes the same store, a mark may wait for its turn to be written, and
a page of the feed read meanwhile still holds the mark as it was: rows read from the
store show the marks set here instead (`ReaderMarks.over`), so no reload undoes them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from tui import gateway
from tui.safe_text import clean

READ_AFTER_SECONDS = 1.0
"""How long a post stays in the reading pane before it counts as read (scrolling past
with j/k does not mark every row on the way)."""


@dataclass(frozen=True)
class MarksChange:
    """Marks the reader set, to be written (None leaves that mark as it is)."""

    ids: tuple[str, ...]
    read: bool | None
    starred: bool | None
    by_hand: bool
    at: datetime


class MarksSaved(Message):
    """Marks were written to the store, or could not be (`problem` says why)."""

    def __init__(
        self,
        ids: tuple[str, ...],
        *,
        read: bool | None,
        starred: bool | None,
        problem: gateway.MarksNotSaved | None,
        by_hand: bool,
    ) -> None:
        super().__init__()
        self.ids = ids
        self.read = read
        self.starred = starred
        self.problem = problem
        self.by_hand = by_hand


class UnreadCounted(Message):
    """The store's unread mentions were counted (`37`, `more than 10,000`), and with them
    (`total`, or None) all its mentions, for the filter line of the feed's `generation`."""

    def __init__(self, text: str, *, total: str | None = None, generation: int = 0) -> None:
        super().__init__()
        self.text = text
        self.total = total
        self.generation = generation


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
        self.set_here: dict[str, tuple[bool, bool]] = {}
        """(read, starred) of each post the reader marked in this monitor, as shown."""
        self._unwritten: deque[MarksChange] = deque()
        self._unwritten_lock = threading.Lock()
        self._writer_running = False

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
        with self._unwritten_lock:
            self._unwritten.append(MarksChange(ids, read, starred, by_hand, self.clock()))
            if self._writer_running:
                return  # the running writer takes it after the changes before it
            self._writer_running = True
        self.app.run_worker(
            self._write_in_order,
            thread=True,
            exit_on_error=False,
            group="marks",
            description="marks",
        )

    def _write_in_order(self) -> None:
        """Write the changes one by one, oldest first (in a worker). One writer at a time:
        a star and its undoing, each in a worker of its own, waited together for a busy
        store and the later one could be written first, the store keeping the other."""
        try:
            while True:
                with self._unwritten_lock:
                    if not self._unwritten:
                        self._writer_running = False
                        return
                    change = self._unwritten.popleft()
                problem = gateway.save_marks(
                    self.db_path, change.ids, change.at, read=change.read, starred=change.starred
                )
                self.app.post_message(
                    MarksSaved(
                        change.ids,
                        read=change.read,
                        starred=change.starred,
                        problem=problem,
                        by_hand=change.by_hand,
                    )
                )
        except BaseException:
            with self._unwritten_lock:
                self._writer_running = False  # the next change starts a writer again
            raise

    def over(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows read from the store, with the marks set here in place of theirs (changed and
        returned): a read that began before a mark was written holds it as it was."""
        for row in rows:
            mine = self.set_here.get(row["id"])
            if mine is not None:
                row["read"], row["starred"] = mine
        return rows

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
        why = message.problem.why
        if message.problem.busy:
            # Another writer held the store for the whole wait: this mark is lost, and said
            # so every time; the next ones are tried as usual.
            self._say_not_saved(why)
            return
        first_failure = self.not_saved is None
        self.not_saved = why
        if message.by_hand or first_failure:
            self._say_not_saved(why)

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
            marks = (
                row.read if read is None else read,
                row.starred if starred is None else starred,
            )
            self.set_here[mention_id] = marks
            feed.show_marks(mention_id, read=marks[0], starred=marks[1])

    # --- the unread count --------------------------------------------------------------

    def count_unread(self) -> None:
        """Count the unread mentions again (in a worker; a newer count cancels an older),
        and the store's mentions when the filter line shows them all (`whole_store_counted`)."""
        generation = self.app.whole_store_counted()

        def count() -> None:
            with self.app.open_store() as store:
                text = gateway.unread_text(store)
                total = None
                if generation is not None:  # after the unread ones: never fewer than they
                    total = gateway.count_text(store, gateway.Selection())
            if not get_current_worker().is_cancelled:  # a newer count is on its way
                self.app.post_message(UnreadCounted(text, total=total, generation=generation or 0))

        self.app.run_worker(
            count,
            thread=True,
            exclusive=True,
            exit_on_error=False,
            group="unread",
            description="unread",
        )
