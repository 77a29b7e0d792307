"""THE redaction of secrets from text that is stored or shown (errors, logs, status).

Servers echo what they were sent: an X error page can quote the `Authorization` header,
bearer token and all. Every place that keeps or prints text from outside (a source's
`last_error`, a poll report, a log line, `status`, the Sources view) passes it through
`redact` first. It removes:

- the value of each secret in the environment: `X_BEARER_TOKEN`, and any variable whose
  name ends in `_TOKEN`, `_PASSWORD`, `_SECRET` or `_API_KEY` (app passwords, access
  tokens). Values of 8 characters or more are removed wherever they occur; shorter ones
  only as whole words, so that a short test token never turns "updated" into
  "upda[redacted]ed";
- `Bearer <anything>` and the value of an `Authorization` header, however quoted;
- `access_token=`, `token=`, `api_key=`, `password=` values in URLs and forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sources.model.config import SECRET_ENVS
from sources.model.secret_env import source_environ

REDACTED = "[redacted]"
SECRET_ENV_SUFFIXES = ("_TOKEN", "_PASSWORD", "_SECRET", "_API_KEY")
"""Environment variables whose values are secrets (besides those named exactly)."""
SECRET_ENV_NAMES = SECRET_ENVS
"""The secrets Echowatch itself reads (X token, Bluesky app password, Mastodon token)."""
MIN_ANYWHERE = 8
"""Secrets at least this long are removed wherever they occur; shorter ones as words."""

_AUTHORIZATION = re.compile(
    r"""(?ix)
    ( \b(?:proxy-)?authorization ['"]? \s* [:=] \s* ['"]? )   # the header's name
    ( [^'"\r\n,}]+ )                                          # its value, to a quote or end
    """
)
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[^\s'\"<>,;)}\]]+")
_QUERY_SECRET = re.compile(r"(?i)\b(access_token|token|api_key|apikey|password)=([^&\s'\"<>]+)")


def environment_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The secret values configured in the environment, longest first."""
    env = source_environ() if env is None else env
    # The value as sent is the value without its surrounding whitespace (`read_secret`).
    values = {
        form
        for name, value in env.items()
        if value.strip()
        and (name in SECRET_ENV_NAMES or name.upper().endswith(SECRET_ENV_SUFFIXES))
        for form in (value, value.strip())
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str, extra_secrets: Iterable[str] = ()) -> str:
    """`text` without the configured secrets, bearer tokens or Authorization values."""
    if not text:
        return text
    for secret in [*extra_secrets, *environment_secrets()]:
        if not secret or secret not in text:
            continue
        if len(secret) >= MIN_ANYWHERE:
            text = text.replace(secret, REDACTED)
        else:
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", REDACTED, text)
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def redact_optional(text: str | None, extra_secrets: Iterable[str] = ()) -> str | None:
    """`redact` for a column that may be NULL."""
    return None if text is None else redact(text, extra_secrets)
