"""Push the screen a thread-walk row points at: a post, an author's page, a text block.

The walk's screens ask for it with `OpenRow` (tui/thread_rows.py); the app answers here,
the one module that knows every screen a row can open.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from tui.account_view import AccountScreen
from tui.ambassador_detail import AmbassadorDetailScreen
from tui.detail import DetailScreen
from tui.text_block_view import TextBlockScreen
from tui.thread_rows import AUTHOR, BLOCK, POST, OpenRow


def push_row_screen(app: App[Any], message: OpenRow) -> None:
    """Open what the row of `message` points at (escape comes back to the walk)."""
    row, db_path, config, now = message.row, message.db_path, message.config, message.now
    if row.kind == POST and row.mention_id:
        app.push_screen(DetailScreen(db_path, row.mention_id, now, config))
    elif row.kind == BLOCK and row.mention_id:
        app.push_screen(TextBlockScreen(db_path, row.mention_id, now, config))
    elif row.kind == AUTHOR:
        author = row.author
        if author is None or not author.key:
            app.notify(
                "No profile is stored for this author (a feed's author is a name, not an account).",
                markup=False,
            )
        elif author.role == "ambassador":
            app.push_screen(
                AmbassadorDetailScreen(db_path, author.key, config=config, clock=lambda: now)
            )
        else:
            app.push_screen(AccountScreen(db_path, author.key, now, config))
