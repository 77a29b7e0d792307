"""Account roles: ambassador, parody, official, press, public; each with its reason.

First version: config lists, then display-name/bio patterns (parody outranks ambassador).
The roles issue adds look-alike handles and the German forms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sources.config import Config

ROLES = ("ambassador", "parody", "official", "press", "public")


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

    @classmethod
    def from_config(cls, config: Config) -> RoleRules:
        def handles(values: list[str]) -> frozenset[str]:
            return frozenset(v.lstrip("@").lower() for v in values)

        return cls(
            official=handles(config.company.handles),
            ambassadors=handles(config.accounts.ambassadors),
            parody=handles(config.accounts.parody),
            press=handles(config.accounts.press),
            ambassador_patterns=tuple(p.lower() for p in config.accounts.ambassador_patterns),
            parody_patterns=tuple(p.lower() for p in config.accounts.parody_patterns),
        )

    def decide(self, handle: str, display_name: str = "", bio: str = "") -> RoleDecision:
        key = handle.lstrip("@").lower()
        for role, listed in (
            ("official", self.official),
            ("parody", self.parody),
            ("ambassador", self.ambassadors),
            ("press", self.press),
        ):
            if key in listed:
                return RoleDecision(role, f"listed in the config as {role}")
        profile = f"{display_name}\n{bio}".lower()
        for pattern in self.parody_patterns:
            if pattern and pattern in profile:
                return RoleDecision("parody", f"profile contains '{pattern}'")
        for pattern in self.ambassador_patterns:
            if pattern and pattern in profile:
                return RoleDecision("ambassador", f"profile contains '{pattern}'")
        return RoleDecision("public", "no rule matched")

    def fingerprint(self) -> str:
        return hashlib.sha1(repr(self).encode()).hexdigest()[:12]
