"""Replacing a user's file atomically: the new content is written beside it, then renamed
over it, so a crash or a full disk never leaves half a file behind.

Every writer of a file the user owns goes through here (exports, their sidecars, the
config). A symbolic link is written through: the file it points to is replaced and the link
stays a link (a dotfiles manager's config, a `latest.csv` pointing at a dated file);
renaming over the link itself would leave the real file unchanged. The new file keeps the
old one's permissions, and its owner and group where allowed (a snapshot readable by one
group only stays so); a file that did not exist gets what any new file gets here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
"""Read once at import, while the program is still single-threaded (umask is per process)."""


def write_target(path: Path) -> Path:
    """The file that writing `path` changes: links followed, also a dangling one (the
    file it names is then created)."""
    return Path(os.path.realpath(path))


def shown_target(path: Path) -> Path:
    """`path` as the user gave it, or the file a link makes it (for messages)."""
    target = write_target(path)
    return path if target == Path(os.path.abspath(path)) else target


class PendingFile:
    """New content for a file, written beside it; `commit` puts it in place.

    Until then the old file is untouched; `discard` (or leaving `pending_file` without
    committing) removes the temporary file.
    """

    def __init__(self, path: Path, *, encoding: str, newline: str) -> None:
        self.target = write_target(path)
        """The file replaced (links resolved)."""
        try:
            fd, name = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent
            )
        except OSError as exc:  # name the file being written, not a temporary name
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        self.temp = Path(name)
        """Where the new content is until `commit`."""
        try:
            _take_over_permissions(fd, self.target)
            self.stream: IO[str] = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            self.temp.unlink(missing_ok=True)
            raise
        self.committed = False

    def finish(self) -> None:
        """Flush the content to the disk and close it (it can be read back from `temp`)."""
        if not self.stream.closed:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            self.stream.close()

    def commit(self) -> None:
        """Rename the new content over the target."""
        self.finish()
        os.replace(self.temp, self.target)
        self.committed = True

    def discard(self) -> None:
        """Forget the new content; the target stays as it was. Nothing once committed."""
        if self.committed:
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def _take_over_permissions(fd: int, target: Path) -> None:
    # mkstemp makes the file private (0600); the old file's mode, or a new file's, instead.
    try:
        old = os.stat(target)
    except OSError:
        os.fchmod(fd, 0o666 & ~_UMASK)
        return
    # Owner and group first: a chown may clear mode bits. Only root may give a file away,
    # and a user only to a group of theirs; otherwise the writer's own stay.
    try:
        os.fchown(fd, old.st_uid, old.st_gid)
    except OSError:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, old.st_gid)
    os.fchmod(fd, old.st_mode & 0o777)


@contextlib.contextmanager
def pending_file(
    path: Path, *, encoding: str = "utf-8", newline: str = ""
) -> Iterator[PendingFile]:
    """A `PendingFile` for `path`, discarded when the block ends without `commit`."""
    pending = PendingFile(path, encoding=encoding, newline=newline)
    try:
        yield pending
    finally:
        pending.discard()


@contextlib.contextmanager
def replaced_file(path: Path, *, encoding: str = "utf-8", newline: str = "") -> Iterator[IO[str]]:
    """A text stream that replaces `path` when the block ends without an error."""
    with pending_file(path, encoding=encoding, newline=newline) as pending:
        yield pending.stream
        pending.commit()
