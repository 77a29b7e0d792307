"""Where an export goes (`-o`) and how it is written there.

`-` is standard output. A regular file (or a new path) is replaced atomically
(`sources.model.file_replace`); through a symbolic link, the file it points to is, and the
link stays. Anything else that exists (a device such as /dev/null, a FIFO, a socket) is
written directly: renaming over it would replace the device with a plain file, which for
root breaks /dev/null for the whole machine. A path naming one of this process's open
descriptors (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`, or a link to one) is written
through that descriptor, as `-` is: `-o /dev/stdout > report.csv` fills report.csv (also
when the shell appends, `>>`), and /dev/stdout stays a link. A directory is refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sources.model.file_replace import replaced_file


class ExportTargetError(ValueError):
    """The output path names something an export cannot be written to (a directory, the
    store being exported or one of its companion files)."""


STORE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a store: replacing one loses or corrupts what it holds."""


def refuse_store_target(target: str | Path, store: Path) -> None:
    """Raise ExportTargetError when writing `target` would replace `store` or a companion.

    The atomic rename would put the export where the store was (its mentions gone) and
    the command would still report success, so this is checked before anything is written.
    """
    for suffix in ("", *STORE_COMPANIONS):
        if _same_file(Path(target), store.with_name(store.name + suffix)):
            what = "the store being exported" if not suffix else f"the store's {suffix[1:]} file"
            raise ExportTargetError(
                f"{target}: is {what} ({store}); give another file name to export to"
            )


def refuse_directory(path: Path) -> None:
    """Raise ExportTargetError when `path` is a directory (links followed)."""
    if existing_kind(path) == "directory":
        raise ExportTargetError(f"{path}: is a directory; give a file name to export to")


def _same_file(a: Path, b: Path) -> bool:
    # samefile sees through links and other spellings; a path that does not exist yet
    # (a -journal only lives during a write) is compared by where it resolves to.
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def is_file_target(target: str) -> bool:
    """True when `target` is written as a file (replaced atomically, and so may get a
    sidecar); False for a stream: standard output, a descriptor, a device or a FIFO."""
    if target == "-" or own_descriptor(target) is not None:
        return False
    return existing_kind(Path(target)) in ("new", "regular")


@contextlib.contextmanager
def atomic_output(target: str, *, encoding: str = "utf-8", newline: str = "") -> Iterator[IO[str]]:
    """A text stream that becomes `target` only when the block ends without an error
    (a file); a stream target gets the text as it is written (see the module)."""
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    descriptor = own_descriptor(target)
    if descriptor is not None:
        with _descriptor_stream(descriptor, encoding=encoding, newline=newline) as stream:
            yield stream
        return
    path = Path(target)
    refuse_directory(path)
    if existing_kind(path) == "special":
        with open(path, "w", encoding=encoding, newline=newline) as stream:
            yield stream
        return
    with replaced_file(path, encoding=encoding, newline=newline) as stream:
        yield stream


def existing_kind(path: Path) -> str:
    """`new`, `regular`, `directory` or `special` (device, FIFO, socket), following links."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # absent, or under a non-folder: mkstemp reports the real reason
        return "new"
    if stat.S_ISDIR(mode):
        return "directory"
    return "regular" if stat.S_ISREG(mode) else "special"


_DESCRIPTOR_PATH = re.compile(r"/(?:dev|proc/(?P<pid>\d+)(?:/task/\d+)?)/fd/(?P<fd>\d+)")
"""A path naming an open descriptor: /dev/fd/N, or /proc/PID/fd/N (/proc/self resolved)."""

_MOST_LINKS = 40
"""Links followed before giving up, as the kernel does (ELOOP)."""


def own_descriptor(target: str) -> int | None:
    """The descriptor number when `target` (or a link it leads through) names one of this
    process's open descriptors; None for anything else.

    The links are followed by their text: resolved, /proc/self/fd/1 names the file the
    descriptor has open (the redirected report.csv), which would then be replaced, and
    the shell's descriptor would keep writing to the old, unlinked file.
    """
    path = os.path.abspath(target)
    for _ in range(_MOST_LINKS):
        # The folders resolved (/dev/fd is a link to /proc/self/fd, /proc/self to /proc/PID).
        path = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
        match = _DESCRIPTOR_PATH.fullmatch(path)
        if match and match["pid"] in (None, str(os.getpid())):
            return int(match["fd"])
        try:
            link = os.readlink(path)
        except OSError:  # not a link (or one this user may not read): no descriptor of ours
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(path), link))
    return None


@contextlib.contextmanager
def _descriptor_stream(descriptor: int, *, encoding: str, newline: str) -> Iterator[IO[str]]:
    # A copy of the descriptor shares its offset (and O_APPEND): the text lands where the
    # shell's redirection says; reopening the path would start again at byte 0.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    with open(os.dup(descriptor), "w", encoding=encoding, newline=newline) as stream:
        yield stream
