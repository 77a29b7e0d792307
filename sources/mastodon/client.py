"""Mastodon.py's client as the Mastodon sources use it (imported when a source first
needs it: Mastodon.py takes about a second to import).

Two of its habits cost requests that a poll has no use for:

- Before every hashtag timeline and hashtag stream it asks the instance
  (`/api/v2/instance/`) whether that timeline is open to us, and keeps the answer only
  when the request worked: against an instance without that endpoint, or one that does
  not answer, every hashtag costs a second request (and a second timeout). Its only use
  of the answer is a Python warning; the timeline's own answer says the same in its
  status (`sources.mastodon.source` words it).
- It checks the instance's version before some parameters, asking `/api/v1/instance`,
  and when that request fails its check calls itself until Python's recursion limit.
"""

from __future__ import annotations

from typing import Any

from mastodon import Mastodon

from sources.net.api_session import ApiSession
from sources.net.http_fetch import USER_AGENT

ASSUMED_VERSION = (4, 0, 0)
"""The Mastodon version the client takes as given, so that it never asks the instance.
Every parameter we send is older than 4.0 and ignored by older servers, so assuming it
changes nothing else."""


class InstanceClient(Mastodon):
    """Mastodon.py's client without its per-call questions to the instance (see above)."""

    def timeline_is_available(self, *args: Any, **kwargs: Any) -> bool:
        return True  # the timeline's answer tells, without a request of its own


def instance_client(instance: str, token: str, timeout: float, session: ApiSession) -> Mastodon:
    """A client for `instance` on `session`, with the token when there is one."""
    client = InstanceClient(
        api_base_url=instance.rstrip("/"),
        access_token=token or None,
        ratelimit_method="throw",
        request_timeout=timeout,
        version_check_mode="none",
        mastodon_version=".".join(map(str, ASSUMED_VERSION)),
        user_agent=USER_AGENT,
        session=session,
    )
    # With version checks off Mastodon.py records the given version as checked but does
    # not parse it: set what its `verify_minimum_version` compares.
    client.mastodon_major, client.mastodon_minor, client.mastodon_patch = ASSUMED_VERSION
    return client
