"""Every reply sharing one text block: the near-duplicate replies of several ambassadors.

Opened from a text-block badge in a thread. Each reply is two rows, its author (enter:
the ambassador's signals) and its text (enter: the post with its thread), so a reader
sees the same wording across accounts and can follow any copy to where it was posted.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import Worker, WorkerState

from sources.model.config import Config
from sources.model.counted import counted
from sources.model.handles import platform_of, shown_author
from tui import gateway
from tui.fitted_footer import FittedFooter
from tui.gateway import PostAuthor, TextBlockReplies
from tui.over_feed import OverFeedScreen
from tui.safe_text import clean, shown_name
from tui.thread_rows import AUTHOR, POST, WalkRow, author_content, open_row, when


class TextBlockScreen(OverFeedScreen):
    """The replies of one text block, oldest first."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]
    DEFAULT_CSS = """
    TextBlockScreen VerticalScroll { padding: 0 1; }
    TextBlockScreen .block-author { margin-top: 1; }
    TextBlockScreen .block-text { padding-left: 3; }
    """

    class Loaded(Message):
        def __init__(self, block: TextBlockReplies | None) -> None:
            super().__init__()
            self.block = block

    def __init__(
        self, db_path: Path, reply_id: str, now: datetime, config: Config | None = None
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.reply_id = reply_id
        self.now = now
        self.config = config or Config()
        self.block: TextBlockReplies | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="block-body"):
            yield Static(Content("Loading the text block…"))
        yield FittedFooter()

    def on_mount(self) -> None:
        self.title = "Text block"
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="text-block")
    def load(self) -> None:
        self.post_message(
            self.Loaded(gateway.read_text_block(self.db_path, self.config, self.reply_id))
        )

    @on(Worker.StateChanged)
    async def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            await self._show([Static(Content(f"Cannot read the text block: {event.worker.error}"))])

    @on(Loaded)
    async def loaded(self, message: Loaded) -> None:
        block = self.block = message.block
        if block is None:
            await self._show(
                [Static(Content(f"{self.reply_id} shares its text with no other account (now)."))]
            )
            return
        self.title = f"Text block #{block.number}"
        platform = platform_of(self.reply_id)
        accounts = ", ".join(shown_name(shown_author(h, platform)) for h in block.accounts)
        replies = len(block.replies)
        widgets: list[Static] = [
            Static(
                Content(
                    f"Text block #{block.number}: {counted(replies, 'reply', 'replies')} "
                    f"by {len(block.accounts)} accounts ({accounts}), oldest first.\n"
                    "Near-duplicate wording across ambassador accounts (pre-approved text)."
                ),
                id="block-summary",
            )
        ]
        for reply in block.replies:
            current = " -current" if reply.id == self.reply_id else ""
            author = PostAuthor(reply.author_key, reply.handle, "ambassador")
            stamp = when(reply.created_at, self.now, self.app)
            widgets.append(
                WalkRow(
                    author_content(
                        "",
                        author,
                        reply.handle,
                        "",
                        reply.id,
                        stamp + (" · the reply you came from" if current else ""),
                    ),
                    kind=AUTHOR,
                    mention_id=reply.id,
                    author=author,
                    classes=f"block-author{current}",
                )
            )
            widgets.append(
                WalkRow(
                    Content(clean(reply.text)),
                    kind=POST,
                    mention_id=reply.id,
                    classes=f"block-text{current}",
                )
            )
        await self._show(widgets)
        # On the reply the reader came from, so they see where it sits among the copies.
        rows = list(self.query(WalkRow).results(WalkRow))
        came_from = next((r for r in rows if r.has_class("-current")), None)
        if came_from is not None:
            self.set_focus(came_from)
        elif rows:
            self.set_focus(rows[0], scroll_visible=False)

    @on(WalkRow.Chosen)
    def row_chosen(self, message: WalkRow.Chosen) -> None:
        message.stop()
        open_row(self, message.row, db_path=self.db_path, config=self.config, now=self.now)

    async def _show(self, widgets: list[Static]) -> None:
        body = self.query_one("#block-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(widgets)
