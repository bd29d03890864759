"""Per-host politeness: one queue per host, a delay between requests, a concurrency limit."""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from evidence_miner.sources.web.robots import RobotsRules
from evidence_miner.sources.web.state import FrontierItem

log = logging.getLogger(__name__)


@dataclass
class Host:
    """One host's queue and timing; robots None until its robots.txt was read."""

    key: str
    delay: float
    queue: deque[FrontierItem] = field(default_factory=deque)
    robots: RobotsRules | None = None
    robots_pending: bool = False
    next_time: float = 0.0
    in_flight: int = 0
    fetches: int = 0  # documents sent this run (first attempts), for crawl.max_pages_per_host
    parked_until: float | None = None  # robots.txt unavailable: nothing is sent before then


class Hosts:
    """Every host of a crawl; items waiting for a retry sit in one heap until they are due."""

    def __init__(
        self,
        *,
        delay: float,
        concurrency: int,
        max_crawl_delay: float,
        max_fetches: int = 0,
        robots_retry: float = 600.0,
    ) -> None:
        self.delay = delay
        self.concurrency = concurrency
        self.max_crawl_delay = max_crawl_delay
        self.max_fetches = max_fetches
        self.robots_retry = robots_retry
        self.by_key: dict[str, Host] = {}
        self.waiting: list[tuple[float, int, FrontierItem]] = []
        self._order = itertools.count()

    def get(self, key: str) -> Host:
        host = self.by_key.get(key)
        if host is None:
            host = self.by_key[key] = Host(key=key, delay=self.delay)
        return host

    def add(self, item: FrontierItem) -> None:
        self.get(item["host"]).queue.append(item)

    def add_later(self, item: FrontierItem, when: float) -> None:
        heapq.heappush(self.waiting, (when, next(self._order), item))

    def release_due(self, now: float) -> None:
        """Retries whose time has come go to the front of their host's queue."""
        while self.waiting and self.waiting[0][0] <= now:
            _, _, item = heapq.heappop(self.waiting)
            self.get(item["host"]).queue.appendleft(item)

    def set_robots(self, host: Host, rules: RobotsRules, now: float = 0.0) -> None:
        """Store the rules; a Crawl-delay longer than our own delay wins (capped). Unavailable
        rules park the host: its URLs stay queued and robots.txt is asked again later."""
        host.robots = rules
        host.robots_pending = False
        host.parked_until = now + self.robots_retry if rules.unavailable else None
        crawl_delay = rules.crawl_delay()
        if crawl_delay is not None:
            host.delay = max(self.delay, min(crawl_delay, self.max_crawl_delay))

    def needing_robots(self) -> Iterator[Host]:
        for host in list(self.by_key.values()):
            if host.queue and host.robots is None and not host.robots_pending:
                yield host

    def release_parked(self, now: float) -> None:
        """A parked host whose time is up gets its robots.txt fetched again."""
        for host in self.by_key.values():
            if host.parked_until is not None and host.parked_until <= now and not host.in_flight:
                host.parked_until, host.robots = None, None

    def is_resting(self, host: Host) -> bool:
        """Nothing more is sent to the host for now: parked, or its page budget is spent."""
        return host.parked_until is not None or 0 < self.max_fetches <= host.fetches

    def can_send(self, host: Host, now: float) -> bool:
        return (
            bool(host.queue)
            and host.robots is not None
            and not self.is_resting(host)
            and host.in_flight < self.concurrency
            and host.next_time <= now
        )

    def ready(self, now: float) -> Iterator[Host]:
        """Hosts that may send a request now, the longest-waiting first."""
        hosts = [host for host in self.by_key.values() if self.can_send(host, now)]
        yield from sorted(hosts, key=lambda host: host.next_time)

    def start_request(self, host: Host, now: float) -> None:
        host.in_flight += 1
        host.next_time = now + host.delay

    def finish_request(self, host: Host) -> None:
        host.in_flight = max(0, host.in_flight - 1)

    def hold(self, host: Host, until: float) -> None:
        """No request to this host before `until` (a Retry-After)."""
        host.next_time = max(host.next_time, until)

    def next_wakeup(self, now: float) -> float | None:
        """Seconds until a queued or waiting item may be sent, or None when only a finished
        request can let one go (or nothing waits)."""
        times = [
            h.next_time
            for h in self.by_key.values()
            if h.queue
            and h.robots is not None
            and h.in_flight < self.concurrency
            and not self.is_resting(h)
        ]
        times += [
            h.parked_until for h in self.by_key.values() if h.queue and h.parked_until is not None
        ]
        if self.waiting:
            times.append(self.waiting[0][0])
        return max(0.0, min(times) - now) if times else None

    def queued(self) -> int:
        """Items in memory that can still be sent in this run (resting hosts' items wait for
        the next run, unless a parked host's robots.txt comes back meanwhile)."""
        waiting = sum(
            1 for _, _, item in self.waiting if not self.is_resting(self.get(item["host"]))
        )
        return (
            sum(len(host.queue) for host in self.by_key.values() if not self.is_resting(host))
            + waiting
        )

    def full_hosts(self, limit: int) -> list[str]:
        """Hosts holding at least `limit` items in memory, or resting: none more are claimed
        for them."""
        return [
            key
            for key, host in self.by_key.items()
            if len(host.queue) >= limit or self.is_resting(host)
        ]
