"""A store written by an older version: upgraded once, saying so; never read in its old layout.

The first open that may write applies the pending migrations (`Store._prepare_for_writing`),
readers included (`Store.open(readonly=True)` upgrades before it reads). That takes a while
on a large store (seconds per hundred thousand mentions), so whoever runs the program is
told: the commands on stderr, the monitor on its loading line. The composition root says
how (`upgrade_notices`); nothing is said where it does not.

A store that needs the upgrade but cannot get it (the file, its folder or the filesystem
is read-only) or must not (`--read-only`) is refused with what to do: reading it as it is
would query tables and columns it does not have yet, or count what later versions set
aside (retweets, earlier versions of edited posts) as mentions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoreUpgrade:
    """One store being brought from the schema an older version left to this one's."""

    path: Path
    at: int
    to: int

    def what(self) -> str:
        return f"the store from schema {self.at} to {self.to}, once (an older version wrote it)"

    def __str__(self) -> str:
        return f"{self.path}: upgrading {self.what()}; a large store takes a while"


UpgradeListener = Callable[[StoreUpgrade], None]
_listener: UpgradeListener | None = None


@contextlib.contextmanager
def upgrade_notices(listener: UpgradeListener | None) -> Iterator[None]:
    """Within the block, `listener` is told of every upgrade this process starts, from any
    thread (None: nobody is, e.g. while a full-screen monitor owns the terminal)."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous


def announce(upgrade: StoreUpgrade) -> None:
    if _listener is not None:
        _listener(upgrade)


def refusal(upgrade: StoreUpgrade, *, why: str, read_only_flag: bool) -> str:
    """Why an older store was not read, and what to do about it."""
    where = (
        "Open it once without --read-only (any command upgrades it), then --read-only reads it"
        if read_only_flag
        else "Copy it (with its -wal file, if there is one) to a folder you can write and "
        "open the copy, or open it once where it can be written"
    )
    return (
        f"{upgrade.path}: this store was written by an older version of Echowatch "
        f"(schema {upgrade.at}; this version reads schema {upgrade.to}) and is upgraded "
        f"once before this version reads it, but {why}; it was not read, as its old layout "
        f"would give wrong answers. {where}"
    )
