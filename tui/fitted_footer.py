"""The footer every screen shows, fitted to a terminal narrower than the one it was laid out for.

At 80 columns Textual's footer, with its padding and the command palette's key on the
right, cut the monitor's keys off in the middle of a word (`p Par`). Below `ROOMY_WIDTH`
this footer drops the padding and the palette's key (`ctrl+p` still opens the palette),
and leaves out whole keys from the right until the rest fit. A screen's own keys come
first and `?` lists every key, so what goes is the app's keys that `?` still shows.

Textual's footer rebuilds its keys whenever the app asks to refresh its bindings, which
the monitor does after every poll and page, and each key it removes stays referenced by
the footer (a watcher of its `compact`): a monitor left open grew by megabytes an hour.
This footer rebuilds only when the keys it would show differ, and lets go of the old ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

# Textual exports the footer but not its keys, which this footer measures.
from textual.widgets._footer import FooterKey

# Every screen's full footer, padded and with the palette's key, fits from here up.
ROOMY_WIDTH = 120


class FittedFooter(Footer):
    """Textual's footer, tightened and cut at whole keys below `ROOMY_WIDTH` (see the module)."""

    _shown: object = None
    """What the keys on show were composed from (`_what_to_show`)."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < ROOMY_WIDTH
        crossed = narrow != self.compact
        self.compact = narrow
        self.show_command_palette = not narrow
        # Below ROOMY_WIDTH the keys that fit change with every column, not only on crossing.
        if crossed or narrow:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        wanted = self._what_to_show()
        if wanted == self._shown and self.children:
            return  # the same keys again: nothing to rebuild, nothing left behind
        self._shown = wanted
        await super().recompose()
        # The keys just removed are still listed as watchers of `compact` (Textual's data
        # binding), which holds them in memory; a forced update drops the closed ones.
        self.mutate_reactive(Footer.compact)

    def _what_to_show(self) -> object:
        """Everything the keys composed depend on: the screen's keys and how they fit."""
        if not self._bindings_ready or not self.is_attached:
            return None
        keys = tuple(
            (key, b.key, b.action, b.description, b.show, b.group, enabled, tooltip)
            for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
        )
        width = self.size.width if self.compact else None
        return (keys, self.compact, self.show_command_palette, width)

    def compose(self) -> ComposeResult:
        composed = list(super().compose())
        if not self.compact:
            yield from composed
            return
        yield from _whole_keys_that_fit(composed, self.size.width)


def _whole_keys_that_fit(widgets: Iterable[Widget], width: int) -> list[Widget]:
    """The footer's widgets from the left, up to the last key that fits whole in `width`."""
    kept: list[Widget] = []
    room = width
    for widget in widgets:
        needed = _compact_width(widget) + 1  # one column of gap after each
        if needed > room:
            break
        room -= needed
        kept.append(widget)
    return kept


def _compact_width(widget: Widget) -> int:
    """Columns a compact footer widget takes: a key is its key, a space, its description."""
    if isinstance(widget, FooterKey):
        return len(widget.key_display) + 1 + len(widget.description)
    return widget.size.width
