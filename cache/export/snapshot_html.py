"""The HTML snapshot report: one self-contained page a manager can read on a phone.

No scripts, no external requests: the CSS and the SVG chart are inline, the only
addresses in the page are the mentions' own http(s) links (plain anchors), and a
Content-Security-Policy forbids everything else should a mistake ever let something in.
Every piece of user text goes through `html.escape` (after control characters and bidi
overrides are removed) and sits in a `<bdi>` so right-to-left names cannot reorder the
text around them.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from cache.export.request import time_text
from cache.export.safe_text import display_text
from cache.export.snapshot_data import (
    ReportData,
    ambassador_cells,
    bucket_text,
    is_web_link,
    range_text,
    report_zone,
)
from sources.model.handles import platform_of, shown_author
from sources.model.program import program_name
from sources.model.text import format_display_time, format_timestamp, parse_timestamp

CSS = """
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6470; --bg: #ffffff;
  --card: #f4f6f8; --line: #d6dbe1; --accent: #0b6bcb; --bar: #3d8bd9; --warn: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ee; --muted: #a3acb8; --bg: #111418;
  --card: #1b2026; --line: #323a44; --accent: #6cb2ff; --bar: #4f9de6; --warn: #ff8a80; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem;
  border-bottom: 1px solid var(--line); } h3 { font-size: 1rem; margin: 0 0 .25rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em;
  background: var(--card); padding: 0 .25em; border-radius: 3px; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; max-width: 100%; height: auto; }
.chart rect { fill: var(--bar); } .chart text, .axis { fill: var(--muted); font-size: 11px; }
.spark polyline { fill: none; stroke: var(--bar); stroke-width: 1.5; }
.note { color: var(--muted); font-size: .9rem; }
.card { background: var(--card); border-radius: 8px; padding: .75rem; margin: .75rem 0; }
.card p { margin: .25rem 0; white-space: pre-line; overflow-wrap: anywhere; }
.who { font-weight: 600; } .role { color: var(--muted); font-size: .85rem; }
ul.replies { margin: .5rem 0 0; padding-left: 1rem; border-left: 3px solid var(--line); }
ul.replies li { list-style: none; margin: .5rem 0; }
.warn { color: var(--warn); }
ol.mentions { padding-left: 0; } ol.mentions li { list-style: none; padding: .5rem 0;
  border-bottom: 1px solid var(--line); }
ol.mentions .meta { color: var(--muted); font-size: .85rem; }
ol.mentions p { margin: .15rem 0; white-space: pre-line; overflow-wrap: anywhere; }
a { color: var(--accent); }
time[title] { text-decoration: underline dotted; cursor: help; }
.amb dl { margin: .25rem 0 0; }
.amb dl.first { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; }
.amb dl.first dt, .amb dl.figures dt { color: var(--muted); font-size: .85rem; }
.amb dl.first dd { margin: 0; overflow-wrap: anywhere; }
.amb dl.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
  gap: .35rem .75rem; margin-top: .5rem; }
