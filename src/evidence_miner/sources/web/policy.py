"""When to retry a fetch and how long to wait: exponential backoff with jitter, Retry-After."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
JITTER_LOW, JITTER_HIGH = 0.5, 1.5


def is_retry_status(status: int) -> bool:
    """408, 429 and 5xx are worth another try; other statuses are final."""
    return status in RETRY_STATUSES or 500 <= status < 600


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


def to_retry_reason(status: int | None, error: str | None) -> str:
    """Counter key part for a retried fetch: the status ("503") or the error kind ("timeout")."""
    return str(status) if status is not None else (error or "error")
