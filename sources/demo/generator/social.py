"""The demo's Bluesky and Mastodon posts: a few, so a new user sees all three platforms.

On Bluesky a warehouse worker posts about the strike, the scripted ambassador Jana (with
an account there too) answers with her text block, and Jana's parody quotes the answer.
On Mastodon the union HLV calls the strike from its own instance and a driver answers.
All fictional (see SCENARIO.md); written in the shapes the services send (a searchPosts
answer, a status list), and read back by the same parsers as live data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sources.demo.generator import cast, phrases

BLUESKY_FILE = "social/bluesky.json"
MASTODON_FILE = "social/mastodon.json"
MASTODON_HOST = "social.hlv.example"
ZERO_CID = "bafyreidemo0000000000000000000000000000000000000000000000000"

_LENA = ("did:plc:demolena0000000000000000", "lena-lager.bsky.social", "Lena ✊ Lager Lahnfeld")
BLUESKY_AMBASSADOR = "korvandofcjana.bsky.social"
"""Jana's Bluesky account: an ambassador the X-only facts in expected.json do not list."""
_JANA = (
    "did:plc:demojana0000000000000000",
    BLUESKY_AMBASSADOR,
    "Jana – Korvando FC Botschafterin 📦",
)
_JANA_PAY_BLOCK = 1
"""Das Gehalt bei Korvando liegt am oberen Ende ...: on X from Jana, Tobias and Melanie."""
_JANNA = (
    "did:plc:demojanna000000000000000",
    "korvandofcjanna.bsky.social",
    "Janna – Korvando FC Botschafterin (Parodie)",
)


def _author(who: tuple[str, str, str]) -> dict[str, Any]:
    did, handle, name = who
    return {"did": did, "handle": handle, "displayName": name, "labels": []}


def _post(
    who: tuple[str, str, str],
    rkey: str,
    at: str,
    text: str,
    *,
    reply_to: str = "",
    quotes: str = "",
) -> dict[str, Any]:
    uri = f"at://{who[0]}/app.bsky.feed.post/{rkey}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "createdAt": at,
        "langs": ["de"],
        "text": text,
    }
    if reply_to:
        ref = {"uri": reply_to, "cid": ZERO_CID}
        record["reply"] = {"root": ref, "parent": ref}
    if quotes:
        record["embed"] = {
            "$type": "app.bsky.embed.record",
            "record": {"uri": quotes, "cid": ZERO_CID},
        }
    return {
        "uri": uri,
        "cid": ZERO_CID,
        "author": _author(who),
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 3,
        "indexedAt": at,
        "labels": [],
    }


def bluesky_posts() -> dict[str, Any]:
    critic = _post(
        _LENA,
        "3mdemo00lena1",
        "2026-02-10T06:40:00.000Z",
        "Tag 1 vom Streik bei Korvando in Lahnfeld: Kälte, Thermoskannen und die Frage, "
        "warum der Stundenlohn seit Jahren nicht mitkommt.",
    )
    # Word for word the pay block Jana uses most on X, after Lena's handle as a Bluesky
    # reply opens: the analysis must find it in the same text block as her X replies.
    block = phrases.BLOCKS[("pay", "de")][_JANA_PAY_BLOCK].format(city=cast.JANA.site)
    answer = _post(
        _JANA,
        "3mdemo00jana1",
        "2026-02-11T08:35:00.000Z",
        f"@{_LENA[1]} {block} {cast.JANA.extra['signoff']}",
        reply_to=critic["uri"],
    )
    # The app links a typed handle with a mention facet (UTF-8 byte offsets), as sent.
    mention = f"@{_LENA[1]}".encode()
    answer["record"]["facets"] = [
        {
            "index": {"byteStart": 0, "byteEnd": len(mention)},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": _LENA[0]}],
        }
    ]
    mockery = _post(
        _JANNA,
        "3mdemo0janna1",
        "2026-02-11T09:05:00.000Z",
        "Textbaustein jetzt auch auf Bluesky. Mit Mitarbeiterrabatt frieren sich "
        "die Streikenden bestimmt wärmer.",
        quotes=answer["uri"],
    )
    return {"posts": [mockery, answer, critic]}


def _status(
    status_id: str,
    account: dict[str, Any],
    at: str,
    html: str,
    *,
    reply_to: str | None = None,
) -> dict[str, Any]:
    return {
        "id": status_id,
        "created_at": at,
        "in_reply_to_id": reply_to,
        "in_reply_to_account_id": "1" if reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "de",
        "uri": f"https://{MASTODON_HOST}/users/{account['username']}/statuses/{status_id}",
        "url": f"https://{MASTODON_HOST}/@{account['username']}/{status_id}",
        "content": html,
        "reblog": None,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "korvando", "url": f"https://{MASTODON_HOST}/tags/korvando"}],
        "emojis": [],
    }


def _account(account_id: str, username: str, name: str, note: str) -> dict[str, Any]:
    return {
        "id": account_id,
        "username": username,
        "acct": username,
        "display_name": name,
        "note": note,
        "url": f"https://{MASTODON_HOST}/@{username}",
        "created_at": "2023-03-01T00:00:00.000Z",
        "followers_count": 2140,
        "following_count": 310,
        "statuses_count": 860,
        "bot": False,
        "fields": [],
        "emojis": [],
    }


def mastodon_statuses() -> list[dict[str, Any]]:
    union = _account(
        "1",
        "hlv",
        "HLV Gewerkschaft Handel & Logistik",
        "<p>Die Gewerkschaft für Handel und Logistik. Hier posten Vertrauensleute.</p>",
    )
    driver = _account("2", "fahrer_ole", "Ole", "<p>Fahrer, Lahnfeld</p>")
    call = _status(
        "113900000000000001",
        union,
        "2026-02-09T09:10:00.000Z",
        "<p><strong>Streik!</strong> Ab Dienstag Frühschicht streiken die Beschäftigten von "
        "Korvando in Lahnfeld und Wiesenau für einen Tarifvertrag. "
        '<a href="https://social.hlv.example/tags/korvando" class="mention hashtag">'
        "#<span>Korvando</span></a></p>",
    )
    answer = _status(
        "113900000000000002",
        driver,
        "2026-02-11T07:50:00.000Z",
        "<p>Wir stehen seit 5 Uhr am Tor. Danke an alle, die Kaffee vorbeibringen!</p>",
        reply_to=call["id"],
    )
    return [answer, call]


def write_social(out: Path) -> list[dict[str, str]]:
    """Write both files; the manifest entries that name them."""
    (out / "social").mkdir(exist_ok=True)
    for name, payload in ((BLUESKY_FILE, bluesky_posts()), (MASTODON_FILE, mastodon_statuses())):
        (out / name).write_text(
            json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return [
        {"file": BLUESKY_FILE, "source": "bluesky:search"},
        {"file": MASTODON_FILE, "source": "mastodon:tag"},
    ]
