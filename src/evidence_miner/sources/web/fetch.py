"""Fetch one URL politely and safely: conditional GET, same-host redirects, size and time caps.

requests (already a dependency) does the HTTP; redirects are followed here, one hop at a
time, so that every hop's address, robots rules and host are checked before it is requested.
Each hop connects to the address its check approved, and is cut at the whole-response deadline
or when the crawl stops (`sources/web/connect.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import requests
import urllib3
from evidence_miner.sources.formats import content_types_of, fetched_content_types
from evidence_miner.sources.web.connect import DEADLINE, Guard, PinnedAdapter, Watchdog
from evidence_miner.sources.web.policy import is_redirect, is_transient, to_redirect_target
from evidence_miner.sources.web.security import AddressPolicy
from evidence_miner.sources.web.urls import host_key, is_web_url
from evidence_miner.errors import FetchError
from evidence_miner.settings import CrawlSettings

log = logging.getLogger(__name__)

# The media types the crawler asks for: the built-in formats of sources/formats.py that a fetched
# document is read with (pages, feeds and sitemaps, gzipped ones); Fetcher.fetch adds those of
# reader plugins (formats.fetched_content_types).
DOCUMENT_TYPES = content_types_of("html", "xml", "gzip")
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"
CHUNK_BYTES = 65_536
WHOLE_RESPONSE_TIMEOUTS = 3  # a response trickling in gets this many timeouts in all

# A hop check returns None to follow a same-host redirect, STOP to hand the redirect back,
# or the reason the hop is refused ("robots").
HopCheck = Callable[[str], str | None]
STOP = "stop"


@dataclass
class Validators:
    """What the last good response said, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Response:
    """One fetch: the final hop's status and body, or the error that ended it."""

    url: str
    final_url: str
    status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    location: str | None = None
    body: bytes = b""
    wire_bytes: int = 0
    elapsed: float = 0.0
    error: str | None = None  # counter key: "timeout", "connection", "too_large", ...
    message: str | None = None
    redirects: list[str] = field(default_factory=list)


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "windows-1252") from "text/html; charset=windows-1252"."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset" and raw.strip().strip("\"'"):
            charset = raw.strip().strip("\"'")
    return media.strip().lower() or None, charset


def is_allowed_type(media: str | None, url: str, allowed: frozenset[str] | None) -> bool:
    """Allowed media types (None: any); a missing type is sniffed later; octet-stream only for
    .gz/.xml."""
    if allowed is None or media is None or media in allowed:
        return True
    return media == "application/octet-stream" and url.lower().split("?")[0].endswith(
        (".gz", ".xml")
    )


