"""The crawler's one policy for transient answers and redirects: which fetches are tried again
(408, 429, 5xx, timeouts, broken connections), how long to wait (exponential backoff with
jitter, Retry-After), which answers are redirects and where they point. The crawler, robots.txt
fetches and the `text` command's one-URL fetch all ask here.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from evidence_miner.errors import FetchError
from evidence_miner.sources.web.security import parse_endpoint
from evidence_miner.sources.web.urls import is_web_url

if TYPE_CHECKING:  # fetch.py imports this module
    from evidence_miner.sources.web.fetch import Response
    from evidence_miner.settings import CrawlSettings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
TRANSIENT_ERRORS = frozenset({"timeout", "connection"})  # Response.error keys worth a retry
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A crawl honours Retry-After on these (and gives up when it asks more than
# crawl.max_retry_after_seconds); one-off fetches read it on any transient answer.
RETRY_AFTER_STATUSES = frozenset({429, 503})
JITTER_LOW, JITTER_HIGH = 0.5, 1.5


def is_retry_status(status: int) -> bool:
    """408, 429 and 5xx are worth another try; other statuses are final."""
    return status in RETRY_STATUSES or 500 <= status < 600


def is_transient(response: Response) -> bool:
    """A timeout, a broken connection, or an HTTP status worth another try (and no error)."""
    if response.error in TRANSIENT_ERRORS:
        return True
    return not response.error and response.status is not None and is_retry_status(response.status)


def is_redirect_status(status: int | None) -> bool:
    return status in REDIRECT_STATUSES


def is_redirect(response: Response) -> bool:
    """A redirect answer (no error) with a Location header to follow."""
    return not response.error and is_redirect_status(response.status) and bool(response.location)


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds before retry number `attempt` (1, 2, ...): base * 2**(attempt-1), jittered."""
    jitter = (rng or random).uniform(JITTER_LOW, JITTER_HIGH)
    return min(cap, base * 2 ** max(attempt - 1, 0) * jitter)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for: "120" or an HTTP date; None when absent or bad
    (digits other than ASCII ones, "²" or "١٢", are bad: RFC 9110 says DIGIT)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        log.debug("unreadable Retry-After %r", value, extra={"stage": "crawl"})
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    except OverflowError:
        return None


def to_retry_wait(
    response: Response, attempt: int, settings: CrawlSettings, *, cap: float
) -> float:
    """Seconds before retry number `attempt` of a one-off fetch: the backoff or what
    Retry-After asks, whichever is longer, at most `cap`."""
    asked = parse_retry_after(response.retry_after) or 0.0
    wait = backoff_delay(attempt, base=settings.backoff_seconds, cap=settings.max_backoff_seconds)
    return min(max(wait, asked), cap)


def to_asked_wait(response: Response) -> float | None:
    """Seconds a crawl waits because a 429 or 503 answer's Retry-After asks it to, or None."""
    if response.status not in RETRY_AFTER_STATUSES:
        return None
    return parse_retry_after(response.retry_after)


def to_redirect_target(current: str, location: str) -> str:
    """The absolute URL a Location header points to (a non-web one as it is). FetchError
    [EM621] when it is no usable URL (port 99999, "http://[::1"), [EM620] when ambiguous."""
    try:
        target = urljoin(current, location.strip())
        if is_web_url(target):
            parse_endpoint(target)
    except FetchError as exc:
        if str(exc).startswith("[EM620]"):
            raise
        reason = str(exc.__cause__ or "not an http(s) URL")
    except ValueError as exc:
        reason = str(exc)
    else:
        return target
    raise FetchError(
        f"[EM621] {current!r} redirects to {location!r}, which is no usable URL ({reason}). "
        "Nothing to do but report it to the site; the crawl goes on without it."
    )
