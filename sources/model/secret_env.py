"""The secrets in Echowatch's environment, kept out of every process it starts.

A child process inherits the environment: the browser `o` starts, each `serve` viewer
(textual-serve copies `os.environ`), `notify_command`, the classifying worker, and any
child a library starts. None of them needs X_BEARER_TOKEN, BLUESKY_APP_PASSWORD or
MASTODON_ACCESS_TOKEN. So the command line moves them out of `os.environ` before it does
anything (`withheld_secrets`), and the sources and the redaction read them from
`source_environ()` instead. No child gets them then, however it is started.

The sources take each secret through `read_secret`: the copy-and-paste accidents (a CR
from a Windows file, spaces, typographic quotes) are mended or named there, once, so
that a bad value stops only what needs it, with the variable's name and not its value.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sources.model.config import SECRET_ENVS

_withheld: dict[str, str] = {}
"""The secrets taken out of `os.environ` while a command runs."""


@contextmanager
def withheld_secrets() -> Iterator[None]:
    """While inside: the secrets are in no child's environment, only in `source_environ()`.

    They are put back afterwards, so a command run in-process (tests) leaves the
    environment as it found it.
    """
    taken = {name: os.environ.pop(name) for name in SECRET_ENVS if name in os.environ}
    _withheld.update(taken)
    try:
        yield
    finally:
        for name, value in taken.items():
            _withheld.pop(name, None)
            os.environ.setdefault(name, value)


def source_environ() -> Mapping[str, str]:
    """The environment as the sources read it: the process's own and the secrets withheld."""
    return {**os.environ, **_withheld}


def child_environ() -> dict[str, str]:
    """The environment for a child started with an explicit `env`: never a secret."""
    return {name: value for name, value in os.environ.items() if name not in SECRET_ENVS}


@dataclass(frozen=True)
class EnvSecret:
    """A secret as the sources use it: `value` is "" when it is unset or cannot be used."""

    value: str
    problem: str | None = None
    """Why the variable's value cannot be used, naming the variable (never the value)."""


def read_secret(env: Mapping[str, str], name: str) -> EnvSecret:
    """The secret in variable `name` of `env`, checked by `check_secret`."""
    return check_secret(name, env.get(name, ""))


def check_secret(name: str, raw: str) -> EnvSecret:
    """`raw` without the spaces and line breaks around it (a value pasted from a Windows
    `.env` file or a chat ends in CR); refused when it still holds what an HTTP header
    cannot carry or a token never holds, since sending it fails as if the server were
    unreachable (requests' InvalidHeader) or as an encoding crash deep in http.client."""
    value = raw.strip()
    if not value:
        return EnvSecret("")
    problem = _unsendable(value)
    if problem is None:
        return EnvSecret(value)
    return EnvSecret("", f"{name} cannot be used: it {problem}; set it again, the token alone")


_QUOTES = "\"'"


def _unsendable(value: str) -> str | None:
    if len(value) > 1 and value[0] == value[-1] and value[0] in _QUOTES:
        return "is wrapped in quotes"
    for position, char in enumerate(value, start=1):
        if 0x20 <= ord(char) < 0x7F:
            continue
        return f"holds {_describe(char)} at position {position}"
    return None


def _describe(char: str) -> str:
    """What the character is, in words: its code point only for punctuation, spaces and
    controls (the usual accidents), never for a letter that could be part of the secret."""
    code = f"U+{ord(char):04X}"
    kind = unicodedata.category(char)
    if char in "\r\n\u2028\u2029\x85":
        return "a line break"
    if kind == "Cc":
        return f"a control character ({code})"
    if kind in ("Pi", "Pf") or char in "\u201a\u201e\u301d\u301e\uff02\uff07":
        return f"a typographic quote ({code})"
    if kind in ("Zs", "Cf"):
        return f"an invisible or special space ({code})"
    return "a character outside ASCII"
