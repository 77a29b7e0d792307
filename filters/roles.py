"""Account roles: ambassador, parody, official, press, public; each with its reason.

Decided in this order (the first rule that fires wins, and its reason is kept):

1. the config lists (`company.handles`, `accounts.parody`, `accounts.ambassadors`,
   `accounts.press`);
2. a parody marker in the display name or bio (`parody`, `Parodie`, `Satire`, `fake`,
   `not affiliated`, `kein offizieller Account`, ... plus `accounts.parody_patterns`),
   matched as whole words so `#fakenews` or `Satireheft` do not count, while German
   compounds that start with the marker (`Parodieaccount`) do. A parody account calls
   *itself* fake (`Fake Kestrel Support`, `fake account`, `This account is fake`); people
   who fight or report fake things are not parody. So a bare `fake` does not count when
   the next word (after a space or hyphen) names what is fake and is not the account:
   one of `FAKE_THINGS` (`fake news`, `Fake-News`, `Fake News`, `fake reviews`,
   `Fake-Bewertungen`, `fake followers`, `Fake-Accounts`, `Fake-Shops`, `fake people`,
   `fake it till you make it`), nor when it is one of a slash pair (`fake/old`,
   `real/fake`: goods a seller vouches for, not the account). `fake account` (singular)
   stays a marker of its own;
3. a handle that imitates a listed ambassador or an official handle: equal after
   look-alike folding (`I`/`l`/`1`, `0`/`O`, `rn`/`m`, `vv`/`w`, `_`/`.`/`-` dropped),
   or one inserted, dropped or swapped character away (a substitution counts only when
   it is a look-alike, so `kestrel_ben` and `kestrel_jen` stay two people);
4. an ambassador marker in the display name or bio (`FC Ambassador`, `Botschafter`,
   `Botschafterin`, `Botschafter:in`, `Markenbotschafter`, ... plus
   `accounts.ambassador_patterns`); a parody marker outranks it (rule 2 came first);
5. a feed author, or a press marker in the bio (`journalist`, `Redaktion`, ...): press;
6. everyone else: public.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sources.model.config import LISTED_ROLES, Config

ROLES = ("ambassador", "parody", "official", "press", "public")

PARODY_MARKERS = (
    "parody",
    "parodie*",
    "parodist*",
    "satire",
    "satirical",
    "satirisch*",
    "fake",
    "fake account",
    "spoof",
    "not affiliated",
    "unaffiliated",
    "not associated",
    "not the real",
    "unofficial",
    "inoffiziell*",
    "nicht offiziell*",
    "kein offizieller account",
    "keine offizielle*",
    "kein echter",
    "#parody",
    "#satire",
)
"""Built-in parody markers (a trailing `*` allows any word ending)."""

FAKE_THINGS = (
    "news",
    "nachrichten",
    "meldungen",
    "reviews",
    "bewertungen",
    "rezensionen",
    "follower",
    "followers",
    "likes",
    "accounts",
    "konten",
    "profiles",
    "shops",
    "people",
    "leute",
    "menschen",
    "it",
)
"""Words after a bare `fake` that say it is about something else than the account (the
module docstring, rule 2): plurals and mass nouns, so `fake account` stays parody."""

_NOT_ABOUT_ITSELF = {
    "fake": (
        r"(?<!/)(?<!/ )",
        r"(?!\s?/)(?![\s\-]+(?:" + "|".join(FAKE_THINGS) + r")(?!\w))",
    ),
}
"""Marker -> what may not stand right before it and right after it for it to count."""

AMBASSADOR_MARKERS = (
    "fc ambassador*",
    "fc botschafter*",
    "brand ambassador*",
    "employee ambassador*",
    "company ambassador*",
    "#brandambassador",
    "botschafter*",
    "markenbotschafter*",
    "unternehmensbotschafter*",
)
"""Built-in ambassador markers; `botschafter*` covers -in, :in, *in, _in and -innen."""

PRESS_MARKERS = (
    "journalist*",
    "reporter*",
    "redakteur*",
    "redaktion",
    "newsroom",
    "news desk",
    "zeitung",
    "nachrichtenmagazin",
    "correspondent",
    "korrespondent*",
)

_LOOKALIKE_SEQUENCES = (("rn", "m"), ("vv", "w"), ("cl", "d"))
_LOOKALIKE_CHARS = str.maketrans(
    {"0": "o", "1": "l", "i": "l", "|": "l", "5": "s", "3": "e", "_": None, ".": None, "-": None}
)


@dataclass(frozen=True, slots=True)
class RoleDecision:
    role: str
    reason: str


@dataclass(frozen=True)
class RoleRules:
    official: frozenset[str]
    ambassadors: frozenset[str]
    parody: frozenset[str]
    press: frozenset[str]
    ambassador_patterns: tuple[str, ...]
    parody_patterns: tuple[str, ...]
    company: str = ""
    _parody_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _ambassador_re: re.Pattern[str] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _press_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _imitated: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lists: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _decided: dict[tuple[str, str, str, str], RoleDecision] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Decisions already made: the same author arrives in nearly every batch."""

    @classmethod
    def from_config(cls, config: Config) -> RoleRules:
        def handles(values: list[str]) -> frozenset[str]:
            return frozenset(v.strip().lstrip("@").lower() for v in values if v.strip())

        company = config.company.name.strip().lower()
        ambassador = [*AMBASSADOR_MARKERS, *config.accounts.ambassador_patterns]
        if company:
            ambassador.append(f"{company} ambassador*")
        return cls(
            official=handles(config.company.handles),
            ambassadors=handles(config.accounts.ambassadors),
            parody=handles(config.accounts.parody),
            press=handles(config.accounts.press),
            ambassador_patterns=_unique(ambassador),
            parody_patterns=_unique([*PARODY_MARKERS, *config.accounts.parody_patterns]),
            company=company,
        )

    def __post_init__(self) -> None:
        # Compiled once per rule set; object.__setattr__ because the dataclass is frozen.
        object.__setattr__(self, "_parody_re", _marker_regex(self.parody_patterns))
        object.__setattr__(self, "_ambassador_re", _marker_regex(self.ambassador_patterns))
        object.__setattr__(self, "_press_re", _marker_regex(PRESS_MARKERS))
        targets = {h: "official account" for h in self.official}
        targets.update({h: "ambassador" for h in self.ambassadors})
        object.__setattr__(self, "_imitated", targets)
        lists = {
            "official": self.official,
            "parody": self.parody,
            "ambassador": self.ambassadors,
            "press": self.press,
        }
        object.__setattr__(self, "_lists", lists)

    def decide(
        self, handle: str, display_name: str = "", bio: str = "", platform: str = ""
    ) -> RoleDecision:
        # The rules are fixed for the life of the object, so a decision depends on these
        # four strings alone.
        asked = (handle, display_name, bio, platform)
        decision = self._decided.get(asked)
        if decision is None:
            decision = self._decide(handle, display_name, bio, platform)
            if len(self._decided) >= _DECIDED_LIMIT:
                self._decided.clear()
            self._decided[asked] = decision
        return decision

    def decide_account(
        self,
        handle: str,
        display_name: str = "",
        bio: str = "",
        platform: str = "",
        earlier_handles: Iterable[str] = (),
    ) -> RoleDecision:
        """`decide` for an account that has also been known under `earlier_handles`.

        An account is its platform id, not its handle: the config lists handles, and an
        account listed under a handle it has since given up (a renamed ambassador) keeps
        that role. Its current handle, when listed, comes first.
        """
        if self.listed(handle) is None:
            best: tuple[tuple[str, str], str] | None = None
            for earlier in sorted(set(earlier_handles), key=str.lower):
                listed = self.listed(earlier)
                if listed and (best is None or _RANK[listed[0]] < _RANK[best[0][0]]):
                    best = (listed, earlier)
            if best is not None:
                (role, section), earlier = best
                reason = (
                    f"listed in the config ({section}) as @{earlier.lstrip('@')}, "
                    f"the account's handle before @{handle}"
                )
                return RoleDecision(role, reason)
        return self.decide(handle, display_name, bio, platform)

    def listed(self, handle: str) -> tuple[str, str] | None:
        """(role, config key) of the first list that names `handle`; None when none does."""
        key = handle.strip().lstrip("@").lower()
        for role, section in LISTED_ROLES:
            if key in self._lists[role]:
                return role, section
        return None

    @property
    def listed_handles(self) -> frozenset[str]:
        """Every handle the config lists (lower case, without `@`)."""
        return self.official | self.parody | self.ambassadors | self.press

    def _decide(self, handle: str, display_name: str, bio: str, platform: str) -> RoleDecision:
        key = handle.strip().lstrip("@").lower()
        listed = self.listed(key)
        if listed is not None:
            return RoleDecision(listed[0], f"listed in the config ({listed[1]})")
        found = _find(self._parody_re, display_name, bio)
        if found:
            return RoleDecision("parody", f"{found[0]} contains parody marker '{found[1]}'")
        imitation = self.imitates(key)
        if imitation:
            return RoleDecision("parody", imitation)
        found = _find(self._ambassador_re, display_name, bio)
        if found:
            return RoleDecision("ambassador", f"{found[0]} contains '{found[1]}'")
        if platform == "rss":
            return RoleDecision("press", "author of a feed item")
        found = _find(self._press_re, display_name, bio)
        if found:
            return RoleDecision("press", f"{found[0]} contains '{found[1]}'")
        return RoleDecision("public", "no rule matched")

    def imitates(self, handle: str) -> str:
        """Why `handle` imitates a listed ambassador or official handle; '' when it does not."""
        key = handle.lower()
        folded = fold_lookalikes(key)
        for target, what in self._imitated.items():
            if target == key or len(target) < 4:
                continue
            if fold_lookalikes(target) == folded:
                return f"handle '{handle}' is a look-alike of the {what} '@{target}'"
            if len(target) >= 5 and _one_typo_apart(key, target):
                return f"handle '{handle}' is one typo away from the {what} '@{target}'"
        return ""

    def fingerprint(self) -> str:
        text = repr(
            (
                sorted(self.official),
                sorted(self.ambassadors),
                sorted(self.parody),
                sorted(self.press),
                self.ambassador_patterns,
                self.parody_patterns,
                PRESS_MARKERS,
                _NOT_ABOUT_ITSELF,
                self.company,
                _RULES_VERSION,
            )
        )
        return hashlib.sha1(text.encode()).hexdigest()[:12]