.amb dl.figures dd { margin: 0; font-variant-numeric: tabular-nums; }
td code { overflow-wrap: anywhere; }
@media (max-width: 40rem) { main { padding: .75rem; } body { font-size: 15px; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dt { margin-top: .25rem; }
  .spark { width: 4.5rem; height: auto; } th, td { padding: .3rem .3rem; }
  .amb dl.first { grid-template-columns: 1fr; } }
"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def h(text: Any) -> str:
    """User text, made safe for display and escaped for HTML (quotes too)."""
    return html.escape(display_text(str(text) if text is not None else ""), quote=True)


def user(text: Any) -> str:
    """Escaped user text isolated in `<bdi>` (right-to-left text stays in its box)."""
    return f"<bdi>{h(text)}</bdi>"


def link(url: str | None, label: str = "open") -> str:
    """A plain anchor to an http(s) address; '' for anything else."""
    if not is_web_link(url):
        return ""
    return f'<a href="{h(url)}" rel="nofollow noopener noreferrer">{h(label)}</a>'


def local_time(value: datetime | str | None, zone: str) -> str:
    """A `<time>` in the company's time zone, with the UTC time on hover (`title`)."""
    moment = parse_timestamp(value) if isinstance(value, str) else value
    if moment is None:
        return h(time_text(value))
    utc = moment.astimezone(UTC)
    local = h(local_text(moment, zone))
    return f'<time datetime="{format_timestamp(utc)}" title="{h(time_text(utc))}">{local}</time>'


def local_text(moment: datetime, zone: str) -> str:
    """`2026-10-25 02:30 CEST`: `moment` in the company's time zone, as plain text."""
    # The one formatter and a display shift that cannot overflow (year 1, 9999).
    return format_display_time(moment, "%Y-%m-%d %H:%M %Z", report_zone(zone))


def write_html(data: ReportData, mentions: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write the whole page; returns how many mentions it listed."""
    w = out.write
    title = f"Echowatch snapshot: {data.company}"
    w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n')
    w('<meta name="referrer" content="no-referrer">\n')
    w(f"<title>{h(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n")
    w(f'<header>\n<h1>{h(title)}</h1>\n<dl class="facts">\n')
    zone = data.timezone
    w(f"<dt>Captured</dt><dd>{local_time(data.captured_at, zone)}</dd>\n")
    query = f"<code>{user(data.query)}</code>" if data.query else "none (everything)"
    w(f"<dt>Query</dt><dd>{query}</dd>\n")
    if data.view:
        label = f" ({user(data.view['label'])})" if data.view["label"] else ""
        view = f"{user(data.view['name'])}{label}: <code>{user(data.view['query'])}</code>"
        w(f"<dt>View</dt><dd>{view}</dd>\n")
    w(f"<dt>Time range</dt><dd>{range_text(data, lambda t: local_time(t, zone))}</dd>\n")
    span = (
        f" (first {local_time(data.first, zone)}, last {local_time(data.last, zone)})"
        if data.total
        else ""
    )
    w(f"<dt>Mentions</dt><dd>{data.total:,}{span}</dd>\n")
    w(f"<dt>Times</dt><dd>{h(zone)}; hover over a time for UTC</dd>\n</dl>\n</header>\n")
    _topics(data, w)
    _threads(data, w)
    _ambassadors(data, w)
    count = _mentions(data, mentions, w)
    w(f'<footer><p class="note">Echowatch {h(data.version)}</p></footer>\n')
    w("</main>\n</body>\n</html>\n")
    return count


def bar_chart(data: ReportData, label: str) -> str:
    """An inline SVG bar chart of the counts per bucket, labelled at both ends in the
    company's time zone; each bar and label gives its time on hover (the labels in UTC)."""
    width, height, top_pad, bottom = 600, 160, 16, 20
    values, zone = data.all_trend, data.timezone
    n = max(len(values), 1)
    peak = max(values, default=0) or 1
    slot = width / n
    bucket = bucket_text(data.bucket_hours)
    bars = []
    for i, (value, start) in enumerate(zip(values, data.buckets, strict=True)):
        bar_h = (height - top_pad - bottom) * value / peak
        x, y = i * slot + slot * 0.1, height - bottom - bar_h
        hover = f"{value:,} in the {bucket} from {local_text(start, zone)}"
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" height="{bar_h:.1f}">'
            f"<title>{h(hover)}</title></rect>"
        )
    first, last = data.buckets[0], data.buckets[-1]
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{h(label)}">'
        + "".join(bars)
        + f'<text x="0" y="11">max {peak}</text>'
        + f'<text x="0" y="{height - 4}">{_axis_label(first, zone)}</text>'
        + f'<text x="{width}" y="{height - 4}" text-anchor="end">{_axis_label(last, zone)}</text>'
        + "</svg>"
    )


def _axis_label(moment: datetime, zone: str) -> str:
    """An SVG text's content: the local time, and UTC on hover (an SVG `<title>`)."""
    return f"<title>{h(time_text(moment))}</title>{h(local_text(moment, zone))}"


def sparkline(values: tuple[int, ...]) -> str:
    """A small inline SVG line of a topic's trend."""
    width, height = 120, 24
    peak = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (height - 4) * v / peak:.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-hidden="true"><polyline points="{points}"/></svg>'
    )


def _topics(data: ReportData, w: Any) -> None:
    w('<section id="topics">\n<h2>Topics</h2>\n')
    if not data.total:
        w("<p>No mentions match this query.</p>\n</section>\n")
        return
    first = local_time(data.buckets[0], data.timezone)
    last = local_time(data.buckets[-1], data.timezone)
    per = bucket_text(data.bucket_hours)
    w(f'<p class="note">Mentions per {h(per)}, {first} to {last}.</p>\n')
    w(bar_chart(data, f"Mentions per {per}"))
    w('\n<div class="scroll"><table>\n<thead><tr><th>Topic</th><th class="n">Mentions</th>')
    w('<th class="n">Share</th><th>Trend</th></tr></thead>\n<tbody>\n')
    for topic in data.topics:
        w(
            f"<tr><td>{user(topic.label)} <code>{h(topic.topic)}</code></td>"
            f'<td class="n">{topic.count:,}</td><td class="n">{topic.count / data.total:.0%}</td>'
            f"<td>{sparkline(topic.trend)}</td></tr>\n"
        )
    share = f"{data.without_topic / data.total:.0%}"
    w(f'<tr><td>No topic</td><td class="n">{data.without_topic:,}</td><td class="n">{share}</td>')
    w("<td></td></tr>\n</tbody>\n</table></div>\n")
    w('<p class="note">A mention can have several topics, so shares add up to more than 100%.</p>')
    w("\n</section>\n")


