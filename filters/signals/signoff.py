"""Sign-off names at the end of a reply ("Liebe Grüße, Anne", "- Andrea", "Best, Mike").

A corporate account signing a reply with a first name that is not its own was one of
the reported signs of scripted ambassador replies. This module finds the sign-off (its
name and where it starts, so near-duplicate matching can drop it) and compares the name
with an account's display name and handle, folding umlauts ("Jörg" = "Joerg").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from filters.signals.mentions import MENTION

_GREETINGS_DE = (
    "liebe grüße",
    "liebe grüsse",
    "liebe gruesse",
    "viele grüße",
    "viele grüsse",
    "viele gruesse",
    "beste grüße",
    "beste grüsse",
    "herzliche grüße",
    "herzliche grüsse",
    "freundliche grüße",
    "mit freundlichen grüßen",
    "mit freundlichen grüssen",
    "schöne grüße",
    "sonnige grüße",
    "grüße",
    "grüsse",
    "gruß",
    "gruss",
    "lg",
    "vg",
    "mfg",
    "bg",
    "danke",
    "dein",
    "deine",
    "euer",
    "eure",
    "ihr",
    "ihre",
)
_GREETINGS_EN = (
    "best wishes",
    "best regards",
    "kind regards",
    "warm regards",
    "many thanks",
    "thanks again",
    "all the best",
    "take care",
    "regards",
    "best",
    "cheers",
    "thanks",
    "thank you",
    "thx",
    "greetings",
    "sincerely",
    "yours",
    "warmly",
)
# Closings a reply also uses to thank or take leave of the person it answers ("Thanks,
# Mike!"): after one of these, the addressee's name is not a signature. The greetings that
# only address (Hallo, Hi, Hey, Liebe, Lieber, Dear) are not sign-offs at all.
_ADDRESSING = frozenset(
    {"danke", "thanks", "thank you", "many thanks", "thanks again", "thx", "take care", "cheers"}
)
_GREETING = "|".join(
    re.escape(g).replace(r"\ ", r"\s+")
    for g in sorted({*_GREETINGS_DE, *_GREETINGS_EN}, key=len, reverse=True)
)
_LETTER = r"[^\W\d_]"
# A first name: a capital, letters, optionally one hyphenated part (Anne-Marie), and an
# optional last-name initial ("Mike S.") that is not part of the first name.
_NAME = rf"(?P<name>{_LETTER}{_LETTER}+(?:-{_LETTER}{_LETTER}+)?)(?:\s+{_LETTER}\.?)?"
_SIGNOFF = re.compile(
    rf"(?:(?<![^\W_])(?P<greeting>{_GREETING})\b\s*[,.:!]*\s*|(?P<dash>[-–—~^])\s*)"
    rf"{_NAME}\s*[.!]?\s*$",
    re.IGNORECASE,
)
# Trailing decoration a sign-off may be followed by: links, tags, mentions (whole, in any
# platform's handle form), emoji.
_DECORATION = re.compile(rf"(?:https?://\S+|#[\w-]+|{MENTION.pattern}|[\W_]+)")
_NOT_NAMES = frozenset(
    {
        # Words that follow a greeting or dash without being a name.
        "alle",
        "all",
        "and",
        "aus",
        "das",
        "den",
        "der",
        "die",
        "dir",
        "euch",
        "für",
        "for",
        "from",
        "ihnen",
        "und",
        "von",
        "team",
        "you",
        "your",
        "the",
        "again",
        "much",
        "everyone",
        "everybody",
        "allen",
        "zusammen",
    }
)


_TAIL = 80
"""Characters at the end of a text searched for a sign-off."""


@dataclass(frozen=True, slots=True)
class SignOff:
    """A sign-off found at the end of a text."""

    name: str
    """The first name as written ("Jörg")."""
    start: int
    """Where the sign-off (greeting or dash) starts in the text; the rest is the body."""
    greeting: str = ""
    """The greeting before the name, lower case ("viele grüße", "thanks"); "" after a dash."""


@functools.lru_cache(maxsize=65_536)
def find_signoff(text: str) -> SignOff | None:
    """The sign-off closing `text`, or None when it does not end with one.

    Only the end of the text is looked at: a name in the middle of a sentence is not a
    sign-off. The name must start with a capital letter, as names do in both languages.
    """
    end = _trailer_start(text)
    # A sign-off is short: searching only the tail keeps this linear in long texts.
    offset = max(0, end - _TAIL)
    body = text[:end]
    match = _SIGNOFF.search(body, offset)
    if match is None:
        return None
    name = match.group("name")
    if not name[0].isupper() or fold_name(name) in _NOT_NAMES:
        return None
    if name.isupper() and len(name) <= 3:
        return None  # initials ("^AB") say nothing comparable about a first name
    before = body[: match.start()]
    if match.group("dash") is None and not _closes_sentence(before):
        # "It's the best, Mike" is not a sign-off; "Danke dir! LG Anne" is.
        return None
    if match.group("dash") is not None and before and not before[-1].isspace():
        return None  # "Nord-Süd" is a compound, " - Andrea" a sign-off
    greeting = " ".join((match.group("greeting") or "").casefold().split())
    return SignOff(name=name, start=match.start(), greeting=greeting)


def strip_signoff(text: str) -> str:
    """`text` without its sign-off (and the decoration after it)."""
    found = find_signoff(text)
    return text if found is None else text[: found.start]


@functools.lru_cache(maxsize=16_384)
def fold_name(name: str) -> str:
    """A comparable form of a name: lower case, umlauts spelled out, accents dropped."""
    lowered = name.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    lowered = lowered.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_CAMEL = re.compile(r"(?<=[a-zäöüß])(?=[A-ZÄÖÜ])")


def name_parts(*labels: str) -> set[str]:
    """The folded words of display names and handles (`anne_k`, `AnneKestrel` -> anne)."""
    parts: set[str] = set()
    for label in labels:
        for word in re.split(r"[^\w]+|_", _CAMEL.sub(" ", label)):
            if len(word) >= 2 and not word.isdigit():
                parts.add(fold_name(word))
    return parts


_NICKNAME_GROUPS = (
    "michael mike micha michi mick",
    "william bill will willi willy wilhelm",
    "robert bob bobby rob robbie",
    "richard dick rick richie",
    "james jim jimmy jamie",
    "johannes johann john jack johnny hans hannes jens",
    "josef joseph sepp seppi joe joey jupp",
    "elisabeth elizabeth lisa liz lizzy betty beth elli liesl sissi",
    "thomas tom tommy",
    "anton anthony toni tony",
    "theresa therese resi",
    "ulrich uli ulli",
    "sebastian basti bastian",
    "alexander sascha",
    "alexandra sandra sandy",
    "nikolaus nicholas nick nicky niko klaus",
    "edward ted teddy eddie",
    "margarete margaret meg peggy maggie greta grete gretel",
    "cornelia conny nele",
    "stefanie stephanie steffi",
    "katharina katherine catherine kathrin katrin kate kathy katie kati kathi kaethe",
    "friedrich fritz",
    "heinrich heinz heiner",
    "christine christina tina christl",
    "magdalena lena leni",
    "david dave",
    "barbara babsi babs",
    "matthias matze mattes",
)
_NICKNAMES: dict[str, set[int]] = {}
for _index, _group in enumerate(_NICKNAME_GROUPS):
    for _name in _group.split():
        _NICKNAMES.setdefault(_name, set()).add(_index)
"""Folded first name -> the groups of short forms it belongs to (Mike and Michael)."""

_PET_ENDING = re.compile(r"(?:ie|i|y)$")


# The analysis asks this for every signed reply of an account: the same few pairs again.
@functools.lru_cache(maxsize=16_384)
def signoff_matches(name: str, display_name: str, handle: str = "") -> bool:
    """Whether a signed first name belongs to the account (display name or handle).

    Short forms of one's own name are ordinary, so these count: a prefix of at least three
    letters either way ("Alex" for "Alexander"), the same after a pet ending ("Kathi" for
    "Katharina", "Jenny" for "Jennifer") and the common nicknames of `_NICKNAME_GROUPS`
    ("Mike" for "Michael", "Sepp" for "Josef"). A different name does not.
    """
    signed = fold_name(name)
    return any(_same_name(signed, part) for part in name_parts(display_name, handle))


def addresses(found: SignOff, addressee: Iterable[str]) -> bool:
    """Whether a closing thanks or greets the person answered instead of signing the reply.

    "Thanks, Mike!" to @mike_t (Mike Turner) names the addressee; "Best, Mike", "LG Mike"
    and "- Mike" are signatures whoever is answered, and "Thanks, Andrea" to Mike is one too.
    `addressee` holds the handles and display names of the people answered.
    """
    if found.greeting not in _ADDRESSING:
        return False
    return any(signoff_matches(found.name, label) for label in addressee if label)


def _same_name(signed: str, part: str) -> bool:
    if part == signed:
        return True
    if _NICKNAMES.get(part, set()) & _NICKNAMES.get(signed, set()):
        return True
    shorter, longer = sorted((part, signed), key=len)
    stem = _PET_ENDING.sub("", shorter)
    return any(len(s) >= 3 and longer.startswith(s) for s in (shorter, stem))


def _trailer_start(text: str) -> int:
    """Where the trailing links, tags, mentions, emoji and punctuation begin."""
    end = len(text)
    while end:
        stripped = text[:end].rstrip()
        cut = stripped.rfind(" ") + 1
        cut = max(cut, stripped.rfind("\n") + 1)
        last = stripped[cut:]
        if last and _DECORATION.fullmatch(last):
            end = cut
            continue
        # Punctuation or emoji glued to the last word ("Anne!", "Anne 🙂").
        trimmed = len(stripped)
        while trimmed and not (stripped[trimmed - 1].isalnum()):
            trimmed -= 1
        return trimmed
    return 0


def _closes_sentence(before: str) -> bool:
    stripped = before.rstrip(" \t")
    if not stripped or stripped != before.rstrip():
        return True  # at the start, or on a line of its own
    return stripped[-1] in ".!?…)" or unicodedata.category(stripped[-1]) in ("So", "Sk")
