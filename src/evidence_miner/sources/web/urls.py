"""Normalise URLs (case, default ports, fragments, tracking parameters) and name their host."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from evidence_miner.sources.web.security import parse_endpoint
from evidence_miner.errors import FetchError

log = logging.getLogger(__name__)

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def is_tracking_parameter(name: str, patterns: Sequence[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)


def drop_tracking(query: str, patterns: Sequence[str]) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking_parameter(name, patterns)]
    return urlencode(kept) if len(kept) != len(pairs) else query


def to_netloc(scheme: str, host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None or port == DEFAULT_PORTS.get(scheme) else f"{shown}:{port}"


def normalise_url(url: str, *, tracking: Sequence[str] = ()) -> str:
    """Lowercase scheme and host, no default port, fragment or tracking parameters,
    percent-encoding and query order made canonical (w3lib). Raises FetchError when not a
    web URL, or [EM620] when URL parsers read different hosts in it (a backslash)."""
    url = url.strip()
    if not is_web_url(url):
        raise FetchError(
            f"[EM601] {url!r} is not an http(s) URL. Give a URL such as https://example.org/."
        )
    parse_endpoint(url)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"[EM601] {url!r} has a bad port number. Fix the URL.") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    query = drop_tracking(parts.query, tracking)
    rebuilt = urlunsplit((scheme, to_netloc(scheme, host, port), parts.path or "/", query, ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def try_normalise(url: str, *, base: str | None = None, tracking: Sequence[str] = ()) -> str | None:
    """The normalised absolute URL of a link, or None when it is not an http(s) URL."""
    try:
        absolute = urljoin(base, url.strip()) if base else url
        return normalise_url(absolute, tracking=tracking)
    except (FetchError, ValueError):
        return None


def host_key(url: str) -> str:
    """The politeness unit: host and port ("example.org", "127.0.0.1:8080")."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return to_netloc(scheme, (parts.hostname or "").lower(), parts.port)


def site_of(url: str) -> str:
    """The site a URL belongs to: its host name without a leading "www." (any port)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def scope_of(url: str) -> str:
    """The site scope of a crawl's start: its host without a leading "www.", and its port when
    not the scheme's default ("127.0.0.1:8801" and "127.0.0.1:8802" are two sites)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    site = site_of(url)
    default = DEFAULT_PORTS.get(parts.scheme.lower())
    return site if port is None or port == default else f"{site}:{port}"


def has_extension(url: str, extensions: Sequence[str]) -> bool:
    path = urlsplit(url).path.lower()
    return any(path.endswith(ext.lower()) for ext in extensions)


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