def _who(post: Any) -> str:
    name = f" {user(post.author_name)}" if getattr(post, "author_name", "") else ""
    role = f' <span class="role">{h(post.role)}</span>' if post.role else ""
    return f'<span class="who">{_author(post.author, platform_of(post.id))}</span>{name}{role}'


def _author(author: str, platform: str) -> str:
    """`@handle` for an account (the `@` outside the isolated text), a feed author's name."""
    if not author:
        return "?"
    return f"@{user(author)}" if shown_author(author, platform) != author else user(author)


def _threads(data: ReportData, w: Any) -> None:
    w('<section id="threads">\n<h2>Top threads</h2>\n')
    w(f'<p class="note">{h(data.threads_note)}</p>\n')
    for thread in data.threads or ():
        root = thread.root
        w(f'<article class="card">\n<h3>{_who(root)}</h3>\n')
        w(f'<p class="note">{local_time(root.created_at, data.timezone)} {link(root.url)}</p>\n')
        w(f"<p>{user(root.text) if root.text else '(not stored yet)'}</p>\n")
        items = []
        for reply in thread.replies:
            delay = f" {h(reply.delay_text)}" if reply.latency_s is not None else ""
            inner = "".join(
                f"<li>↳ parody {_who(r.post)} ({h(r.kind)}): <p>{user(r.post.text)}</p></li>"
                for r in reply.reactions
            )
            nested = f'<ul class="replies">{inner}</ul>' if inner else ""
            items.append(
                f"<li>ambassador {_who(reply.post)} replied{delay} {link(reply.post.url)}"
                f"<p>{user(reply.post.text)}</p>{nested}</li>"
            )
        items.extend(
            f"<li>parody {_who(r.post)} ({h(r.kind)} to the post): <p>{user(r.post.text)}</p></li>"
            for r in thread.root_reactions
        )
        if items:
            w('<ul class="replies">' + "".join(items) + "</ul>\n")
        w("</article>\n")
    w("</section>\n")


FIRST_FIGURES = ("Warnings", "Disclosed", "Topics avoided")
"""What a reader needs first about an ambassador: shown above the other figures."""


def _ambassadors(data: ReportData, w: Any) -> None:
    # One card per account, findings first, figures in a grid that wraps: readable at
    # 1280 px and on a 390 px phone alike, with nothing hidden in a sideways scroll.
    w('<section id="ambassadors">\n<h2>Ambassadors</h2>\n')
    w(f'<p class="note">{h(data.ambassadors_note)}</p>\n')
    for cells in (ambassador_cells(p) for p in data.ambassadors or ()):
        warned = cells["Warnings"] != "–"
        w(f'<article class="card amb">\n<h3>{user(cells["Account"])}</h3>\n<dl class="first">')
        for name in FIRST_FIGURES:
            css = ' class="warn"' if name == "Warnings" and warned else ""
            w(f"<dt>{h(name)}</dt><dd{css}>{user(cells[name])}</dd>")
        w('</dl>\n<dl class="figures">')
        for name, value in cells.items():
            if name not in FIRST_FIGURES and name != "Account":
                w(f"<div><dt>{h(name)}</dt><dd>{user(value)}</dd></div>")
        w("</dl>\n</article>\n")
    w("</section>\n")


def _mentions(data: ReportData, mentions: Iterator[dict[str, Any]], w: Any) -> int:
    w('<section id="mentions">\n<h2>Mentions</h2>\n')
    if data.total > data.listed:
        w(
            f'<p class="note">The {data.listed:,} newest of {data.total:,} mentions. '
            f"<code>{h(program_name())} export --format csv</code> (or <code>jsonl</code>) "
            "with the same "
            "query writes all of them.</p>\n"
        )
    elif data.total:
        w(f'<p class="note">All {data.total:,} mentions, newest first.</p>\n')
    w('<ol class="mentions">\n')
    count = 0
    for row in mentions:
        who = _author(row["author"] or row["author_name"], row["platform"])
        role = f' <span class="role">{h(row["role"])}</span>' if row["role"] else ""
        topics = ", ".join(h(t) for t in row["topics"])
        meta = " · ".join(
            p
            for p in (
                local_time(row["created_at"], data.timezone),
                h(row["source"]),
                topics,
                link(row["url"]),
            )
            if p
        )
        w(
            f'<li><div class="meta">{meta}</div><p><span class="who">{who}</span>'
            f"{role}</p><p>{user(row['text'])}</p></li>\n"
        )
        count += 1
    w("</ol>\n</section>\n")
    return count
