"""`export --report threads`: each critical mention with its ambassador replies and the
parody reactions, as JSON (one document) or Markdown.

Entry fields (a contract): `id`, `author`, `topics`, `replies` (each `id`, `author`,
`latency_s`, `dated_before_post`: true when the reply carries a time before the post, its
latency then 0) and `parody_reactions` (each `id`, `author`, `kind` reply|quote, `target`
= the id reacted to: the critical mention or one of its replies). Both formats record
the query and the capture time.
"""

from __future__ import annotations

from typing import IO, Any

from cache.db.store import Store, now_text
from cache.export.markdown_text import md_code, md_link, md_text
from cache.export.request import ExportRequest, time_text
from cache.read.threads import iter_critical_threads
from filters.threads import DATED_BEFORE_POST, ParodyReaction, PostRef, Thread
from sources.model.handles import platform_of, shown_author
from sources.model.records import utc_now
from sources.model.shown_text import json_text
from sources.model.text import format_timestamp


def thread_entry(thread: Thread) -> dict[str, Any]:
    """The exported form of one thread."""
    root = thread.root
    reactions = list(thread.root_reactions)
    for reply in thread.replies:
        reactions.extend(reply.reactions)
    reactions.sort(key=lambda r: (_time(r.post), r.post.id))
    return {
        "id": root.id,
        "author": root.author,
        "author_name": root.author_name,
        "created_at": _time(root),
        "url": root.url,
        "text": root.text,
        "topics": list(root.topics),
        "replies": [
            {
                "id": reply.post.id,
                "author": reply.post.author,
                "latency_s": reply.latency_s,
                "dated_before_post": reply.dated_before_post,
                "created_at": _time(reply.post),
                "text": reply.post.text,
            }
            for reply in thread.replies
        ],
        "parody_reactions": [_reaction(r) for r in reactions],
        "missing_ids": list(thread.missing_ids),
    }


def export_threads(store: Store, request: ExportRequest, out: IO[str]) -> int:
    """Write every critical mention of the request's query with its thread."""
    threads = iter_critical_threads(store, request.selection)
    if request.format == "md":
        return _write_markdown(threads, request, out)
    return _write_json(threads, request, out)


def _write_json(threads: Any, request: ExportRequest, out: IO[str]) -> int:
    # Streamed: the header, then one entry at a time, so a big store needs little memory.
    head = {
        "report": "threads",
        "query": request.query,
        "view": request.view.as_json() if request.view else None,
        "captured_at": _captured(request),
    }
    out.write(json_text(head)[:-1] + ', "threads": [')
    count = 0
    for thread in threads:
        out.write(",\n  " if count else "\n  ")
        out.write(json_text(thread_entry(thread)))
        count += 1
    out.write("\n]}\n" if count else "]}\n")
    return count


def _write_markdown(threads: Any, request: ExportRequest, out: IO[str]) -> int:
    # The same escaping, links and time format as the Markdown snapshot report.
    out.write("# Threads\n\n")
    out.write(f"- query: {md_code(request.query) if request.query else '(everything)'}\n")
    if request.view:
        out.write(f"- view: {md_text(request.view.name)} {md_code(request.view.query)}\n")
    out.write(f"- captured at: {time_text(request.captured_at or utc_now())}\n\n")
    count = 0
    for thread in threads:
        entry = thread_entry(thread)
        topics = md_text(", ".join(entry["topics"]) or "no topic")
        when = time_text(entry["created_at"])
        out.write(f"## {_who(entry['author'], entry['id'])} · {when} · {topics}\n\n")
        link = md_link(entry["url"], "open")
        out.write(f"`{entry['id']}`{' · ' + link if link else ''}\n\n")
        out.write(f"> {md_text(entry['text'])}\n\n")
        if entry["replies"]:
            out.write("| ambassador reply | author | latency | text |\n|---|---|---|---|\n")
            for reply in entry["replies"]:
                out.write(
                    f"| `{reply['id']}` | {_who(reply['author'], reply['id'])} "
                    f"| {_latency(reply['latency_s'], reply['dated_before_post'])} "
                    f"| {md_text(reply['text'])} |\n"
                )
            out.write("\n")
        else:
            out.write("No ambassador reply.\n\n")
        for reaction in entry["parody_reactions"]:
            out.write(
                f"- parody {reaction['kind']} `{reaction['id']}` by "
                f"{_who(reaction['author'], reaction['id'])} to `{reaction['target']}`\n"
            )
        if entry["missing_ids"]:
            out.write(f"- not stored yet: {', '.join(f'`{m}`' for m in entry['missing_ids'])}\n")
        out.write("\n")
        count += 1
    if not count:
        out.write("No critical mentions match.\n")
    return count


def _captured(request: ExportRequest) -> str:
    """The capture time the export records (the query's `now`), else the current time."""
    return format_timestamp(request.captured_at) if request.captured_at else now_text()


def _reaction(reaction: ParodyReaction) -> dict[str, Any]:
    return {
        "id": reaction.post.id,
        "author": reaction.post.author,
        "kind": reaction.kind,
        "target": reaction.target,
        "created_at": _time(reaction.post),
        "text": reaction.post.text,
    }


def _time(post: PostRef) -> str | None:
    return format_timestamp(post.created_at) if post.created_at else None


def _latency(seconds: int | None, dated_before_post: bool) -> str:
    if seconds is None:
        return "?"
    if dated_before_post:
        return DATED_BEFORE_POST
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _who(author: str, post_id: str) -> str:
    return md_text(shown_author(author, platform_of(post_id))) or "?"