class Fetcher:
    """Thread-safe: each worker thread gets its own requests Session (connection pool)."""

    def __init__(
        self, settings: CrawlSettings, policy: AddressPolicy, *, stop: threading.Event | None = None
    ) -> None:
        self.settings = settings
        self.policy = policy
        self.watchdog = Watchdog(stop)  # once `stop` is set, requests in flight are cut
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = build_session(self.settings)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def pause(self, seconds: float) -> None:
        """Sleep between retries, cut short when the crawl stops."""
        if self.watchdog.stop is not None:
            self.watchdog.stop.wait(seconds)
        else:
            time.sleep(seconds)

    def close(self) -> None:
        self.watchdog.close()
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        allowed_types: frozenset[str] | None = DOCUMENT_TYPES,
        check_hop: HopCheck | None = None,
        keep_first: int | None = None,
    ) -> Response:
        """GET `url`, following same-host redirects; another host's redirect is returned as is.
        `allowed_types`: DOCUMENT_TYPES (the default) also allows the page formats of reader
        plugins; None allows any. `keep_first`: read only that many body bytes, and keep them
        (robots.txt), instead of refusing a body over crawl.max_body_bytes."""
        if allowed_types is DOCUMENT_TYPES:  # plugins load on first use, not at import
            allowed_types = fetched_content_types()
        started = time.monotonic()
        response = Response(url=url, final_url=url)
        current = url
        while True:
            self.request_once(
                current,
                response,
                validators=validators,
                allowed_types=allowed_types,
                keep_first=keep_first,
            )
            next_url = self.next_hop(response, current, check_hop)
            if next_url is None:
                break
            current = next_url
        response.elapsed = time.monotonic() - started
        return response

    def next_hop(self, response: Response, current: str, check_hop: HopCheck | None) -> str | None:
        """The same-host URL to request next, or None (done, an error, or another host's URL)."""
        if not is_redirect(response):
            return None
        try:
            target = to_redirect_target(current, response.location or "")
        except FetchError as exc:
            fail(response, error_key(exc), str(exc))
            return None
        response.location = target
        if not is_web_url(target) or host_key(target) != host_key(current):
            return None
        refusal = self.refuse_hop(response, target, check_hop)
        if refusal is not None:
            if refusal != STOP:  # STOP: the caller knows the target and takes the redirect
                fail(response, *refusal)
            return None
        response.redirects.append(target)
        return target

    def refuse_hop(
        self, response: Response, target: str, check_hop: HopCheck | None
    ) -> tuple[str, str] | str | None:
        """(error key, message) for a hop not to take, STOP, or None to follow it."""
        if target in response.redirects or target == response.url:
            return "redirect_loop", (
                f"[EM608] Redirect loop at {target!r}. The site redirects "
                "in a circle; nothing to do but report it to them."
            )
        if len(response.redirects) >= self.settings.max_redirects:
            return "too_many_redirects", (
                f"[EM608] More than {self.settings.max_redirects} "
                f"redirects from {response.url!r}. "
                "Raise crawl.max_redirects if the site needs more."
            )
        refusal = check_hop(target) if check_hop else None
        if refusal is None or refusal == STOP:
            return refusal
        return refusal, f"[EM609] Redirect to {target!r} not followed: {refusal}."

    def request_once(
        self,
        url: str,
        response: Response,
        *,
        validators: Validators | None,
        allowed_types: frozenset[str] | None,
        keep_first: int | None = None,
    ) -> None:
        """One GET of one hop into `response`, connected to the address the policy checked and
        cut at the whole-response deadline; every failure becomes response.error."""
        response.final_url = url
        if self.watchdog.is_stopping():
            fail(response, *to_cut_failure(url, "stopped", self.settings))
            return
        guard: Guard | None = None
        try:
            deadline = time.monotonic() + whole_seconds(self.settings)
            guard = Guard(self.policy.check_url(url), deadline, self.settings.timeout_seconds)
            self.send(
                guard,
                response,
                validators=validators,
                allowed_types=allowed_types,
                keep_first=keep_first,
            )
        except (FetchError, requests.RequestException, OSError) as exc:
            fail(response, *to_failure(url, exc, self.settings))
        if guard is not None and guard.cut_reason is not None and response.error:
            fail(response, *to_cut_failure(url, guard.cut_reason, self.settings))

    def send(
        self,
        guard: Guard,
        response: Response,
        *,
        validators: Validators | None,
        allowed_types: frozenset[str] | None,
        keep_first: int | None,
    ) -> None:
        """GET the guard's checked target under the watchdog, and read the reply."""
        with (
            self.watchdog.watching(guard),
            self.session().get(
                guard.target.url,
                headers=to_request_headers(validators),
                stream=True,
                allow_redirects=False,
                timeout=(self.settings.timeout_seconds,) * 2,
            ) as reply,
        ):
            read_reply(reply, response, self.settings, allowed_types, keep_first, guard.deadline)


def to_failure(url: str, exc: Exception, settings: CrawlSettings) -> tuple[str, str]:
    """(error key, message) of a request that raised."""
    if isinstance(exc, FetchError):
        return error_key(exc), str(exc)
    if isinstance(exc, requests.Timeout):
        return "timeout", (
            f"[EM604] {url!r} timed out after {settings.timeout_seconds:g} s "
            f"({type(exc).__name__}). Raise crawl.timeout_seconds if the site is "
            "just slow."
        )
    return (
        "connection",
        f"[EM605] Cannot fetch {url!r}: {exc}. Check the URL and that the site is up.",
    )


def whole_seconds(settings: CrawlSettings) -> float:
    """The most one request may take: connect, status line, headers and body together."""
    return settings.timeout_seconds * WHOLE_RESPONSE_TIMEOUTS


def to_cut_failure(url: str, reason: str, settings: CrawlSettings) -> tuple[str, str]:
    """(error key, message) of a request the watchdog cut: past its deadline, or stopping."""
    if reason == DEADLINE:
        return "timeout", (
            f"[EM604] {url!r} was still arriving after {whole_seconds(settings):g} s "
            "(connect, status line, headers and body together). "
            "Raise crawl.timeout_seconds if the site is just slow."
        )
    return "stopped", (
        f"[EM622] The fetch of {url!r} was cut short: the crawl is stopping. "
        "Nothing to do: it is fetched again when the crawl resumes."
    )


def fetch_retrying(
    fetch: Callable[[], Response], *, retries: int, wait: Callable[[Response, int], None]
) -> Response:
    """`fetch()` again while its answer is transient (policy.is_transient), at most `retries`
    more times, calling `wait(response, attempt)` before each retry."""
    response = fetch()
    for attempt in range(1, retries + 1):
        if not is_transient(response):
            break
        wait(response, attempt)
        response = fetch()
    return response


def follow_redirects(
    response: Response, fetch_hop: Callable[[str], Response], *, max_redirects: int
) -> Response:
    """Follow at most `max_redirects` redirects to other hosts (`Fetcher.fetch` follows those
    within a host); a Location that is no usable URL fails the response (policy.py)."""
    for _ in range(max_redirects):
        if not is_redirect(response):
            break
        try:
            target = to_redirect_target(response.final_url, response.location or "")
        except FetchError as exc:
            fail(response, error_key(exc), str(exc))
            break
        response = fetch_hop(target)
    return response


