"""The bundled demo scenario as a live source: the embedded default when nothing is configured.

The scenario's files (Twitter API v2 response pages and feed documents, see
`sources/demo/`) go through the same parsers as live data, after their timestamps have
been moved forward so that the scenario ends at the moment the replay starts. Playing:

- the first poll delivers most of the scenario at once (the backfill), so counts, topics
  and ambassadors are on screen immediately;
- the last `TAIL` of scenario time then arrives item by item over about `TAIL_PLAY_SECONDS`
  at speed 1 (`speed` scales that; speed 0 delivers everything on the first poll);
- the position is kept in the source state (`cursor` = items delivered, `extra` = the time
  shift and the scenario's digest), so a restarted monitor continues where it stopped and
  never delivers an item twice; a finished replay stays finished.

The shift is `now - end`, to the second, taken when the replay starts (its first poll)
and kept in the state: the story's climax, the strike, is always "now", and a restarted
monitor goes on with the same shift. The price: weekdays and times of day move with the
moment the demo starts, so the ambassadors' weekday and office-hours figures hold exactly
only when it starts a whole number of weeks after the scenario's written end (tests pin
their clock to such a moment; see sources/demo/SCENARIO.md). Ids never move: X ids come
from the payloads and feed ids from the links, so every run stores the same mentions.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from sources.archive.social import parse_social
from sources.base import PollOutcome, PollPage
from sources.demo import DEMO_DIR
from sources.feeds.parse import parse_feed
from sources.model.feed_rules import DEMO
from sources.model.records import Account, Mention, ParsedBatch, SourceState, utc_now
from sources.model.text import format_timestamp, parse_timestamp
from sources.x.twitter_v2 import parse_response

"""Where the bundled scenario lives (inside the package, shipped in the wheel)."""
TAIL = timedelta(hours=8)
"""The last part of the scenario, played item by item instead of in the backfill."""
TAIL_PLAY_SECONDS = 240.0
"""How long the tail takes at speed 1."""
MAX_GAP_SECONDS = 3.0
"""At speed 1, no quiet stretch of the tail lasts longer than this."""
DUE_SLACK_SECONDS = 0.001
"""A tail item due this little after a poll arrives with that poll."""
FINISHED_POLL_SECONDS = 3600.0
"""How often a finished replay asks to be polled (it has nothing more to say)."""
PAGE_MENTIONS = 1000
"""Backfill items are delivered in pages of about this many mentions."""


@dataclass
class _Item:
    """One thing that arrives at one moment: a mention with its author, or a warning."""

    at: datetime
    order: int
    batch: ParsedBatch = field(default_factory=ParsedBatch)


@dataclass
class _Timeline:
    shift: timedelta
    end: datetime
    items: list[_Item]
    tail_start: int
    """Index of the first item played in the tail."""
    offsets: list[float]
    """Seconds after the tail starts at which each tail item is due (speed 1)."""


class ReplaySource:
    """Plays the bundled scenario (implements `sources.base.Source`)."""

    name = DEMO
    kind = "replay"

    def __init__(
        self,
        speed: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
        data_dir: Path | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must not be negative")
        self.speed = speed
        self.clock = clock
        self.data_dir = data_dir or DEMO_DIR
        self.manifest = json.loads((self.data_dir / "scenario.json").read_text("utf-8"))
        self._timeline: _Timeline | None = None
        self._origin: tuple[datetime, float] | None = None
        """(wall time, tail offset) at which this process began playing."""
        self._outcome = PollOutcome(next_poll_in=1.0)

    # --- the Source protocol -----------------------------------------------------------

    def poll(self, states: Mapping[str, SourceState], now: datetime) -> Iterator[PollPage]:
        stored = states.get(self.name)
        state = replace(stored) if stored else SourceState(name=self.name)
        state.kind = self.kind
        extra = _load_extra(state.extra)
        if extra.get("digest") != self.manifest["digest"]:
            # A new scenario (or none played yet): start from its beginning.
            state.cursor = None
            extra = {"digest": self.manifest["digest"]}
        if "shift_seconds" not in extra:
            extra["shift_seconds"] = scenario_shift(self.scenario_end, now).total_seconds()
        timeline = self._load(timedelta(seconds=extra["shift_seconds"]))
        position = int(state.cursor or 0)
        due_until = self._due_index(timeline, position, now)
        stamp = format_timestamp(now)
        state.last_poll_at = stamp
        state.last_success_at = stamp
        state.extra = json.dumps(extra, sort_keys=True)
        wait = self._wait(timeline, due_until, now)
        state.next_poll_at = format_timestamp(now + timedelta(seconds=wait))
        yielded = False
        while position < due_until:
            yielded = True
            page, ids = ParsedBatch(), set[str]()
            while position < due_until and len(page.mentions) < PAGE_MENTIONS:
                batch = timeline.items[position].batch
                if ids & {m.id for m in batch.mentions}:
                    # One article from a second feed: its own page, so that ingest
                    # records the second source instead of folding the two copies.
                    break
                ids.update(m.id for m in batch.mentions)
                page.extend(batch)
                position += 1
            state.cursor = str(position)
            state.items_seen = position
            state.last_new = len(page.mentions)
            yield PollPage(batch=page, states=[replace(state)])
        if not yielded:
            yield PollPage(states=[replace(state)])  # keeps the status line fresh
        # Played to the end: the monitor says "replay finished" instead of LIVE.
        finished = position >= len(timeline.items)
        self._outcome = PollOutcome(ok=True, next_poll_in=wait, finished=finished)

    def outcome(self) -> PollOutcome:
        return self._outcome

    # --- the scenario ------------------------------------------------------------------

    @property
    def scenario_end(self) -> datetime:
        end = parse_timestamp(self.manifest["end"])
        assert end is not None
        return end

    def timeline(self, now: datetime | None = None) -> list[datetime]:
        """When each item of the scenario happens (shifted for `now`), in order."""
        shift = scenario_shift(self.scenario_end, now or self.clock())
        return [item.at for item in self._load(shift).items]

    def finished(self, state: SourceState | None) -> bool:
        """Whether the replay has delivered everything (a monitor may then reset its store)."""
        if state is None or state.cursor is None:
            return False
        if _load_extra(state.extra).get("digest") != self.manifest["digest"]:
            return False
        return int(state.cursor) >= self._count()

    def _count(self) -> int:
        # How many items there are does not depend on the shift: reuse what is loaded.
        shift = self._timeline.shift if self._timeline is not None else timedelta(0)
        return len(self._load(shift).items)

    def _due_index(self, timeline: _Timeline, position: int, now: datetime) -> int:
        """How far the replay may go at `now`: the backfill at once, then the tail on time."""
        items = timeline.items
        if self.speed == 0:
            return len(items)
        start = max(position, timeline.tail_start)
        if self._origin is None:
            base = timeline.offsets[start - timeline.tail_start] if start < len(items) else 0.0
            self._origin = (now, base)
        began, base = self._origin
        # A poll at the due time may land a hair early (timestamps keep microseconds):
        # what is due within a millisecond counts as due, instead of a wasted 50 ms poll.
        elapsed = (now - began).total_seconds() * self.speed + DUE_SLACK_SECONDS
        index = start
        while (
            index < len(items) and timeline.offsets[index - timeline.tail_start] <= base + elapsed
        ):
            index += 1
        return index

    def _wait(self, timeline: _Timeline, position: int, now: datetime) -> float:
        if position >= len(timeline.items) or self._origin is None:
            return FINISHED_POLL_SECONDS
        began, base = self._origin
        due = timeline.offsets[position - timeline.tail_start] - base
        remaining = due / self.speed - (now - began).total_seconds()
        return max(0.05, remaining)

    def _load(self, shift: timedelta) -> _Timeline:
        if self._timeline is not None and self._timeline.shift == shift:
            return self._timeline
        items: list[_Item] = []
        referenced: dict[str, Mention] = {}
        primary: set[str] = set()
        for spec in self.manifest["x"]:
            path = self.data_dir / spec["file"]
            for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                payload = shift_payload(json.loads(line), shift)
                batch = parse_response(payload, spec["source"], f"demo/{spec['file']}:{number}")
                authors = {a.key: a for a in batch.accounts}
                for mention in batch.mentions:
                    if mention.referenced_only:
                        referenced.setdefault(mention.id, mention)
                        continue
                    primary.add(mention.id)
                    items.append(_item(mention, authors.get(mention.author_key), len(items)))
        for mention in referenced.values():
            if mention.id not in primary:  # a referenced post that never arrived itself
                items.append(_item(mention, None, len(items)))
        items.extend(self._feed_items(shift, len(items)))
        items.extend(self._social_items(shift, len(items)))
        items.sort(key=lambda item: (item.at, item.order))
        end = self.scenario_end + shift
        tail_start = next((i for i, item in enumerate(items) if item.at > end - TAIL), len(items))
        self._timeline = _Timeline(shift, end, items, tail_start, _tail_offsets(items[tail_start:]))
        return self._timeline

    def _social_items(self, shift: timedelta, order: int) -> list[_Item]:
        """The Bluesky and Mastodon posts (saved answers, parsed like `import` does)."""
        items: list[_Item] = []
        for spec in self.manifest.get("social", []):
            payload = shift_social(
                json.loads((self.data_dir / spec["file"]).read_text("utf-8")), shift
            )
            batch = parse_social(payload, spec["source"], f"demo/{spec['file']}")
            if batch is None:
                continue
            authors = {a.key: a for a in batch.accounts}
            for mention in batch.mentions:
                items.append(_item(mention, authors.get(mention.author_key), order + len(items)))
        return items

    def _feed_items(self, shift: timedelta, order: int) -> list[_Item]:
        items: list[_Item] = []
        for feed in self.manifest["feeds"]:
            released: set[str] = set()
            for snapshot in feed["snapshots"]:
                polled = parse_timestamp(snapshot["polled_at"])
                assert polled is not None
                polled += shift
                data = shift_feed((self.data_dir / snapshot["file"]).read_bytes(), shift)
                batch = parse_feed(data, feed["name"], seen_at=polled)
                if batch.warnings or batch.skipped:
                    notice = ParsedBatch(warnings=batch.warnings, skipped=batch.skipped)
                    items.append(_Item(polled, order + len(items), notice))
                authors = {a.key: a for a in batch.accounts}
                for mention in batch.mentions:
                    if mention.id in released:
                        continue  # the same item again in a later poll: it arrived already
                    released.add(mention.id)
                    # A dated item arrives when it was published, an undated one when a
                    # poll first found it (its time is then the poll's).
                    item = _item(mention, authors.get(mention.author_key), order + len(items))
                    item.at = min(mention.created_at, polled)
                    items.append(item)
        return items


def _item(mention: Mention, author: Account | None, order: int) -> _Item:
    return _Item(
        mention.created_at,
        order,
        ParsedBatch(mentions=[mention], accounts=[author] if author else []),
    )


def _tail_offsets(tail: list[_Item]) -> list[float]:
    """Due times of the tail at speed 1: scenario time compressed, long silences capped."""
    if not tail:
        return []
    span = (tail[-1].at - tail[0].at).total_seconds() or 1.0
    ratio = TAIL_PLAY_SECONDS / span
    offsets, total = [0.0], 0.0
    for before, after in itertools.pairwise(tail):
        gap = (after.at - before.at).total_seconds() * ratio
        total += min(gap, MAX_GAP_SECONDS)
        offsets.append(total)
    return offsets


def scenario_shift(end: datetime, now: datetime) -> timedelta:
    """What moves `end` to `now`, in whole seconds (the payloads' timestamps have no more)."""
    return now.replace(microsecond=0) - end


def _load_extra(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- moving payload timestamps (before parsing, so the parsers see ordinary data) ----------


def _shift_iso(value: Any, shift: timedelta) -> Any:
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        return value
    return format_timestamp(moment + shift).replace("Z", ".000Z")  # the API's own form


def shift_payload(payload: dict[str, Any], shift: timedelta) -> dict[str, Any]:
    """A v2 response with every `created_at` (posts and accounts) moved by `shift`."""
    includes = payload.get("includes") or {}
    for group in (
        payload.get("data") or [],
        includes.get("tweets") or [],
        includes.get("users") or [],
    ):
        for obj in group:
            if isinstance(obj, dict) and "created_at" in obj:
                obj["created_at"] = _shift_iso(obj["created_at"], shift)
    return payload


_SOCIAL_TIMES = ("createdAt", "indexedAt", "created_at")


def shift_social(value: Any, shift: timedelta) -> Any:
    """A Bluesky or Mastodon answer with every post and account time moved by `shift`."""
    if isinstance(value, list):
        return [shift_social(item, shift) for item in value]
    if isinstance(value, dict):
        return {
            key: _shift_iso(item, shift) if key in _SOCIAL_TIMES else shift_social(item, shift)
            for key, item in value.items()
        }
    return value


_FEED_DATE = re.compile(rb"<(pubDate|lastBuildDate|published|updated|dc:date)>([^<]+)</\1>")


def shift_feed(document: bytes, shift: timedelta) -> bytes:
    """A feed document with its dates moved by `shift`, each kept in its own format."""

    def move(match: re.Match[bytes]) -> bytes:
        tag, raw = match.group(1), match.group(2).decode("utf-8").strip()
        # Each date keeps its own offset (the demo's feeds are in the form real ones use),
        # so this is a shift of the text, not a stored time: the one parser is not used.
        if tag in (b"pubDate", b"lastBuildDate"):
            moved = format_datetime(parsedate_to_datetime(raw) + shift)
        else:
            moved = (datetime.fromisoformat(raw) + shift).isoformat()
        return b"<%s>%s</%s>" % (tag, moved.encode("utf-8"), tag)

    return _FEED_DATE.sub(move, document)
