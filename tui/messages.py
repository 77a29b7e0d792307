"""Messages the monitor's workers send back to the screen: each names one fact, past tense.

They carry plain immutable data (rows as dicts read in the worker, ids, reports); no
widget ever crosses a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.message import Message

from sources.model.records import SourceState
from tui.gateway import Alert, CountsEnd, PollReport, TopicCount


class MentionsStored(Message):
    """Mentions were stored (by a source poll, or by anyone who tells the app).

    `updated_ids`: mentions stored before that changed (a later capture of a post, one
    more feed for an article, new topics), so rows already shown are read again.
    """

    def __init__(
        self,
        new_ids: list[str] | tuple[str, ...],
        updated_ids: list[str] | tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.new_ids = tuple(new_ids)
        self.updated_ids = tuple(updated_ids)


class ManyStored(Message):
    """More mentions were stored by another process than are merged one by one (an
    import): how many, less those already reported. Their ids were not read."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count


class FeedPageLoaded(Message):
    """A page of the feed was read: the first page of a filter, or an older one."""

    def __init__(
        self,
        rows: list[dict[str, Any]],
        *,
        generation: int,
        older: bool,
        limit: int,
        below: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.generation = generation
        self.older = older
        self.limit = limit
        self.below = below
        """The (created_at, id) an older page was read below."""


class ArrivalsLoaded(Message):
    """The rows of new arrivals that match the active filter were read.

    `ambassador_posted`: an ambassador wrote one of the arrivals (shown or not), so the
    badges of ambassador rows may have changed.
    """

    def __init__(
        self,
        rows: list[dict[str, Any]],
        *,
        generation: int,
        ambassador_posted: bool = False,
        changed: list[dict[str, Any]] | None = None,
        unshown_above: int | None = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.generation = generation
        self.ambassador_posted = ambassador_posted
        self.changed = changed or []
        """The current rows of mentions already shown that were updated."""
        self.unshown_above = unshown_above
        """For a feed behind the store (`FeedTable.top_behind`), instead of `rows`: how many
        selected mentions newer than the reader's row it does not show."""


class BadgesLoaded(Message):
    """The badges of ambassador replies in the feed were read (after their rows).

    Every id listed gets exactly these badges (an empty tuple clears them). `refresh`:
    read again because an ambassador posted; `problem`: why none could be read (a bad
    `[signals]` setting), else None.
    """

    def __init__(
        self,
        badges: dict[str, tuple[str, ...]],
        *,
        refresh: bool = False,
        problem: str | None = None,
    ) -> None:
        super().__init__()
        self.badges = badges
        self.refresh = refresh
        self.problem = problem


class TopicCountsLoaded(Message):
    def __init__(
        self,
        counts: list[TopicCount],
        window: str,
        rare_topics: frozenset[str] = frozenset(),
        end: CountsEnd | None = None,
    ) -> None:
        super().__init__()
        self.counts = counts
        self.window = window
        self.rare_topics = rare_topics
        """Topics with few mentions in the whole store (`cache.read.search.rare_topics`)."""
        self.end = end
        """Where the window ended: the clock or the newest stored post."""


class SourceStatesLoaded(Message):
    def __init__(self, states: list[SourceState]) -> None:
        super().__init__()
        self.states = states


class SourcePolled(Message):
    """One poll of one source finished (its report, as the sources' schedule handed it on)."""

    def __init__(self, report: PollReport) -> None:
        super().__init__()
        self.report = report

    @property
    def name(self) -> str:
        return self.report.name


class SourcesEnded(Message):
    """The sources' schedule ended by itself: every source stopped for good."""


class PollingFailed(Message):
    """The sources' schedule itself crashed (not one poll): nothing is polled any more."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ExportWritten(Message):
    def __init__(self, path: Path, rows: int) -> None:
        super().__init__()
        self.path = path
        self.rows = rows


class ExportFailed(Message):
    """An export was not written: why, in a sentence for the reader (`tui.write_failures`)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class AlertRaised(Message):
    """A spike alert was raised (by the watcher, in a poll thread)."""

    def __init__(self, alert: Alert) -> None:
        super().__init__()
        self.alert = alert


class MatchesCounted(Message):
    """The feed's selection was counted (`text`: "37", "more than 10,000")."""

    def __init__(self, text: str, *, generation: int) -> None:
        super().__init__()
        self.text = text
        self.generation = generation
