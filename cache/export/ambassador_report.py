"""`export --report ambassadors`: one row per ambassador, as CSV, JSON or Markdown.

The columns are a contract (REPORT_COLUMNS). CSV and Markdown carry the values; the JSON
form also carries, per account, the evidence ids behind every value and the thresholds
used, so a reader can check each claim against the posts.
"""

from __future__ import annotations

import csv
from dataclasses import asdict
from datetime import datetime
from typing import IO, Any

from cache.db.store import Store
from cache.export.markdown_text import md_text
from cache.export.request import ExportRequest, time_text
from cache.export.safe_text import spreadsheet_cell
from cache.read.ambassadors import AmbassadorProfile, ambassador_profiles
from filters.signals.measures import WEEKDAYS
from sources.model.records import utc_now
from sources.model.shown_text import json_text
from sources.model.text import format_timestamp

REPORT_COLUMNS = (
    "handle",
    "replies",
    "reply_share",
    "weekday_share",
    "office_hours_share",
    "co_replies",
    "near_duplicate_share",
    "text_blocks",
    "signoff_mismatches",
    "followers",
    "following",
    "disclosed",
    "topics_answered",
    "topics_avoided",
    "median_reply_delay_seconds",
    "fastest_reply_delay_seconds",
)
"""The columns of the ambassadors report, in order (a contract: new ones go at the end)."""


def report_row(profile: AmbassadorProfile) -> dict[str, Any]:
    """The contract columns of one profile; shares rounded to 3 places, None if unknown."""
    return {
        "handle": profile.handle,
        "replies": profile.replies,
        "reply_share": _share(profile.reply_share),
        "weekday_share": _share(profile.weekday_share),
        "office_hours_share": _share(profile.office_hours_share),
        "co_replies": len(profile.co_replies),
        "near_duplicate_share": _share(profile.near_duplicate_share),
        "text_blocks": list(profile.text_blocks),
        "signoff_mismatches": profile.signoff_mismatches,
        "followers": profile.followers,
        "following": profile.following,
        "disclosed": profile.disclosed,
        "topics_answered": list(profile.topics_answered),
        "topics_avoided": list(profile.topics_avoided),
        "median_reply_delay_seconds": profile.median_reply_delay_seconds,
        "fastest_reply_delay_seconds": profile.fastest_reply_delay_seconds,
    }


def export_ambassadors(store: Store, request: ExportRequest, out: IO[str]) -> int:
    """Write the report in `request.format`; returns the number of ambassadors written."""
    now = utc_now()
    profiles = ambassador_profiles(store, request.config, now=now)
    writer = {"csv": _write_csv, "json": _write_json, "md": _write_markdown}[request.format]
    writer(profiles, request, now, out)
    return len(profiles)


def _write_csv(
    profiles: list[AmbassadorProfile], request: ExportRequest, now: datetime, out: IO[str]
) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for profile in profiles:
        row = report_row(profile)
        # Handles and text-block names come from posts: neutralised like any CSV text.
        # Numbers (counts, shares) are not text, so a value such as -1 stays a number.
        writer.writerow(
            [
                spreadsheet_cell(_csv_value(row[column]))
                if isinstance(row[column], str | list)
                else _csv_value(row[column])
                for column in REPORT_COLUMNS
            ]
        )


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def _write_json(
    profiles: list[AmbassadorProfile], request: ExportRequest, now: datetime, out: IO[str]
) -> None:
    document = {
        "report": "ambassadors",
        "captured_at": format_timestamp(now),
        "thresholds": asdict(request.config.signals),
        "columns": list(REPORT_COLUMNS),
        "ambassadors": [
            {
                **report_row(profile),
                "key": profile.key,
                "display_name": profile.display_name,
                "posts": profile.posts,
                "account_age_days": _round(profile.account_age_days, 1),
                "evidence": profile_evidence(profile),
            }
            for profile in profiles
        ],
    }
    out.write(json_text(document, indent=2))
    out.write("\n")


def markdown_cell(value: Any) -> str:
    """A table cell of untrusted text that renders literally on GitHub/GitLab/Forgejo
    (`cache.export.markdown_text.md_text`: `|` escaped too, so cells never split)."""
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else _csv_value(value)
    return md_text(shown)


def profile_evidence(profile: AmbassadorProfile) -> dict[str, Any]:
    """Every signal's evidence ids of one profile, as plain JSON-ready values."""
    hours = profile.working_hours
    return {
        "reply_ids": list(profile.reply_ids),
        "own_post_ids": list(profile.own_post_ids),
        "reply_delays": [{"id": i, "seconds": s} for i, s in profile.reply_delays],
        "office_hours_ids": list(hours.office_ids),
        "other_hours_ids": list(hours.other_ids),
        "heatmap": {day: list(row) for day, row in zip(WEEKDAYS, hours.heatmap, strict=True)},
        "timezone": hours.timezone,
        "co_replies": [
            {
                "post": c.parent_id,
                "reply": c.reply_id,
                "other_reply": c.other_reply_id,
                "other_handle": c.other_handle,
                "seconds": c.seconds,
            }
            for c in profile.co_replies
        ],
        "near_duplicates": [
            {
                "reply": d.reply_id,
                "other": d.other_id,
                "other_handle": d.other_handle,
                "jaccard": round(d.similarity, 3),
                "text_block": d.block,
            }
            for d in profile.near_duplicates
        ],
        "signoffs": [
            {"reply": s.reply_id, "name": s.name, "matches_account": s.matches_account}
            for s in profile.signoffs
        ],
        "disclosure": {
            "in_bio": list(profile.disclosure.in_bio),
            "post_ids": list(profile.disclosure.post_ids),
        },
        "topics": {topic: list(ids) for topic, ids in profile.topic_evidence.items()},
        "gaps": [
            {"before": g.before_id, "after": g.after_id, "days": round(g.days, 1)}
            for g in profile.gaps
        ],
        "findings": [
            {
                "signal": f.signal,
                "severity": f.severity,
                "label": f.label,
                "evidence": list(f.evidence),
            }
            for f in profile.findings
        ],
    }


def _write_markdown(
    profiles: list[AmbassadorProfile], request: ExportRequest, now: datetime, out: IO[str]
) -> None:
    out.write("# Ambassador signals\n\n")
    out.write(f"Captured {time_text(now)}; {len(profiles)} ambassador accounts.\n\n")
    out.write("| " + " | ".join(REPORT_COLUMNS) + " |\n")
    out.write("|" + "|".join("---" for _ in REPORT_COLUMNS) + "|\n")
    for profile in profiles:
        row = report_row(profile)
        row["handle"] = "@" + profile.handle
        row["text_blocks"] = ["#" + str(b) for b in profile.text_blocks]
        cells = [markdown_cell(row[column]) for column in REPORT_COLUMNS]
        out.write("| " + " | ".join(cells) + " |\n")
    warned = [p for p in profiles if p.warnings]
    if warned:
        out.write("\n## Warnings\n\n")
        for profile in warned:
            labels = "; ".join(f.label for f in profile.warnings)
            out.write(f"- {markdown_cell('@' + profile.handle)}: {markdown_cell(labels)}\n")


def _share(value: float | None) -> float | None:
    return _round(value, 3)


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
