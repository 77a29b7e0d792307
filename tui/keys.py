"""The monitor's keys: the help list, the command palette entries, the filter error text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from textual.app import App, SystemCommand
from textual.binding import Binding

from filters.query_caret import caret_lines
from tui.dialogs import KeyHelp
from tui.gateway import QueryError


def describe_query_error(text: str, exc: QueryError, width: int = 0) -> str:
    """The filter error shown under the bar: the message, the query, a caret at the spot.

    The query and the caret lines are indented by 2 and never wrap: a query wider than
    `width` cells (0: no limit) shows the part around the mistake, cut with `…`, so the
    caret stays right under it (`filters.query_caret`, as a config error shows it).
    """
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        shown, caret = caret_lines(text, position, width - 2 if width > 0 else 0, cell_len)
        return f"✗ {exc}\n  {shown}\n  {caret}"
    return f"✗ {exc}"


def help_keys(app_bindings: Iterable[Any]) -> Iterable[KeyHelp]:
    """Every key, grouped by where it works (from the bindings themselves)."""
    from tui.detail import DetailScreen as Detail
    from tui.views import AmbassadorsScreen

    def keys(where: str, bindings: Iterable[Any]) -> Iterable[KeyHelp]:
        for binding in bindings:
            if isinstance(binding, Binding):
                # A footer label is kept short; the tooltip, where there is one, says more.
                what = binding.tooltip or binding.description or binding.action
                yield KeyHelp(_key_name(binding.key), what, where)

    yield from keys("Feed", app_bindings)
    yield KeyHelp(
        "j/k, up/down, pgup/pgdn", "move in the feed (older rows load at the bottom)", "Feed"
    )
    yield KeyHelp("g / home", "go to the newest row (the feed follows new posts there)", "Feed")
    yield KeyHelp("G / end", "go to the oldest row loaded", "Feed")
    yield KeyHelp("tab", "move between topics, filter and feed", "Feed")
    yield KeyHelp("enter (topics)", "filter the feed to the topic", "Feed")
    yield KeyHelp("ctrl+s (filter)", "save the filter as a view (v lists the views)", "Feed")
    yield KeyHelp("ctrl+p", "command palette", "Feed")
    yield from keys("Detail", Detail.BINDINGS)
    thread = "Thread, account page, text block"
    yield KeyHelp("j/k, up/down", "move between posts, authors and text-block badges", thread)
    yield KeyHelp("g/G, home/end", "go to the first / last row", thread)
    yield KeyHelp(
        "enter", "open the post, the author's profile, or every reply sharing the text", thread
    )
    yield KeyHelp("escape", "back one step (to where you were)", thread)
    status = "Status line and filter line"
    yield KeyHelp("● LIVE", "sources are polled; new posts join the feed", status)
    yield KeyHelp(
        "⏸ PAUSED 3 new waiting", "space paused the feed; 3 posts wait to be shown", status
    )
    yield KeyHelp("○ OFFLINE", "browsing the store: nothing is polled, no Pause", status)
    yield KeyHelp(
        "● LIVE collected by another process",
        "a monitor with --offline polls nothing (it keeps your read and starred marks);"
        " another process collects and new posts join the feed",
        status,
    )
    yield KeyHelp(
        "● LIVE read-only viewer",
        "a browser of `app.py serve` (a monitor with --read-only): it polls and writes"
        " nothing, not even marks; another process collects and new posts join the feed",
        status,
    )
    yield KeyHelp(
        "■ REPLAY FINISHED", "the demo replay played to its end: nothing more arrives", status
    )
    yield KeyHelp("■ STOPPED", "every source stopped for good (see their errors in s)", status)
    yield KeyHelp(
        "⏸ PAUSED 3 new waiting · ■ replay finished",
        "paused when the replay ended (· ■ stopped: every source stopped): space still shows"
        " the 3 posts",
        status,
    )
    yield KeyHelp("demo replay", "the bundled demo is playing into its own store", status)
    yield KeyHelp("200 loaded", "rows in the table now (older ones load at the bottom)", status)
    yield KeyHelp(
        "name ✓ 14:02 +5",
        "a source is fine: its last good poll was at 14:02 and brought 5 new posts (+0: none)",
        status,
    )
    yield KeyHelp("name ✗ why", "a source's last poll failed, and why", status)
    yield KeyHelp("name paused until", "a source waits (rate limit) until that time", status)
    yield KeyHelp("name ■ finished", "a replay source delivered everything it has", status)
    yield KeyHelp(
        "searching…", "a new filter is being read; the rows are still the old ones", status
    )
    yield KeyHelp(
        "· 37 matches",
        "how many mentions the filter matches (more than 10,000: not counted)",
        status,
    )
    yield KeyHelp(
        "▲ 3 new above", "posts arrived above the cursor; g or Home goes to the newest", status
    )
    yield KeyHelp("AMB PAR OFF PRS", "author role: ambassador, parody, official, press", status)
    yield KeyHelp(
        "• (before X ≋)", "not read yet: read after a second in the reading pane or enter", status
    )
    yield KeyHelp("★ (before X ≋)", "starred for later (* stars, is:starred lists them)", status)
    yield KeyHelp("37 unread", "mentions in the store not read yet (is:unread lists them)", status)
    lists = "Lists (saved views, alerts, ambassadors, parody, sources)"
    yield KeyHelp("j/k, up/down, pgup/pgdn", "move in the list; the panel shows the row", lists)
    yield KeyHelp("g/G, home/end", "go to the first / last row", lists)
    yield from keys(lists, AmbassadorsScreen.BINDINGS)
    yield KeyHelp(
        "d (saved views)",
        "delete the saved view (asks first; its entry leaves the config file)",
        lists,
    )
    sources = "Sources view (s)"
    yield KeyHelp("ok", "the last poll worked", sources)
    yield KeyHelp("error", "the last poll failed (Last error says why)", sources)
    yield KeyHelp("paused / waiting", "rate-limited until a time / not polled yet", sources)
    yield KeyHelp("finished", "a replay that delivered everything it has", sources)
    yield KeyHelp("stored", "mentions only imported: nothing polls this source here", sources)
    yield KeyHelp(
        "Delivered by", "the polled source that brings this one's mentions (the demo)", sources
    )


def _key_name(key: str) -> str:
    names = {
        "slash": "/",
        "question_mark": "?",
        "exclamation_mark": "!",
        "asterisk": "*",
        "space": "space",
        "escape,q": "escape / q",
    }
    return names.get(key, key)


def binding_commands(app: App[Any], bindings: Iterable[Any]) -> Iterable[SystemCommand]:
    """A command palette entry for every bound action (except quit: the palette has it)."""
    for binding in bindings:
        if isinstance(binding, Binding) and binding.action != "quit":
            yield SystemCommand(
                binding.description or binding.action,
                f"{binding.description} ({_key_name(binding.key)})",
                lambda action=binding.action: app.run_action(action),
            )
