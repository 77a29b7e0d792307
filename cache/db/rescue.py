"""What to say about a damaged store: which file, why, and a rescue command that runs here.

The rescue is SQLite's own command-line program. Its `.recover` reads the file page by page
and rescues the most, but it needs the `sqlite_dbpage` table, which not every build has:
Debian 12's sqlite3 3.40.1 lacks it, and there `.recover` fails on any file ("SQL logic
error"), even an intact one. `.dump` works with every build (it reads table by table and
skips what it cannot read), so the message gives `.recover` only where the sqlite3 on the
PATH can run it, and makes `.dump` keep what it read.
"""

from __future__ import annotations

import functools
import shlex
import shutil
from pathlib import Path

PROGRAM = "sqlite3"
"""SQLite's command-line program, as a person types it."""
PROBE_TIMEOUT_S = 5.0


@functools.cache
def sqlite3_recovers() -> bool:
    """Whether the sqlite3 program on the PATH can `.recover` (asked once per process: a
    few milliseconds, only when a damage message is written)."""
    found = shutil.which(PROGRAM)
    if found is None:
        return False
    import subprocess  # only where a damage message is written

    try:
        probe = subprocess.run(
            [found, ":memory:", "SELECT 1 FROM sqlite_dbpage LIMIT 0"],
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


DUMP_KEEPING_WHAT_WAS_READ = "sed 's/^ROLLBACK; -- due to errors$/COMMIT;/'"
"""`.dump` ends a dump that met damage with ROLLBACK, which would load nothing at all:
the rows it could read are kept instead (rows it read wrongly are refused on loading)."""
REBUILD_SEARCH_INDEX = "INSERT INTO mentions_fts(mentions_fts) VALUES('rebuild')"
"""The full-text index comes back as the pages that could be read, out of step with the
mentions that came back; rebuilt from those mentions, searches work on the rescued store."""


def rescue_command(path: Path) -> str:
    """The shell command that copies what is readable of `path` into `recovered.db`."""
    quoted = shlex.quote(str(path))
    if sqlite3_recovers():
        dump = f"{PROGRAM} {quoted} .recover > dump.sql"
    else:
        dump = f"{PROGRAM} {quoted} .dump | {DUMP_KEEPING_WHAT_WAS_READ} > dump.sql"
    rebuild = f"{PROGRAM} recovered.db {shlex.quote(REBUILD_SEARCH_INDEX)}"
    # Loaded and rebuilt only from a dump that was written (no empty recovered.db that a
    # later import would take for a new store); a few rows refused on loading are fine.
    return f"{dump} && {{ {PROGRAM} recovered.db < dump.sql; {rebuild}; }}"


def damaged_store_message(path: Path, detail: str, consequence: str = "") -> str:
    """What to say about a damaged store file: which, why, and how to get the data back."""
    then = f"; {consequence}" if consequence else ""
    return (
        f"{path}: the store is damaged ({detail[:300]}){then}. "
        f"To rescue what is readable: {rescue_command(path)}, then use --db recovered.db "
        "(keep the damaged file until the copy is checked)"
    )


def rescue_if_store(path: Path) -> str:
    """The hint for a file SQLite does not recognise: a store whose first page was
    overwritten looks just like a file that never was one."""
    return (
        "If it was an Echowatch store, its start is damaged; to rescue what is readable: "
        f"{rescue_command(path)}"
    )