_RANK = {role: rank for rank, (role, _) in enumerate(LISTED_ROLES)}
"""Role -> the rank of its config list: the first list that names an account decides."""

_DECIDED_LIMIT = 100_000
"""Remembered role decisions per rule set (a few hundred bytes each)."""

_RULES_VERSION = 3
"""Bump when the rules in this file change, so stored roles are decided again (3: a bare
`fake` about other things, `fake news`, is no parody marker)."""


def fold_lookalikes(handle: str) -> str:
    """A handle with look-alike characters folded together (`KestreI_0ps` -> `kestrelops`)."""
    text = handle.lower()
    for sequence, replacement in _LOOKALIKE_SEQUENCES:
        text = text.replace(sequence, replacement)
    return text.translate(_LOOKALIKE_CHARS)


def _one_typo_apart(a: str, b: str) -> bool:
    """One inserted, dropped or swapped (adjacent) character; substitutions do not count."""
    if a == b:
        return False
    if abs(len(a) - len(b)) == 1:
        short, long = (a, b) if len(a) < len(b) else (b, a)
        return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    return False


def _marker_regex(markers: tuple[str, ...]) -> re.Pattern[str] | None:
    parts: list[tuple[str, str]] = []  # (the marker's own expression, with its conditions)
    for marker in markers:
        text = marker.strip().lower()
        if not text:
            continue
        stem = text.rstrip("*")
        body = r"\s+".join(re.escape(word) for word in stem.split())
        tail = r"\w*" if text.endswith("*") else r"(?!\w)"
        lead = "" if stem.startswith("#") else r"(?<!\w)"
        before, after = _NOT_ABOUT_ITSELF.get(text, ("", ""))
        parts.append((f"{lead}{body}{tail}", f"{before}{lead}{body}{tail}{after}"))
    if not parts:
        return None
    # Longest first, so the reason names "fake account" rather than "fake".
    parts.sort(key=lambda part: len(part[0]), reverse=True)
    return re.compile("|".join(full for _, full in parts), re.IGNORECASE)


def _find(pattern: re.Pattern[str] | None, display_name: str, bio: str) -> tuple[str, str] | None:
    if pattern is None:
        return None
    for where, text in (("display name", display_name), ("bio", bio)):
        match = pattern.search(text or "")
        if match:
            return where, match.group(0)
    return None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
