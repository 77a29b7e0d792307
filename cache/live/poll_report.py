"""What one poll of one source did: the typed report the scheduler hands on.

`collect` logs it (`describe_report`, `describe_warning`), the monitor shows it (status
line, toasts). It is plain immutable data, so it may cross from a poll thread to the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sources.model.text import format_timestamp


@dataclass(frozen=True)
class PollReport:
    """How one poll of one source went (also handed to listeners after each page)."""

    name: str
    new: int = 0
    updated: int = 0
    took_s: float = 0.0
    next_poll_at: datetime | None = None
    """None while the poll runs (listeners) and when the source stopped for good."""
    error: str | None = None
    warnings: tuple[str, ...] = ()
    verbose: tuple[str, ...] = ()
    """Items skipped that `collect` lists at `-v` only: ones the source may have named in
    an earlier poll (a feed names each skipped item once, in `warnings`)."""
    new_ids: tuple[str, ...] = ()
    updated_ids: tuple[str, ...] = ()
    """Mentions stored before whose payload, sources or classification changed."""
    stopped: bool = False
    """True when retrying cannot help (bad token, feed gone): the source is not re-armed."""
    skipped: int = 0
    finished: bool = False
    """True when the source has delivered everything it ever will (the demo replay at its
    end): it is still polled, rarely, but nothing more is coming."""

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_report(report: PollReport) -> str:
    """The one log line per poll: source, new, updated, took, next poll."""
    when = format_timestamp(report.next_poll_at) if report.next_poll_at else "never (stopped)"
    head = f"{report.name}: {report.new} new, {report.updated} updated, took {report.took_s:.2f}s"
    if report.error:
        return f"{head}, FAILED: {report.error}; next poll {when}"
    return f"{head}, next poll {when}"


def describe_warning(report: PollReport, warning: str) -> str:
    """The log line of one warning of a poll, naming its source once.

    Most sources begin a warning with their name already (`Lager forum: malformed feed`,
    as the same parser writes it for `import`, where the name says which file); the
    others are named here."""
    if warning.startswith((f"{report.name}:", f"skipped {report.name}:")):
        return warning
    return f"{report.name}: {warning}"
