"""Fetch a host's robots.txt (conditionally, with retries) and turn it into rules."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from evidence_miner.sources.web.fetch import (
    Fetcher,
    Response,
    Validators,
    fetch_retrying,
    follow_redirects,
)
from evidence_miner.sources.web.policy import to_retry_wait
from evidence_miner.sources.web.robots import (
    MAX_ROBOTS_BYTES,
    RobotsRules,
    rules_for_status,
    to_agent_token,
)
from evidence_miner.sources.web.urls import robots_url

log = logging.getLogger(__name__)

ROBOTS_TYPES = None  # any content type: robots.txt is read as text whatever it is labelled
MAX_ROBOTS_RETRY_WAIT = 10.0
ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^\"')\]]+)")
REFUSED_ERRORS = frozenset({"private_address", "ambiguous_url"})  # refused for good


def fetch_robots(
    fetcher: Fetcher, page_url: str, stored: Mapping[str, Any] | None, *, retries: int
) -> tuple[Response, RobotsRules]:
    """The robots.txt response of a page's host and its rules (RFC 9309); a 304 reuses the
    stored body. Connection errors, 429 and 5xx are retried; still failing means disallow all."""
    url = robots_url(page_url)
    validators = to_validators(stored)

    def wait(answer: Response, attempt: int) -> None:
        fetcher.pause(retry_wait(answer, attempt, fetcher))

    response = fetch_retrying(
        lambda: fetch_following(fetcher, url, validators), retries=retries, wait=wait
    )
    agent = to_agent_token(fetcher.settings.user_agent_string)
    if response.status == 304 and stored and stored.get("body") is not None:
        return response, rules_for_status(200, str(stored["body"]), robots_url=url, agent=agent)
    if response.error in REFUSED_ERRORS:  # refused for good, not unavailable for a while
        return response, RobotsRules(agent=agent, disallow_all=True, refusal=response.message)
    text = response.body.decode("utf-8", "replace")
    status = None if response.error else response.status
    reason = describe_failure(response) if response.error else None
    return response, rules_for_status(status, text, robots_url=url, agent=agent, reason=reason)


def describe_failure(response: Response) -> str:
    """A fetch's failure in a few words: "HTTP 503", "connection: Connection refused"."""
    if not response.error:
        return f"HTTP {response.status}"
    cause = ERRNO_RE.search(response.message or "")
    return f"{response.error}: {cause.group(1).strip()}" if cause else response.error


def to_validators(stored: Mapping[str, Any] | None) -> Validators | None:
    if not stored or stored.get("body") is None:
        return None
    return Validators(etag=stored.get("etag"), last_modified=stored.get("last_modified"))


def fetch_following(fetcher: Fetcher, url: str, validators: Validators | None) -> Response:
    """robots.txt may redirect to another host (http -> https, say): follow a few hops.
    Only its first MAX_ROBOTS_BYTES are read (RFC 9309): a huge one is cut, not refused."""

    def fetch_hop(target: str) -> Response:
        response = fetch_robots_body(fetcher, target, validators)
        response.url = url
        return response

    first = fetch_robots_body(fetcher, url, validators)
    return follow_redirects(first, fetch_hop, max_redirects=fetcher.settings.max_redirects)


def fetch_robots_body(fetcher: Fetcher, url: str, validators: Validators | None) -> Response:
    return fetcher.fetch(
        url, validators=validators, allowed_types=ROBOTS_TYPES, keep_first=MAX_ROBOTS_BYTES
    )


def retry_wait(response: Response, attempt: int, fetcher: Fetcher) -> float:
    return to_retry_wait(response, attempt, fetcher.settings, cap=MAX_ROBOTS_RETRY_WAIT)
