"""What the monitor says when a file it writes for the reader (an export, a screenshot)
cannot be written: the reader's own file and the reason in words.

The reason names what the reader can fix (the folder, the permissions, the disk), never
the Python exception nor the hidden temporary file an export writes first.
"""

from __future__ import annotations

import errno
from pathlib import Path

_REASONS = {
    # Writing creates the file: a missing one means its folder is missing (or was removed
    # while the monitor ran).
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "a part of its folder is a file, not a folder",
    errno.ENOSPC: "the disk is full",
}


def not_written(what: str, path: Path | str, error: OSError) -> str:
    """`Export not saved: cannot write /sys/report.csv: permission denied`."""
    return f"{what} not saved: cannot write {path}: {reason_in_words(error)}"


def reason_in_words(error: OSError) -> str:
    """Why a file could not be written, as a reader would say it."""
    known = _REASONS.get(error.errno or 0)
    if known is not None:
        return known
    words = error.strerror or str(error) or type(error).__name__
    return words[:1].lower() + words[1:]
