"""An alert as the example notify scripts show it: a post's words stay words.

`notify-desktop.sh` and `notify-webhook.sh` (beside this file) import it with the system's
`python3` from a clone of Echowatch, so it needs the standard library only (and the text
rules of `cache.export.markdown_text`, which need no more).

Every post, author and feed name in an alert is hostile. Each text is made one line of
visible characters first (no escape sequence, control or bidi override: `one_line`); then:

- a desktop notification's body is markup (freedesktop: `<b>`, `<a href>`, `<img>`), so
  `&`, `<` and `>` are written as entities;
- a chat message must neither ping anyone nor show a link that hides where it goes.
  Slack reads `<!channel>` and `<url|label>`, so `text` has `&`, `<`, `>` escaped as Slack
  asks. Discord reads `content`, where `<` gets a zero-width space after it instead (no
  `<@id>`) and `allowed_mentions` allows none. In both, `@` gets a zero-width space after
  it (`@everyone`, Mattermost's `@channel` and `@name` notify no one) and so does `]` before
  `(` (a Markdown link `[label](url)` stays text, its address a plain address). The
  post's own link is given as a plain address, http(s) only.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from cache.export.markdown_text import is_web_link, one_line

DESKTOP_POSTS = 3
DESKTOP_TEXT = 140
"""Characters of each post's text in a desktop notification (a toast is small)."""
CHAT_TEXT = 200
"""Characters of each post's text in a chat message."""
_BREAK = "\u200b"
"""A zero-width space: it ends a mention or a link's syntax and shows nothing."""
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
"""What an address keeps as it is (RFC 3986's reserved characters and `%`); the rest of
what is not a plain letter or digit (a space, `<`, `>`, `|`, `"`, non-ASCII) is %-encoded."""


def desktop_notification(alert: dict[str, Any]) -> tuple[str, str]:
    """The title (plain text) and the body (notification markup) for `notify-send`."""
    lines = [one_line(alert.get("summary"))]
    for post in _stored(alert)[:DESKTOP_POSTS]:
        lines.append(f"{one_line(post.get('author'))}: {one_line(post.get('text'))[:DESKTOP_TEXT]}")
    body = "\n".join(html.escape(line, quote=False) for line in lines)
    return "Echowatch spike: " + one_line(alert.get("topic")), body


def chat_message(alert: dict[str, Any]) -> dict[str, Any]:
    """The JSON a chat webhook gets: `text` (Slack, Mattermost, Rocket.Chat), `content`
    (Discord) and Discord's `allowed_mentions`."""
    lines = ["Echowatch spike: " + _chat_words(alert.get("summary"))]
    for post in _stored(alert):
        text = _chat_words(one_line(post.get("text"))[:CHAT_TEXT])
        link = web_address(post.get("url"))
        lines.append(f"- {_chat_words(post.get('author'))}: {text} {link}".rstrip())
    message = "\n".join(lines)
    return {
        "text": html.escape(message, quote=False),
        "content": message.replace("<", "<" + _BREAK),
        "allowed_mentions": {"parse": []},
    }


def web_address(url: object) -> str:
    """`url` as a plain http(s) address with nothing in it that ends or hides it; '' for
    anything else (a `javascript:` link is no link)."""
    if not is_web_link(url):
        return ""
    return quote(str(url), safe=_URL_SAFE)


def _chat_words(value: object) -> str:
    """Hostile text as one line with a zero-width space after every `@` and between `]`
    and `(`: no mention, no Markdown link (an address in it may no longer open; the
    post's own link is given beside it)."""
    text = one_line(value)
    return text.replace("@", "@" + _BREAK).replace("](", "]" + _BREAK + "(")


def _stored(alert: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in alert.get("top_posts") or [] if isinstance(p, dict) and p.get("stored")]
