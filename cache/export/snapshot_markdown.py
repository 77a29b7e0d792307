"""The Markdown snapshot report: plain CommonMark/GFM that renders cleanly on forges.

User text goes through `cache.export.markdown_text.md_text`, so it can never become markup: a
post can neither break a table row nor start a heading or list, and the addresses in it
are links to exactly what they say. Link targets are never escaped (see that module).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from cache.export.markdown_text import md_code, md_link
from cache.export.markdown_text import md_text as md
from cache.export.request import time_text
from cache.export.snapshot_data import ReportData, ambassador_cells, bucket_text, range_text
from sources.model.handles import platform_of, shown_author
from sources.model.program import program_name

_SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[int, ...]) -> str:
    """A text trend: one block character per bucket, scaled to the largest."""
    top = max(values, default=0)
    if top == 0:
        return _SPARKS[0] * len(values)
    return "".join(_SPARKS[min(7, round(v / top * 7))] if v else " " for v in values)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def write_markdown(data: ReportData, mentions: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write the whole report; returns how many mentions it listed."""
    w = out.write
    w(f"# Echowatch snapshot: {md(data.company)}\n\n")
    w(f"- **Captured:** {time_text(data.captured_at)}\n")
    w(f"- **Query:** {md_code(data.query)}\n" if data.query else "- **Query:** none (everything)\n")
    if data.view:
        label = f" ({md(data.view['label'])})" if data.view["label"] else ""
        w(f"- **View:** {md(data.view['name'])}{label}: {md_code(data.view['query'])}\n")
    w(f"- **Time range:** {range_text(data)}\n")
    w(f"- **Mentions:** {data.total:,}")
    if data.total:
        w(f" (first {time_text(data.first)}, last {time_text(data.last)})")
    w("\n\n")
    _topics(data, w)
    _threads(data, w)
    _ambassadors(data, w)
    count = _mentions(data, mentions, w)
    w(f"\n---\nEchowatch {md(data.version)}\n")
    return count


def _topics(data: ReportData, w: Any) -> None:
    w("## Topics\n\n")
    if not data.total:
        w("No mentions match this query.\n\n")
        return
    w(
        f"Trend: one character per {bucket_text(data.bucket_hours)} from "
        f"{time_text(data.buckets[0])} to {time_text(data.buckets[-1])}.\n\n"
    )
    w(_row(["Topic", "Mentions", "Share", "Trend"]) + "\n")
    w(_row(["---", "---:", "---:", "---"]) + "\n")
    w(_row(["**All**", f"{data.total:,}", "100%", f"`{sparkline(data.all_trend)}`"]) + "\n")
    for topic in data.topics:
        share = f"{topic.count / data.total:.0%}"
        # Inside a table a pipe splits cells even in a code span, unless escaped.
        name = f"{md(topic.label)} ({md_code(topic.topic).replace('|', chr(92) + '|')})"
        w(_row([name, f"{topic.count:,}", share, f"`{sparkline(topic.trend)}`"]) + "\n")
    w(_row(["No topic", f"{data.without_topic:,}", f"{data.without_topic / data.total:.0%}", ""]))
    w("\n\nA mention can have several topics, so the shares add up to more than 100%.\n\n")


def _author(post: Any) -> str:
    name = f" ({md(post.author_name)})" if getattr(post, "author_name", "") else ""
    role = f" \\[{md(post.role)}\\]" if post.role else ""
    who = md(shown_author(post.author, platform_of(post.id))) or "?"
    return f"**{who}**{name}{role}"


def _threads(data: ReportData, w: Any) -> None:
    w("## Top threads\n\n")
    w(f"{md(data.threads_note)}\n\n")
    for number, thread in enumerate(data.threads or (), start=1):
        root = thread.root
        w(f"### {number}. {_author(root)}, {time_text(root.created_at)}\n\n")
        w(f"> {md(root.text) or '(not stored)'}\n\n")
        link = md_link(root.url, "open")
        topics = ", ".join(md(t) for t in root.topics)
        w(f"{link}{' · ' if link and topics else ''}{'topics: ' + topics if topics else ''}\n\n")
        for reply in thread.replies:
            delay = f" {reply.delay_text}" if reply.latency_s is not None else ""
            w(f"- Ambassador {_author(reply.post)} replied{delay}: {md(reply.post.text)}\n")
            for reaction in reply.reactions:
                w(f"  - Parody {_author(reaction.post)} ({md(reaction.kind)}): ")
                w(f"{md(reaction.post.text)}\n")
        for reaction in thread.root_reactions:
            w(f"- Parody {_author(reaction.post)} ({md(reaction.kind)} to the post): ")
            w(f"{md(reaction.post.text)}\n")
        w("\n")


def _ambassadors(data: ReportData, w: Any) -> None:
    w("## Ambassadors\n\n")
    w(f"{md(data.ambassadors_note)}\n\n")
    if not data.ambassadors:
        return
    rows = [ambassador_cells(p) for p in data.ambassadors]
    headers = list(rows[0])
    w(_row(headers) + "\n")
    w(_row(["---"] * len(headers)) + "\n")
    for cells in rows:
        w(_row([md(cells[h]) for h in headers]) + "\n")
    w("\n")


def _mentions(data: ReportData, mentions: Iterator[dict[str, Any]], w: Any) -> int:
    w("## Mentions\n\n")
    if data.total > data.listed:
        w(
            f"The {data.listed:,} newest of {data.total:,} mentions. "
            f"`{program_name()} export --format csv` (or `jsonl`) with the same query writes "
            "all of them.\n\n"
        )
    elif data.total:
        w(f"All {data.total:,} mentions, newest first.\n\n")
    count = 0
    for row in mentions:
        topics = ", ".join(md(t) for t in row["topics"])
        link = md_link(row["url"], "open")
        meta = " · ".join(p for p in (md(row["source"]), topics, link) if p)
        who = shown_author(row["author"] or row["author_name"], row["platform"])
        author = f"**{md(who) or '?'}**"
        if row["role"]:
            author += f" \\[{md(row['role'])}\\]"
        w(f"- {time_text(row['created_at'])} {author}: {md(row['text'])} ({meta})\n")
        count += 1
    return count
