"""Tests for the one transient/redirect policy (sources/web/policy.py)."""

from __future__ import annotations

import pytest

from evidence_miner.errors import FetchError
from evidence_miner.sources.web.fetch import Response
from evidence_miner.sources.web.policy import (
    is_redirect,
    is_transient,
    to_asked_wait,
    to_redirect_target,
)


def answer(status: int | None = None, error: str | None = None, **fields: str) -> Response:
    return Response(url="http://a.test/", final_url="http://a.test/", status=status, error=error, **fields)


@pytest.mark.parametrize(
    ("response", "transient"),
    [(answer(503), True), (answer(429), True), (answer(408), True), (answer(599), True),
     (answer(error="timeout"), True), (answer(error="connection"), True), (answer(404), False),
     (answer(200), False), (answer(error="stopped"), False), (answer(error="too_large"), False),
     (answer(503, error="robots"), False)],
)  # fmt: skip
def test_is_transient_retries_408_429_5xx_timeouts_and_broken_connections(response: Response, transient: bool) -> None:
    assert is_transient(response) is transient


def test_is_redirect_needs_a_redirect_status_a_location_and_no_error() -> None:
    assert is_redirect(answer(301, location="/b")) and is_redirect(answer(308, location="/b"))
    assert not is_redirect(answer(301)) and not is_redirect(answer(200, location="/b"))
    assert not is_redirect(answer(302, error="redirect_loop", location="/b"))


def test_to_asked_wait_reads_retry_after_of_429_and_503_only() -> None:
    assert to_asked_wait(answer(429, retry_after="7")) == 7.0
    assert to_asked_wait(answer(503, retry_after="7")) == 7.0
    assert to_asked_wait(answer(500, retry_after="7")) is None


def test_to_redirect_target_resolves_relative_and_refuses_unusable_urls() -> None:
    assert to_redirect_target("http://a.test/x/y", "../z") == "http://a.test/z"
    assert to_redirect_target("http://a.test/", "mailto:x@a.test") == "mailto:x@a.test"
    with pytest.raises(FetchError, match=r"^\[EM621\]"):
        to_redirect_target("http://a.test/", "http://a.test:99999/")
