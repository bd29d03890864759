"""The crawl loop: claim URLs, fetch hosts in parallel politely, read documents, yield articles.

One thread (the caller's) owns the CrawlState and the schedule; worker threads only fetch and
read. Every result is written as one CrawlState step, so a killed crawl resumes cleanly: an
article counts as done only when the caller says it is stored (`mark_stored`).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from evidence_miner.sources.web.discover import FEED, PAGE, SITEMAP, Link, parse_web_date
from evidence_miner.sources.web.document import (
    ARTICLE,
    UNKNOWN,
    Document,
    read_document,
    to_read_options,
)
from evidence_miner.sources.web.fetch import STOP, Fetcher, Response, Validators
from evidence_miner.sources.web.hosts import Host, Hosts
from evidence_miner.sources.web.policy import (
    backoff_delay,
    is_redirect_status,
    is_transient,
    to_asked_wait,
)
from evidence_miner.sources.web.robots import RobotsRules
from evidence_miner.sources.web.robots_fetch import describe_failure, fetch_robots
from evidence_miner.sources.web.security import build_policy
from evidence_miner.sources.web.state import (
    DONE,
    FAILED,
    FINISHED,
    PAUSED,
    SKIPPED,
    CrawlState,
    DocumentValues,
    FailureValues,
    FetchEntry,
    FrontierItem,
    Step,
    to_frontier_item,
)
from evidence_miner.sources.web.urls import (
    has_extension,
    host_key,
    normalise_url,
    robots_url,
    scope_of,
    try_normalise,
)
from evidence_miner.records import Page
from evidence_miner.settings import CrawlSettings

log = logging.getLogger(__name__)

START = "start"
SKIP_ERRORS = frozenset({"robots", "content_type", "offsite"})
CLAIM_PER_HOST = 200
CLAIM_LIMIT = 2_000
CLAIM_EVERY_SECONDS = 0.5
MAX_IDLE_WAIT = 1.0
RATE_WINDOW_FETCHES = 50
GONE_STATUSES = frozenset({404, 410})
NETWORK_FAILURES = frozenset({"timeout", "connection", "dns"})


@dataclass
class CrawlStats:
    """Live numbers for the progress bar and the summary: counters keyed by reason."""

    counters: Counter = field(default_factory=Counter)
    fetched: int = 0
    answered: int = 0  # fetches that got an HTTP status (0 at the end: nothing was reachable)
    skipped: int = 0
    failed: int = 0
    articles: int = 0
    queued: int = 0
    started: float = field(default_factory=time.monotonic)
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=RATE_WINDOW_FETCHES))

    def count_fetch(self, response: Response) -> None:
        self.fetched += 1
        self.answered += response.status is not None
        self.recent.append(time.monotonic())

    def rate(self) -> float:
        """Fetches per second since the crawl started."""
        elapsed = time.monotonic() - self.started
        return self.fetched / elapsed if elapsed > 0 else 0.0

    def current_rate(self) -> float:
        """Fetches per second over the last RATE_WINDOW_FETCHES fetches."""
        if len(self.recent) < 2:
            return self.rate()
        span = time.monotonic() - self.recent[0]
        return (len(self.recent) - 1) / span if span > 0 else 0.0


@dataclass
class Pending:
    """An article handed to the caller and not yet stored: what to remember once it is."""

    item: FrontierItem
    values: DocumentValues


@dataclass
class Job:
    """Work in a thread: robots.txt of a host, a frontier item's fetch, or reading its body
    (after the fetch, so a slow read never holds the host's request slot)."""

    host: Host
    item: FrontierItem | None = None
    response: Response | None = None


class Crawler:
    """Crawl from start URLs; iterate `pages()` for article Pages, call `mark_stored` for
    each once it is saved, and `finish()` at the end."""

    def __init__(
        self,
        settings: CrawlSettings,
        state: CrawlState,
        starts: Sequence[str],
        *,
        on_progress: Callable[[CrawlStats], None] | None = None,
        stop: threading.Event | None = None,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.state = state
        self.tracking = tuple(settings.tracking_parameters)
        self.starts = list(dict.fromkeys(normalise_url(s, tracking=self.tracking) for s in starts))
        self.sites = {scope_of(url) for url in self.starts}  # host and port, per start
        self.fetcher = Fetcher(settings, build_policy(self.starts), stop=stop)
        self.hosts = Hosts(
            delay=settings.delay_seconds,
            concurrency=settings.concurrency_per_host,
            max_crawl_delay=settings.max_crawl_delay_seconds,
            max_fetches=settings.max_pages_per_host,
            robots_retry=settings.robots_retry_seconds,
        )
        self.options = to_read_options(settings)
        self.stats = CrawlStats()
        self.on_progress = on_progress
        self.seen: set[str] = set()
        self.pending: dict[str, Pending] = {}
        self.failed_before: dict[str, Mapping[str, Any]] = {}  # URLs retried after a failure
        self.texts: dict[str, str] = {}
        self.inflight: dict[Future, Job] = {}
        self.dispatched = 0
        self.last_claim = 0.0
        self.dirty = True
        self.run_id = 0
        self.rng = random.Random()
        self.stop = stop  # once set: no new requests; the run pauses (resumable) when idle
        self.include = [re.compile(pattern) for pattern in include]
        self.exclude = [re.compile(pattern) for pattern in exclude]
        self.robots_down: dict[str, str] = {}  # host -> why its robots.txt could not be read

    # -- the loop -------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        """Article pages, new or changed, as they are read; runs the whole crawl."""
        self.run_id, resumed = self.state.open_run(self.starts)
        log.info(
            "%s crawl run %d",
            "resuming" if resumed else "starting",
            self.run_id,
            extra={"stage": "crawl"},
        )
        starts = [self.to_item(url, depth=0, hint=START, source=None) for url in self.starts]
        self.apply(Step(enqueue=[item for item in starts if item is not None]))
        self.stats.queued = self.state.count_states(self.run_id).get("queued", 0)
        pool = ThreadPoolExecutor(self.settings.max_workers, thread_name_prefix="crawl")
        try:
            yield from self.loop(pool)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.fetcher.close()

    def loop(self, pool: ThreadPoolExecutor) -> Iterator[Page]:
        while True:
            self.claim()
            self.dispatch(pool)
            if not self.inflight and (self.is_budget_spent() or self.is_frontier_empty()):
                return
            if not self.inflight:
                time.sleep(min(self.hosts.next_wakeup(time.monotonic()) or 0.05, MAX_IDLE_WAIT))
                continue
            full = len(self.inflight) >= self.settings.max_workers
            timeout = None if full else self.hosts.next_wakeup(time.monotonic())
            done, _ = wait(list(self.inflight), timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                yield from self.handle(pool, self.inflight.pop(future), future)
            self.report()

    def finish(self) -> str:
        """Close the run: "finished" when every URL is settled, else "paused" (resumable)."""
        states = self.state.count_states(self.run_id)
        status = PAUSED if states.get("queued") or states.get("active") else FINISHED
        self.state.close_run(self.run_id, status)
        return status

    def describe_stop(self, status: str) -> tuple[str, str]:
        """Why the run ended as `status`: ("finished" | "interrupted" | "max_pages" |
        "robots_unavailable" | "host_budget", a sentence saying so and what to do)."""
        if status == FINISHED:
            return "finished", "finished: every URL is settled"
        if self.stop is not None and self.stop.is_set():
            return "interrupted", "interrupted: run the same command again to continue"
        if 0 < self.settings.max_pages <= self.dispatched:
            return "max_pages", (
                f"stopped at --max-pages ({self.settings.max_pages} documents): "
                "run the same command again to continue"
            )
        if self.robots_down:
            hosts = "; ".join(f"{host} ({why})" for host, why in sorted(self.robots_down.items()))
            return "robots_unavailable", (
                f"[EM531] stopped: the robots.txt of {hosts} could not be fetched, so nothing "
                "else was sent there; their URLs stay queued. Check that the host is reachable, "
                "then run the same command again."
            )
        return "host_budget", (
            "stopped at crawl.max_pages_per_host: the other URLs of those "
            "hosts stay queued; run the same command again to continue"
        )

    def is_frontier_empty(self) -> bool:
        if self.hosts.queued():
            return False
        self.claim(force=True)
        return not self.hosts.queued()

    def is_budget_spent(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        return 0 < self.settings.max_pages <= self.dispatched

    def claim(self, *, force: bool = False) -> None:
        """Move QUEUED rows into host queues, a bounded number per host: after new rows were
        queued, else every so often (rows of hosts that were full)."""
        now = time.monotonic()
        if not (force or self.dirty) and now - self.last_claim < CLAIM_EVERY_SECONDS:
            return
        self.last_claim, self.dirty = now, False
        skip = self.hosts.full_hosts(CLAIM_PER_HOST // 2)
        rows = self.state.claim(self.run_id, CLAIM_LIMIT, per_host=CLAIM_PER_HOST, skip_hosts=skip)
        self.stats.queued -= len(rows)
        for row in self.hold_back_failed(rows):
            self.hosts.add(to_frontier_item(row))

    def report(self) -> None:
        self.stats.queued = max(self.stats.queued, 0)
        if self.on_progress is not None:
            self.on_progress(self.stats)

    # -- sending requests -----------------------------------------------------------------

    def dispatch(self, pool: ThreadPoolExecutor) -> None:
        now = time.monotonic()
        self.hosts.release_due(now)
        self.hosts.release_parked(now)
        for host in self.hosts.needing_robots():
            if len(self.inflight) < self.settings.max_workers:
                self.send_robots(pool, host, now)
        for host in self.hosts.ready(now):
            while len(self.inflight) < self.settings.max_workers and self.hosts.can_send(host, now):
                if self.is_budget_spent():
                    return
                self.send_item(pool, host, host.queue.popleft(), now)

    def send_robots(self, pool: ThreadPoolExecutor, host: Host, now: float) -> None:
        host.robots_pending = True
        self.hosts.start_request(host, now)
        url = host.queue[0]["url"]
        stored = self.state.document(robots_url(url))
        future = pool.submit(fetch_robots, self.fetcher, url, stored, retries=self.settings.retries)
        self.inflight[future] = Job(host)

    def send_item(
        self, pool: ThreadPoolExecutor, host: Host, item: FrontierItem, now: float
    ) -> None:
        assert host.robots is not None  # can_send checked it
        if not host.robots.can_fetch(item["url"]):
            self.refuse(item, host.robots.refusal)
            return
        if item["attempts"] == 0:
            self.dispatched += 1
            host.fetches += 1
        self.hosts.start_request(host, now)
        validators = self.validators_for(item["url"])
        future = pool.submit(
            self.fetcher.fetch, item["url"], validators=validators, check_hop=self.check_hop
        )
        self.inflight[future] = Job(host, item)

    def refuse(self, item: FrontierItem, refusal: str | None) -> None:
        """Settle a URL that is not fetched: robots.txt disallows it, or (`refusal`, [EM603])
        its host's address is refused."""
        if refusal is None:
            self.stats.counters["fetch/skipped/robots"] += 1
            self.stats.skipped += 1
            self.apply(Step(settle=(item["url"], SKIPPED, "robots.txt disallows it")))
            return
        self.stats.counters["fetch/failed/private_address"] += 1
        self.stats.failed += 1
        self.apply(Step(settle=(item["url"], FAILED, refusal)))

    # -- failures remembered between runs -----------------------------------------------

    def hold_back_failed(self, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The claimed rows to fetch now. A URL that failed in an earlier run is settled as
        skipped, without a request, until its retry time (a start URL is always fetched)."""
        memos = self.state.failures([row["url"] for row in rows]) if rows else {}
        now, keep = datetime.now(UTC), []
        for row in rows:
            memo = memos.get(row["url"])
            if memo is not None and row["hint"] != START and to_aware(memo["retry_at"]) > now:
                self.skip_failed(row["url"], memo)
                continue
            if memo is not None:
                self.failed_before[row["url"]] = memo
            keep.append(row)
        return keep

    def skip_failed(self, url: str, memo: Mapping[str, Any]) -> None:
        self.stats.counters["fetch/skipped/backoff"] += 1
        self.stats.skipped += 1
        retry_at = to_aware(memo["retry_at"]).strftime("%Y-%m-%d %H:%M UTC")
        reason = (
            f"{memo['reason']} {memo['failures']} time(s) in a row; not asked before {retry_at}"
        )
        self.apply(Step(settle=(url, SKIPPED, reason)))

    def remember_failure(self, step: Step, url: str, response: Response, outcome: str) -> None:
        """Add to a FAILED step when to ask for the URL again (see to_backoff_hours)."""
        previous = self.failed_before.pop(url, None)
        failures = int(previous["failures"]) + 1 if previous else 1
        hours = to_backoff_hours(response, self.settings, failures)
        if hours > 0:
            now = datetime.now(UTC)
            retry_at = now + timedelta(hours=hours)
            step["failure"] = (
                url,
                FailureValues(
                    status=response.status,
                    reason=outcome[:32],
                    failures=failures,
                    failed_at=now,
                    retry_at=retry_at,
                ),
            )

    def forget_recovered(self, step: Step) -> None:
        """A URL that failed before and is settled otherwise now: its failures are forgotten."""
        settled = step.get("settle")
        if (
            settled is not None
            and settled[1] != FAILED
            and self.failed_before.pop(settled[0], None)
        ):
            step["recovered"] = settled[0]

    def validators_for(self, url: str) -> Validators | None:
        known = self.state.document(url)
        if not known or not (known.get("etag") or known.get("last_modified")):
            return None
        return Validators(etag=known.get("etag"), last_modified=known.get("last_modified"))

    def check_hop(self, url: str) -> str | None:
        """Worker thread: a same-host redirect to a URL this run knows is handed back (STOP);
        one robots.txt disallows is refused."""
        if try_normalise(url, tracking=self.tracking) in self.seen:
            return STOP
        host = self.hosts.by_key.get(host_key(url))
        robots = host.robots if host is not None else None
        return "robots" if robots is not None and not robots.can_fetch(url) else None

    # -- handling results -----------------------------------------------------------------

    def handle(self, pool: ThreadPoolExecutor, job: Job, future: Future) -> Iterator[Page]:
        """A finished job: robots.txt, a fetch (a 200 body goes on to be read), or a read."""
        if job.response is not None:
            assert job.item is not None  # only an item's fetch is read
            yield from self.handle_item(job.host, job.item, job.response, future.result())
            return
        self.hosts.finish_request(job.host)
        if job.item is None:
            response, rules = future.result()
            self.stats.count_fetch(response)
            self.handle_robots(job.host, response, rules)
            return
        response = future.result()
        self.stats.count_fetch(response)
        if response.error or response.status != 200:
            yield from self.handle_item(job.host, job.item, response, None)
            return
        read = pool.submit(read_document, response, self.options)
        self.inflight[read] = Job(job.host, job.item, response)

    def handle_robots(self, host: Host, response: Response, rules: RobotsRules) -> None:
        self.hosts.set_robots(host, rules, time.monotonic())
        outcome = f"robots/{response.status or response.error}"
        self.stats.counters[outcome] += 1
        if rules.unavailable:
            self.stats.counters["robots/unavailable/host_parked"] += 1
            self.robots_down[host.key] = describe_failure(response)
        else:
            self.robots_down.pop(host.key, None)
        step = Step(fetch=to_fetch_entry(response, outcome, None))
        if response.status == 200:
            step["documents"] = {
                response.url: DocumentValues(
                    kind="robots",
                    etag=response.etag,
                    last_modified=response.last_modified,
                    body=response.body.decode("utf-8", "replace"),
                )
            }
        if scope_of(response.url) in self.sites:
            step["enqueue"] = self.to_sitemap_items(rules.sitemaps, response.url)
        self.apply(step)

    def to_sitemap_items(self, urls: Sequence[str], source: str) -> list[FrontierItem]:
        """Frontier items of robots.txt `Sitemap:` lines, normalised like any link (an
        ambiguous URL, EM620, is dropped and counted)."""
        items = []
        for url in urls:
            normal = try_normalise(url, tracking=self.tracking)
            if normal is None:
                self.stats.counters["discover/skipped/bad_url"] += 1
                continue
            item = self.to_item(normal, depth=0, hint=SITEMAP, source=source)
            items.extend([item] if item is not None else [])
        return items

    def handle_item(
        self, host: Host, item: FrontierItem, response: Response, document: Document | None
    ) -> Iterator[Page]:
        url = item["url"]
        if response.error == "stopped":  # the crawl is stopping: the row stays, resumed later
            self.stats.counters["fetch/stopped"] += 1
        elif is_transient(response):
            self.retry_or_fail(host, item, response)
        elif response.error:
            state = SKIPPED if response.error in SKIP_ERRORS else FAILED
            self.settle(item, response, state, f"{state}/{response.error}", response.message)
            if response.error == "content_type" and (response.etag or response.last_modified):
                self.apply(
                    Step(
                        documents={
                            url: DocumentValues(  # next time: a conditional request
                                kind="skipped",
                                etag=response.etag,
                                last_modified=response.last_modified,
                            )
                        }
                    )
                )
        elif response.status == 304:
            self.handle_unchanged(item, response)
        elif is_redirect_status(response.status):
            self.handle_redirect(item, response)
        elif response.status != 200 or document is None:
            self.settle(
                item,
                response,
                FAILED,
                f"failed/{response.status}",
                f"[EM612] {url!r} answered HTTP {response.status}.",
            )
        elif document.kind == UNKNOWN:
            self.settle(item, response, FAILED, "failed/unreadable", document.reason)
        elif document.kind == ARTICLE:
            self.count_dropped_links(document)
            yield from self.handle_article(item, response, document)
        else:
            self.count_dropped_links(document)
            self.handle_listing(item, response, document)

    def count_dropped_links(self, document: Document) -> None:
        if document.dropped_links:
            self.stats.counters["discover/skipped/too_many_links"] += document.dropped_links

    def retry_or_fail(self, host: Host, item: FrontierItem, response: Response) -> None:
        reason = str(response.status) if response.status else str(response.error)
        attempts = item["attempts"] + 1
        asked = to_asked_wait(response)
        if attempts > self.settings.retries or (asked or 0) > self.settings.max_retry_after_seconds:
            log.warning(
                "giving up on %s after %d attempts: %s",
                item["url"],
                attempts,
                reason,
                extra={"stage": "crawl", "url": item["url"]},
            )
            message = (
                response.message or f"[EM612] {item['url']!r} answered HTTP {response.status}."
            )
            self.settle(item, response, FAILED, f"failed/{reason}", message)
            return
        delay = backoff_delay(
            attempts,
            base=self.settings.backoff_seconds,
            cap=self.settings.max_backoff_seconds,
            rng=self.rng,
        )
        now = time.monotonic()
        if asked is not None:
            delay = max(delay, asked)
            self.hosts.hold(host, now + asked)
        item["attempts"] = attempts
        self.hosts.add_later(item, now + delay)
        self.stats.counters[f"fetch/retry/{reason}"] += 1
        self.apply(
            Step(
                fetch=to_fetch_entry(response, f"retry/{reason}", None),
                retry=(item["url"], attempts, response.message or reason),
            )
        )

    def settle(
        self, item: FrontierItem, response: Response, state: str, outcome: str, message: str | None
    ) -> None:
        self.stats.counters[f"fetch/{outcome}"] += 1
        if state == FAILED:
            self.stats.failed += 1
        elif state == SKIPPED:
            self.stats.skipped += 1
        log.info(
            "%s: %s", item["url"], message or outcome, extra={"stage": "crawl", "url": item["url"]}
        )
        step = Step(
            fetch=to_fetch_entry(response, outcome, message),
            settle=(item["url"], state, message or outcome),
        )
        if state == FAILED:
            self.remember_failure(step, item["url"], response, outcome)
        self.apply(step)

    def handle_unchanged(self, item: FrontierItem, response: Response) -> None:
        """304: nothing to read; the links it had last time are followed again."""
        self.stats.counters["fetch/unchanged/304"] += 1
        known = self.state.document(item["url"]) or {}
        links = [Link(url, hint) for url, hint in self.state.links_of(item["url"])]
        enqueue = self.to_items(links, item, kind=str(known.get("kind", "listing")))
        state = SKIPPED if known.get("kind") == "skipped" else DONE
        self.apply(
            Step(
                fetch=to_fetch_entry(response, "unchanged", None),
                settle=(item["url"], state, "unchanged (304)"),
                enqueue=enqueue,
            )
        )

    def handle_redirect(self, item: FrontierItem, response: Response) -> None:
        """A redirect to another host: its target joins the frontier (if in scope)."""
        self.stats.counters["fetch/redirect"] += 1
        target = try_normalise(response.location or "", tracking=self.tracking)
        enqueue = []
        if target is not None:
            new = self.to_item(target, depth=item["depth"], hint=item["hint"], source=item["url"])
            enqueue = [new] if new is not None else []
        self.apply(
            Step(
                fetch=to_fetch_entry(response, "redirect", None),
                settle=(item["url"], DONE, f"redirects to {response.location}"),
                enqueue=enqueue,
            )
        )

    def handle_listing(self, item: FrontierItem, response: Response, document: Document) -> None:
        """A sitemap, feed or listing page: remember it and queue its links."""
        self.stats.counters[f"page/{document.kind}"] += 1
        links = [(link.url, link.hint) for link in document.links]
        self.apply(
            Step(
                fetch=to_fetch_entry(response, "ok", None, document.content_sha256),
                settle=(item["url"], DONE, document.kind),
                documents={item["url"]: to_document_values(document.kind, response, document)},
                links=(item["url"], links),
                enqueue=self.to_items(document.links, item, kind=document.kind),
            )
        )

    def handle_article(
        self, item: FrontierItem, response: Response, document: Document
    ) -> Iterator[Page]:
        """A new or changed article is yielded; an unchanged one or a copy is only noted."""
        assert document.page is not None  # an ARTICLE document has its page
        page_url = try_normalise(document.page.url, tracking=self.tracking) or document.page.url
        page = document.page.model_copy(update={"url": page_url})
        text_sha256 = page.text_sha256
        step = Step(
            fetch=to_fetch_entry(response, "ok", None, document.content_sha256),
            links=(item["url"], [(link.url, link.hint) for link in document.links]),
            enqueue=self.to_items(document.links, item, kind=ARTICLE),
        )
        self.seen.add(page_url)
        stored = page_url if self.is_stored(page_url, text_sha256) else None
        original = stored or self.find_original(page_url, text_sha256, document.canonical_url)
        if original is not None:
            kind = "article" if original == item["url"] else "alias"
            values = to_document_values(kind, response, document, text_sha256, original)
            self.note_copy(step, item, values, "unchanged" if stored else "duplicate")
            return
        step["documents"] = {
            page_url: DocumentValues(
                kind="pending",
                etag=None,
                last_modified=None,
                content_sha256=None,
                text_sha256=text_sha256,
                stored_url=page_url,
            )
        }
        self.apply(step)
        values = to_document_values("article", response, document, text_sha256, page_url)
        self.pending[page_url] = Pending(item, values)
        self.texts[text_sha256] = page_url
        self.stats.counters["page/article"] += 1
        yield page

    def is_stored(self, page_url: str, text_sha256: str) -> bool:
        """This page with this text was yielded in this run, or stored before."""
        if self.texts.get(text_sha256) == page_url:
            return True
        known = self.state.document(page_url) or {}
        return (known.get("kind"), known.get("text_sha256"), known.get("stored_url")) == (
            "article",
            text_sha256,
            page_url,
        )

    def find_original(self, page_url: str, text_sha256: str, canonical: str | None) -> str | None:
        """The URL an identical text (or the canonical page) is stored under, when not this one."""
        stored = self.texts.get(text_sha256) or self.state.find_text(text_sha256)
        if stored is not None and stored != page_url:
            return stored
        if canonical and canonical != page_url:
            known = self.state.document(canonical)
            if known and known.get("stored_url") and known.get("text_sha256") == text_sha256:
                return str(known["stored_url"])
        return None

    def note_copy(self, step: Step, item: FrontierItem, values: DocumentValues, why: str) -> None:
        """An article stored before (unchanged, or under another URL): record this URL only."""
        self.stats.counters[f"page/{why}"] += 1
        step["documents"] = {item["url"]: values}
        reason = why if why == "unchanged" else f"same text as {values.get('stored_url')}"
        step["settle"] = (item["url"], DONE, reason)
        self.apply(step)

    def mark_stored(self, page_url: str) -> None:
        """The caller saved this page (or its failure): the article is done, its validators kept."""
        pending = self.pending.pop(page_url, None)
        if pending is None:
            return
        self.stats.articles += 1
        item, values = pending.item, pending.values
        documents = {page_url: values}
        if item["url"] != page_url:
            documents[item["url"]] = DocumentValues(values, kind="alias")  # type: ignore[misc]
        self.apply(Step(settle=(item["url"], DONE, "stored"), documents=documents))

    # -- the frontier ---------------------------------------------------------------------

    def to_items(
        self, links: Sequence[Link], source: FrontierItem, *, kind: str
    ) -> list[FrontierItem]:
        """Frontier items for a document's links: sitemap and feed entries keep its depth,
        a page's links are one hop deeper (a page's feed links too keep its depth)."""
        items = []
        for link in links:
            if self.is_not_modified(link):
                continue
            hop = 0 if kind in (SITEMAP, FEED) or link.hint in (SITEMAP, FEED) else 1
            item = self.to_item(
                link.url, depth=source["depth"] + hop, hint=link.hint, source=source["url"]
            )
            if item is not None:
                items.append(item)
        return items

    def is_not_modified(self, link: Link) -> bool:
        """A stored article whose sitemap lastmod or feed <updated> is not after the
        Last-Modified it was stored with is not fetched again this run (counted)."""
        modified = parse_web_date(link.modified)
        if modified is None or link.hint != PAGE or link.url in self.seen:
            return False
        known = self.state.document(link.url) or {}
        stored = (
            parse_web_date(known.get("last_modified")) if known.get("kind") == "article" else None
        )
        if stored is None or modified > stored:
            return False
        if len(str(link.modified).strip()) <= 10 and modified.date() >= stored.date():
            return False  # a date without a time: the same day may be a later change
        self.seen.add(link.url)
        self.stats.counters["discover/skipped/not_modified"] += 1
        return True

    def to_item(
        self, url: str, *, depth: int, hint: str, source: str | None
    ) -> FrontierItem | None:
        """A new frontier item, or None (seen, off-site, too deep, not a page) with a counter."""
        if url in self.seen:
            return None
        reason = self.refusal(url, depth, hint) if source is not None else None
        if reason is not None:
            self.stats.counters[f"discover/skipped/{reason}"] += 1
            return None
        self.seen.add(url)
        return FrontierItem(
            url=url, host=host_key(url), depth=depth, hint=hint, source_url=source, attempts=0
        )

    def refusal(self, url: str, depth: int, hint: str = "page") -> str | None:
        if not self.settings.follow_offsite and scope_of(url) not in self.sites:
            return "offsite"
        if depth > self.settings.max_depth:
            return "depth"
        if has_extension(url, self.settings.skip_extensions):
            return "extension"
        return self.pattern_refusal(url, hint)

    def pattern_refusal(self, url: str, hint: str) -> str | None:
        """Exclude patterns refuse any link; include patterns (when given) admit pages only
        if one matches (feeds and sitemaps are always admitted)."""
        if any(pattern.search(url) for pattern in self.exclude):
            return "excluded"
        if (
            self.include
            and hint not in (SITEMAP, FEED)
            and not any(p.search(url) for p in self.include)
        ):
            return "not_included"
        return None

    def apply(self, step: Step) -> None:
        self.forget_recovered(step)
        new = self.state.apply(self.run_id, step)
        self.dirty = self.dirty or new > 0
        self.stats.queued += new
        self.stats.counters["discover/queued"] += new


def to_backoff_hours(response: Response, settings: CrawlSettings, failures: int) -> float:
    """Hours before later runs ask again for a URL that failed `failures` times in a row: a
    404/410 waits failure_backoff_gone_hours, another HTTP error or a network failure
    failure_backoff_hours, doubled for each further failure, at most failure_backoff_max_hours.
    0 for failures not remembered (a refused address, a body too large, a redirect loop)."""
    if response.status in GONE_STATUSES:
        base = settings.failure_backoff_gone_hours
    elif (response.status or 0) >= 400 or response.error in NETWORK_FAILURES:
        base = settings.failure_backoff_hours
    else:
        return 0.0
    return min(base * 2.0 ** min(failures - 1, 32), settings.failure_backoff_max_hours)


def to_aware(moment: datetime) -> datetime:
    """A stored time as UTC (a driver may hand back a naive one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def to_document_values(
    kind: str,
    response: Response,
    document: Document,
    text_sha256: str | None = None,
    stored_url: str | None = None,
) -> DocumentValues:
    values = DocumentValues(
        kind=kind,
        etag=response.etag,
        last_modified=response.last_modified,
        content_sha256=document.content_sha256,
    )
    if stored_url is not None:
        values["text_sha256"], values["stored_url"] = text_sha256, stored_url
    return values


def to_fetch_entry(
    response: Response, outcome: str, error: str | None, content_sha256: str | None = None
) -> FetchEntry:
    return FetchEntry(
        url=response.url,
        final_url=response.final_url,
        status=response.status,
        bytes=response.wire_bytes,
        elapsed=round(response.elapsed, 4),
        etag=response.etag,
        last_modified=response.last_modified,
        content_type=response.content_type,
        content_sha256=content_sha256,
        outcome=outcome[:32],
        error=error or response.message,
    )
