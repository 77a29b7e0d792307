"""The secrets in Echowatch's environment, kept out of every process it starts.

A child process inherits the environment: the browser `o` starts, each `serve` viewer
(textual-serve copies `os.environ`), `notify_command`, the classifying worker, and any
child a library starts. None of them needs X_BEARER_TOKEN, BLUESKY_APP_PASSWORD or
MASTODON_ACCESS_TOKEN. So the command line moves them out of `os.environ` before it does
anything (`withheld_secrets`), and the sources and the redaction read them from
`source_environ()` instead. No child gets them then, however it is started.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

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
