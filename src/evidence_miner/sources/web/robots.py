"""robots.txt rules for the crawler's own User-Agent (Protego): allowed paths, delay, sitemaps."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

from protego import Protego

log = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309: parse at least the first 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    """What one host's robots.txt says to our agent; `parser` None means everything allowed.
    `unavailable`: it answered 5xx or could not be fetched, so everything is disallowed for
    crawl.robots_retry_seconds and it is then fetched again."""

    agent: str
    parser: Protego | None = None
    disallow_all: bool = False
    unavailable: bool = False
    refusal: str | None = None  # the host's address is refused ([EM603]): nothing is fetched
    sitemaps: tuple[str, ...] = field(default=())

    def can_fetch(self, url: str) -> bool:
        if self.disallow_all:
            return False
        return True if self.parser is None else bool(self.parser.can_fetch(url, self.agent))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None


def to_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match: "evidence-miner/0.1 (+url)" ->
    "evidence-miner"."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


def parse_robots(text: str, *, robots_url: str, agent: str) -> RobotsRules:
    """Rules from a robots.txt body (only its first MAX_ROBOTS_BYTES are read)."""
    text = text.encode("utf-8", "replace")[:MAX_ROBOTS_BYTES].decode("utf-8", "ignore")
    parser = Protego.parse(text)
    sitemaps = tuple(dict.fromkeys(urljoin(robots_url, s.strip()) for s in parser.sitemaps))
    return RobotsRules(agent=agent, parser=parser, sitemaps=sitemaps)


def rules_for_status(
    status: int | None, text: str, *, robots_url: str, agent: str, reason: str | None = None
) -> RobotsRules:
    """RFC 9309: 2xx parse it; 4xx means no rules; 5xx or unreachable means disallow all
    (for a while: the crawler fetches it again after crawl.robots_retry_seconds)."""
    if status is not None and 200 <= status < 300:
        return parse_robots(text, robots_url=robots_url, agent=agent)
    if status is not None and 400 <= status < 500:
        return RobotsRules(agent=agent)
    log.warning(
        "robots.txt %s unavailable (%s): not crawling that host until it is fetched again "
        "(crawl.robots_retry_seconds)",
        robots_url,
        reason or (f"HTTP {status}" if status is not None else "not fetched"),
        extra={"stage": "crawl", "url": robots_url},
    )
    return RobotsRules(agent=agent, disallow_all=True, unavailable=True)
