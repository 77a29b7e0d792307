"""When a feed item was published: feedparser's reading, and the zone names it misreads.

feedparser reads numeric offsets, `GMT`/`UT`/`Z` and the North American zone names, but
any other zone name as UTC without a word (its RFC 822 parser defaults an unknown name to
+0000): a German feed's `02:30:00 CEST` landed two hours late. And in the form
`2025-10-26 02:30:00 CEST` (any name) it loses the clock time: midnight.

So a date written with a zone name that `ZONE_OFFSETS` holds is read here: the name is
replaced by its offset and the result read by the one parser of times (`parse_timestamp`).
feedparser's table of names and `registerDateHandler` are not extended for it: both are
state of the whole process (a change reaches every user of feedparser in it), and neither
would mend the form above. A name that neither this table nor feedparser's holds is not
read at all (`ItemTime.zone`): the caller says so rather than store a time that may be
half a day off.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime

from feedparser.datetimes.rfc822 import timezone_names as feedparser_zone_names

from sources.model.text import parse_timestamp

ZONE_OFFSETS: dict[str, str] = {
    # RFC 822's own names (feedparser reads them too, but not in every ISO form).
    "UT": "+0000",
    "UTC": "+0000",
    "GMT": "+0000",
    "Z": "+0000",
    "EST": "-0500",
    "EDT": "-0400",
    "CST": "-0600",
    "CDT": "-0500",
    "MST": "-0700",
    "MDT": "-0600",
    "PST": "-0800",
    "PDT": "-0700",
    # Europe, in English and German (West, Central, East European; British Summer Time).
    # Each names one offset the world over in the tz database: IST (India, Ireland or
    # Israel) does not and stays unread; so does MSK, whose offset changed in 2011 and 2014.
    "WET": "+0000",
    "WEZ": "+0000",
    "WEST": "+0100",
    "WESZ": "+0100",
    "BST": "+0100",
    "CET": "+0100",
    "MEZ": "+0100",
    "MET": "+0100",
    "CEST": "+0200",
    "MESZ": "+0200",
    "MEST": "+0200",
    "EET": "+0200",
    "OEZ": "+0200",
    "EEST": "+0300",
    "OESZ": "+0300",
}
"""Zone names read as the offset they stand for, whatever the form of the date."""

_UTC_NAMES = frozenset({"UT", "UTC", "GMT", "Z"})
_FEEDPARSER_NAMES = frozenset(name.upper() for name in feedparser_zone_names)
"""Names feedparser reads itself (its `AST`, `ET`, military letters): left to it as before."""
_READ_BY_FEEDPARSER = _FEEDPARSER_NAMES | {"UTC"}
"""Names feedparser reads right where its parsers take the zone at all (`UTC` as any name
it does not know: +0000)."""

_WRITTEN_ZONE = re.compile(
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*"  # the end of the clock time
    r"(?P<half>[AaPp]\.?[Mm]\.?(?=\s|$))?\s*"  # `02:30 PM`
    r"(?P<name>[A-Za-z][A-Za-z_/]*)?"
    r"(?P<offset>[+-]\d\d?(?::?\d\d)?)?"  # GMT+02:00, UTC+2
    r"(?=\s|\(|$)"
)


@dataclass(frozen=True)
class ItemTime:
    """One date of a feed item as read: `moment`, or None with why not."""

    moment: datetime | None
    zone: str = ""
    """The zone name that could not be read ('' when the date had none or a known one)."""


def read_item_time(written: str, feedparser_reading: object) -> ItemTime:
    """The moment a feed date `written` means. `feedparser_reading` is feedparser's
    `*_parsed` of it (a UTC struct_time, or None where it read nothing)."""
    match = _WRITTEN_ZONE.search(written)
    if match is not None and match["half"]:
        # Neither parser reads a 12-hour clock: `02:30 PM` would be read as 02:30.
        return ItemTime(None)
    if match is None or not match["name"]:
        return ItemTime(_read(feedparser_reading, written))
    name, offset = match["name"].upper(), match["offset"]
    if name.startswith("ETC/") and not offset:  # `Etc/GMT`, as feedparser reads it
        name = name.removeprefix("ETC/")
    if offset and name in _UTC_NAMES:
        numeric = _numeric(offset)
    elif offset:
        return ItemTime(None, match["name"] + offset)  # `CEST+0200`: which does it mean?
    elif name in ZONE_OFFSETS:
        numeric = ZONE_OFFSETS[name]
    elif name in _FEEDPARSER_NAMES:
        return ItemTime(_read(feedparser_reading, written))
    else:
        return ItemTime(None, match["name"])
    rewritten = f"{written[: match.start('name')].rstrip()} {numeric}{written[match.end() :]}"
    moment = parse_timestamp(rewritten)
    if moment is None and not offset and name in _READ_BY_FEEDPARSER:
        # A form only feedparser reads (`23:59:60Z`, `24:00 GMT`): as it always was.
        moment = _read(feedparser_reading, "")
    return ItemTime(moment)


def _read(feedparser_reading: object, written: str) -> datetime | None:
    if isinstance(feedparser_reading, time.struct_time):
        moment = parse_timestamp(feedparser_reading)
        if moment is not None:
            return moment
    return parse_timestamp(written) if written else None


def _numeric(offset: str) -> str:
    """`+2`, `+02`, `+0200` or `+02:00` as `+0200`."""
    sign, digits = offset[0], offset[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
    return f"{sign}{int(hours):02d}{minutes}"
