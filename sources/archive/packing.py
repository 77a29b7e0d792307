"""Opening an archive file whatever its packing: plain, gzip, or standard input.

Recognised by content, not by name: `kpop.jsonl.gz` and a gzip stream piped to
`import -` are both unpacked as they are read, never whole into memory. Zstandard is
recognised and refused with what to do instead: no zstd library ships with Python 3.11
and Echowatch does not add one for it.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sources.model.program import program_name

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

STDIN_NAME = "-"
"""The PATH that means standard input (as `export -o -` means standard output)."""

STDIN_SOURCE = "stdin"
"""The source recorded for mentions read from standard input without a twarc query."""


READ_BUFFER_BYTES = 1 << 18
"""How much of an archive one read from the disk takes (256 KB). An import reads it front
to back, a line at a time: with Python's default of 8 KB a million posts (1.2 GB) took
about 146,000 reads, with this about 4,700. With 1 MB the import's worker spent 0.5-1 µs
less CPU a post (bench/README.md); more than 256 KB would also raise what skipping a line
over the limit holds in memory (`tests/test_import_limits.py`)."""


class PackingError(Exception):
    """An archive packed in a way that cannot be read here (the message says what to do)."""


def open_archive(path: Path) -> BinaryIO:
    """`path` opened for reading its contents, unpacked if it is gzip-compressed."""
    handle = path.open("rb", buffering=READ_BUFFER_BYTES)
    magic = handle.read(4)
    handle.seek(0)
    if magic.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    if magic == ZSTD_MAGIC:
        handle.close()
        raise PackingError(
            "zstd-compressed: unpack it first, or stream it: "
            f"zstd -dc FILE | {program_name()} import -"
        )
    return handle


def read_archive_bytes(path: Path, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of the unpacked contents (one more shows it is too large)."""
    with open_archive(path) as handle:
        return handle.read(limit + 1)


def source_name(path: Path) -> str:
    """What an imported post records as its source when its archive names no query.

    The file's name without a packing suffix: `kpop.jsonl.gz` stores what `kpop.jsonl` does.
    """
    return path.name.removesuffix(".gz") if path.name.endswith(".gz") else path.name


_OWN_FILE_NAME = re.compile(r"/dev/(stdin|stdout|stderr|fd)(/.*)?|/proc/(self|thread-self)(/.*)?")
"""Names that mean a file this process holds open (`<(...)` passes `/dev/fd/63`)."""
_LINKS_FOLLOWED = 40
"""Symbolic links followed from a PATH before giving up, as the kernel does (ELOOP)."""


def names_own_file(path: Path) -> bool:
    """Whether `path` (or a link it leads through) names one of this process's open files
    (`/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N`): in another process the same name is
    another file, or none."""
    own = {f"/proc/{os.getpid()}"}
    here = os.path.abspath(path)
    for _ in range(_LINKS_FOLLOWED):
        if _OWN_FILE_NAME.fullmatch(here) or any(here.startswith(p + "/") for p in own):
            return True
        try:
            target = os.readlink(here)
        except OSError:  # not a link (or not there): its name is what it is
            return False
        here = os.path.abspath(os.path.join(os.path.dirname(here), target))
    return False


def is_stream(path: Path) -> bool:
    """Whether `path` is a pipe, FIFO, socket or device: read once, in order, never
    sought back (False for a file, a folder, or nothing there)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def file_by_its_own_name(path: Path) -> Path | None:
    """The name any process can open `path`'s regular file by (`/dev/stdin` redirected
    from `posts.jsonl`: that file), or None when it has none (a stream, a deleted file)."""
    try:
        resolved = Path(os.path.realpath(path))
        mine, theirs = os.stat(path), os.stat(resolved)
    except (OSError, ValueError):
        return None
    same = (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)
    return resolved if same and stat.S_ISREG(theirs.st_mode) else None


@contextmanager
def stdin_as_file(stream: BinaryIO, folder: Path | None = None) -> Iterator[Path]:
    """Standard input (or another stream) copied to a temporary file, so it is read like
    any archive.

    An archive is read more than once (sniffed, then streamed; a pretty-printed document
    is re-read whole), which a pipe cannot do. The copy streams in blocks and is removed
    afterwards; it is as large as the (possibly still packed) input.
    """
    with tempfile.TemporaryDirectory(prefix="echowatch-stdin-", dir=folder) as tmp:
        copy = Path(tmp) / STDIN_SOURCE
        with copy.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        yield copy
