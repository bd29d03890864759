"""Fetch one URL outside a crawl (the `text` command): robots, retries, redirects, same reading."""

from __future__ import annotations

import logging

from evidence_miner.sources.web.document import UNKNOWN, read_document, to_read_options
from evidence_miner.sources.web.fetch import Fetcher, Response, fetch_retrying, follow_redirects
from evidence_miner.sources.web.policy import to_retry_wait
from evidence_miner.sources.web.robots import to_agent_token
from evidence_miner.sources.web.robots_fetch import fetch_robots
from evidence_miner.sources.web.security import build_policy
from evidence_miner.sources.web.urls import normalise_url
from evidence_miner.errors import FetchError
from evidence_miner.records import Page
from evidence_miner.settings import CrawlSettings

log = logging.getLogger(__name__)


def fetch_page(url: str, settings: CrawlSettings) -> Page:
    """The Page of one URL, read exactly as the crawler reads it; FetchError when robots.txt
    disallows it, it cannot be fetched, or it has no main text."""
    url = normalise_url(url, tracking=settings.tracking_parameters)
    fetcher = Fetcher(settings, build_policy([url]))
    try:
        check_robots(fetcher, url, settings)
        response = fetch_with_retries(fetcher, url, settings)
    finally:
        fetcher.close()
    document = read_document(response, to_read_options(settings))
    if document.kind == UNKNOWN or document.page is None:
        raise FetchError(
            document.reason
            or f"[EM614] {url!r} has no main text (a {document.kind} page). Give an article URL."
        )
    return document.page


def check_robots(fetcher: Fetcher, url: str, settings: CrawlSettings) -> None:
    response, rules = fetch_robots(fetcher, url, None, retries=settings.retries)
    if rules.unavailable:
        raise FetchError(
            f"[EM615] robots.txt of {url!r} is unavailable ({response.status or response.error}), "
            "which means nothing may be fetched there for now. Try again later."
        )
    if not rules.can_fetch(url):
        raise FetchError(
            f"[EM613] robots.txt of {url!r} disallows "
            f"{to_agent_token(settings.user_agent_string)!r}"
            " there. Save the page in a browser and give the file instead."
        )


def fetch_with_retries(fetcher: Fetcher, url: str, settings: CrawlSettings) -> Response:
    """A 200 response, retrying transient failures and following redirects to other hosts
    (the policy of policy.py)."""

    def wait(response: Response, attempt: int) -> None:
        cap = settings.max_retry_after_seconds
        fetcher.pause(to_retry_wait(response, attempt, settings, cap=cap))

    response = fetch_retrying(
        lambda: fetch_following(fetcher, url, settings), retries=settings.retries, wait=wait
    )
    if response.error:
        raise FetchError(response.message or f"[EM605] Cannot fetch {url!r}.")
    if response.status != 200:
        raise FetchError(f"[EM612] {url!r} answered HTTP {response.status}. Check the URL.")
    return response


def fetch_following(fetcher: Fetcher, url: str, settings: CrawlSettings) -> Response:
    return follow_redirects(fetcher.fetch(url), fetcher.fetch, max_redirects=settings.max_redirects)
