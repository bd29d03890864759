"""Refuse hosts on private, loopback or link-local addresses unless a start URL is on that
address and port.

A URL is parsed once, the way requests will send it (`parse_endpoint`); a URL that the standard
library reads as another host or port (`http://127.0.0.1:8801\\@news.example/`) is refused.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
import requests

from evidence_miner.errors import FetchError

log = logging.getLogger(__name__)

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
PUBLIC = "public"
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Endpoint:
    """A URL as requests sends it, and the host and port it connects to."""

    url: str
    scheme: str
    host: str  # lowercase, IDNA-encoded, an IPv6 address without brackets
    port: int


def parse_endpoint(url: str) -> Endpoint:
    """The one parse of a URL that both the address check and the connection use. FetchError
    [EM601] when it is no http(s) URL (or a bad port), [EM620] when the standard library reads
    another host or port in it than requests does."""
    try:
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)
        sent, given = urlsplit(str(prepared.url)), urlsplit(url)
        sent_port, given_port = sent.port, given.port
    except (requests.RequestException, ValueError, UnicodeError) as exc:
        raise FetchError(
            f"[EM601] {url!r} is not a usable http(s) URL ({exc}). Fix the URL."
        ) from exc
    scheme = sent.scheme.lower()
    if scheme not in DEFAULT_PORTS or not sent.hostname:
        raise FetchError(
            f"[EM601] {url!r} is not an http(s) URL. Give a URL such as https://example.org/."
        )
    if (to_ascii_host(given.hostname or ""), given_port) != (sent.hostname, sent_port):
        raise FetchError(
            f"[EM620] Refused {url!r}: it names host {given.hostname!r} to one URL parser and "
            f"{sent.hostname!r} to another (a backslash or an encoded character in the host). "
            "Such URLs are refused; give the URL without them."
        )
    return Endpoint(str(prepared.url), scheme, sent.hostname, sent_port or DEFAULT_PORTS[scheme])


def to_ascii_host(host: str) -> str:
    """The host as requests sends it: lowercase, IDNA-encoded when not ASCII."""
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host


def classify_address(address: IpAddress) -> str:
    """ "loopback", "link-local", "private", "reserved" (multicast, unspecified...) or "public".
    Anything not globally routable (100.64/10 carrier NAT, say) counts as private."""
    embedded = to_embedded_ipv4(address)
    if embedded is not None:
        return classify_address(embedded)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "private"
    return PUBLIC


def to_embedded_ipv4(address: IpAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (::ffff:a.b.c.d, 6to4 2002:ab:cd::), which is
    where the packets go: [::ffff:127.0.0.1] is loopback, whatever its spelling."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    return address.ipv4_mapped or address.sixtofour


def resolve_host(host: str) -> tuple[str, ...]:
    """Every address the host name resolves to (an IP literal resolves to itself). Not cached:
    each fetch resolves, checks and connects to the address it checked
    (`sources/web/connect.py`)."""
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise FetchError(
            f"[EM602] Cannot resolve host {host!r}: {exc}. Check the URL and your network."
        ) from exc
    return tuple(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))


@dataclass(frozen=True)
class Target:
    """What a fetch may connect to: the URL as sent, its host and port, the checked address."""

    url: str
    host: str
    port: int
    address: str


@dataclass(frozen=True)
class AddressPolicy:
    """The non-public (address, port) pairs that may be fetched: those of the start URLs. A
    start on 127.0.0.1:8801 allows 127.0.0.1:8801 only, not the machine's other ports."""

    allowed: frozenset[tuple[str, int]] = frozenset()

    def check_url(self, url: str) -> Target:
        """The target to connect to; FetchError [EM603] when the URL's host resolves to a
        refused address, [EM620] when its parsers disagree, [EM601]/[EM602] when it has none."""
        endpoint = parse_endpoint(url)
        addresses = resolve_host(endpoint.host)
        refused = {
            classify_address(ipaddress.ip_address(a))
            for a in addresses
            if not self.allows(a, endpoint.port)
        }
        if refused:
            raise FetchError(
                f"[EM603] Refused {url!r}: host {endpoint.host!r} is on a "
                f"{'/'.join(sorted(refused))} address and no start URL is on that address and "
                f"port ({endpoint.port}). Start the crawl there to allow it."
            )
        return Target(endpoint.url, endpoint.host, endpoint.port, addresses[0])

    def allows(self, address: str, port: int) -> bool:
        if classify_address(ipaddress.ip_address(address)) == PUBLIC:
            return True
        return (address, port) in self.allowed


def build_policy(start_urls: Iterable[str]) -> AddressPolicy:
    """The policy of a crawl: a start on 127.0.0.1:8801 allows that address and port, one on
    10.0.0.5 (port 80) that one..."""
    allowed: set[tuple[str, int]] = set()
    for url in start_urls:
        try:
            endpoint = parse_endpoint(url)
            addresses = resolve_host(endpoint.host)
        except FetchError as exc:
            log.warning("%s", exc, extra={"stage": "crawl", "url": url})
            continue
        allowed |= {
            (a, endpoint.port)
            for a in addresses
            if classify_address(ipaddress.ip_address(a)) != PUBLIC
        }
    return AddressPolicy(frozenset(allowed))
