"""A large store for query benchmarks, fast: `bench/inflate.py SMALL.db BIG.db --times 10`.

Importing a million mentions takes many minutes on a shared machine; the query figures only
need a store of that size and shape. This copies a store built by `bench/scale.py` and
adds `times - 1` copies of its mentions in SQL, each copy shifted back by the span of the
original stream (so the feed reaches 10x as far back) with ids, reply, quote and
conversation links suffixed `~k` (threads stay within a copy), and their topic rows;
then rebuilds the full-text index once. Authors, texts, languages and roles repeat, so
selectivities (a quarter of the posts say `Streik`) are those of the synthetic stream.
Not for ingest figures: rows go in by `INSERT ... SELECT`, not by the importer.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

_SHIFT = "strftime('%Y-%m-%dT%H:%M:%SZ', {col}, '-' || ? || ' seconds')"


def inflate(small: Path, big: Path, times: int) -> int:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{big}{suffix}").unlink(missing_ok=True)
    source = sqlite3.connect(small)
    source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    source.close()
    shutil.copyfile(small, big)
    conn = sqlite3.connect(big, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA cache_size = -262144")
    columns = [c[1] for c in conn.execute("PRAGMA table_info(mentions)")]
    oldest, newest = conn.execute(
        "SELECT min(created_at), max(created_at) FROM mentions"
    ).fetchone()
    (span,) = conn.execute(
        "SELECT CAST((julianday(?) - julianday(?)) * 86400 AS INTEGER) + 1", (newest, oldest)
    ).fetchone()
    (top,) = conn.execute("SELECT max(rowid) FROM mentions").fetchone()
    linked = {"id", "in_reply_to", "quoted_id", "conversation_id"}
    conn.execute("BEGIN")
    for name in ("mentions_ai", "mentions_ad", "mentions_au"):
        conn.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    for copy in range(1, times):
        suffix = f"~{copy}"
        picked = []
        for column in columns:
            if column in linked:
                picked.append(f"{column} || '{suffix}'")
            elif column == "created_at":
                picked.append(_SHIFT.format(col=column))
            else:
                picked.append(column)
        conn.execute(
            f"INSERT INTO mentions ({', '.join(columns)}) SELECT {', '.join(picked)} "
            "FROM mentions WHERE rowid <= ? ORDER BY rowid",
            (span * copy, top),
        )
        conn.execute(
            "INSERT INTO mention_topics (topic, created_at, mention_id, inherited) "
            f"SELECT topic, {_SHIFT.format(col='created_at')}, mention_id || '{suffix}', "
            "inherited FROM mention_topics WHERE mention_id NOT LIKE '%~%'",
            (span * copy,),
        )
    conn.execute("INSERT INTO mentions_fts(mentions_fts) VALUES ('rebuild')")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from cache.db.fts import CREATE_TRIGGERS_SQL

    for statement in CREATE_TRIGGERS_SQL.split("END;"):
        if statement.strip():
            conn.execute(statement + "END;")
    conn.execute("COMMIT")
    (total,) = conn.execute("SELECT count(*) FROM mentions").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return int(total)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", type=Path)
    parser.add_argument("big", type=Path)
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    total = inflate(args.small, args.big, args.times)
    print(f"{args.big}: {total:,} mentions in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