def fail(response: Response, key: str, message: str) -> None:
    response.error = key
    response.message = message
    response.body = b""
    log.debug("%s", message, extra={"stage": "crawl", "url": response.url})


def error_key(exc: FetchError) -> str:
    """Counter key of one of our own FetchErrors, from its code."""
    text = str(exc)
    keys = {
        "[EM603]": "private_address",
        "[EM602]": "dns",
        "[EM606]": "too_large",
        "[EM607]": "content_type",
        "[EM604]": "timeout",
        "[EM605]": "connection",
        "[EM620]": "ambiguous_url",
        "[EM621]": "bad_redirect",
        "[EM601]": "bad_url",
    }
    return next((key for code, key in keys.items() if text.startswith(code)), "fetch_error")


class OneHopSession(requests.Session):
    """A Session that never reads a Location header itself: `Fetcher.next_hop` does, one hop at
    a time (requests would parse it even with allow_redirects=False, and raise ValueError on
    "http://[::1")."""

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        return None


def build_session(settings: CrawlSettings) -> requests.Session:
    """A Session with our User-Agent; environment proxies and .netrc are not used."""
    session = OneHopSession()
    session.trust_env = False  # a proxy would resolve hosts itself, defeating the address check
    session.headers.update({"User-Agent": settings.user_agent_string, "Accept": ACCEPT})
    adapter = PinnedAdapter(pool_connections=4, pool_maxsize=max(2, settings.concurrency_per_host))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def to_request_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def read_reply(
    reply: requests.Response,
    response: Response,
    settings: CrawlSettings,
    allowed_types: frozenset[str] | None,
    keep_first: int | None,
    deadline: float,
) -> None:
    """Status and headers into `response`; the body only of a 200 of an allowed type."""
    response.status = reply.status_code
    headers = reply.headers
    response.content_type, response.charset = parse_content_type(headers.get("Content-Type"))
    response.etag = headers.get("ETag")
    response.last_modified = headers.get("Last-Modified")
    response.retry_after = headers.get("Retry-After")
    response.location = headers.get("Location")
    if reply.status_code != 200:
        return
    if not is_allowed_type(response.content_type, reply.url, allowed_types):
        raise FetchError(
            f"[EM607] Skipped {reply.url!r}: content type {response.content_type!r} is not "
            "HTML or XML."
        )
    if keep_first is None:
        check_length(headers.get("Content-Length"), reply.url, settings.max_body_bytes)
    response.body, response.wire_bytes = read_capped(reply, settings, keep_first, deadline)


def check_length(value: str | None, url: str, limit: int) -> None:
    if value and value.strip().isdigit() and int(value) > limit:
        raise FetchError(
            f"[EM606] {url!r} announces {int(value)} bytes, more than crawl.max_body_bytes "
            f"({limit}). Raise the limit to fetch it."
        )


def read_capped(
    reply: requests.Response, settings: CrawlSettings, keep_first: int | None, deadline: float
) -> tuple[bytes, int]:
    """The decoded body, refusing more than max_body_bytes on the wire or max_decompressed_bytes
    after Content-Encoding (a gzip bomb), or a body trickling in past the request's deadline;
    with `keep_first`, only that many bytes are read and kept."""
    chunks: list[bytes] = []
    decoded = 0
    for chunk in iter_body(reply):
        if keep_first is not None and decoded + len(chunk) >= keep_first:
            chunks.append(chunk[: keep_first - decoded])
            break
        decoded += len(chunk)
        chunks.append(chunk)
        check_received(reply, decoded, settings)
        if time.monotonic() > deadline:
            raise FetchError(to_cut_failure(reply.url, DEADLINE, settings)[1])
    return b"".join(chunks), reply.raw.tell()


def check_received(reply: requests.Response, decoded: int, settings: CrawlSettings) -> None:
    """FetchError [EM606] once more than the limits arrived (on the wire, or decompressed)."""
    if reply.raw.tell() > settings.max_body_bytes or decoded > settings.max_decompressed_bytes:
        raise FetchError(
            f"[EM606] {reply.url!r} is larger than crawl.max_body_bytes "
            f"({settings.max_body_bytes}) or, decompressed, crawl.max_decompressed_bytes "
            f"({settings.max_decompressed_bytes}). Raise the limits to fetch it."
        )


def iter_body(reply: requests.Response) -> Iterator[bytes]:
    """The decoded body in pieces as they arrive. read1 returns whatever bytes are there
    (at most CHUNK_BYTES after decompression): requests' iter_content waits for a whole chunk,
    so a server dripping one byte at a time would never reach the whole-response deadline."""
    try:
        while chunk := reply.raw.read1(CHUNK_BYTES, decode_content=True):
            yield chunk
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise FetchError(
            f"[EM604] {reply.url!r} stopped sending ({exc}). "
            "Raise crawl.timeout_seconds if the site is just slow."
        ) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # a reset, a short body, bad gzip
        raise FetchError(
            f"[EM605] Cannot fetch {reply.url!r}: the body broke off "
            f"({type(exc).__name__}: {exc}). Check that the site is up."
        ) from exc
