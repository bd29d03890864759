"""A fault-injecting HTTP server on 127.0.0.1: each route writes its own (mis)behaving response."""

from __future__ import annotations

import gzip
import random
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.sources.web.loopback_site import QuietServer, Reply, Route

Handler = BaseHTTPRequestHandler
Action = Callable[[Handler], None]
MEBIBYTE = 1 << 20


class FaultServer:
    """Serve `actions` (path -> Action) on a free loopback port; count requests and body bytes."""

    def __init__(self, build: Callable[[str], dict[str, Action]]) -> None:
        self.build = build
        self.calls: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()  # body bytes written per path
        self.lock = threading.Lock()
        self.actions: dict[str, Action] = {}
        self.server = QuietServer(("127.0.0.1", 0), make_handler(self))
        self.server.daemon_threads = True
        self.server.fault_site = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def count_call(self, path: str) -> int:
        with self.lock:
            self.calls[path] += 1
            return self.calls[path]

    def count_sent(self, path: str, size: int) -> None:
        with self.lock:
            self.sent[path] += size


def make_handler(site: FaultServer) -> type[Handler]:
    class FaultHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            site.count_call(self.path)
            action = site.actions.get(self.path, not_found)
            try:
                action(self)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close_connection = True  # the client gave up: expected for many faults

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return FaultHandler


@contextmanager
def serve_faults(build: Callable[[str], dict[str, Action]]) -> Iterator[FaultServer]:
    site = FaultServer(build)
    site.actions = build(site.base_url)
    threading.Thread(target=site.server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()


# -- actions: each writes one response (or breaks the connection) ------------------------------

def server_of(handler: Handler) -> FaultServer:
    return handler.server.fault_site  # type: ignore[attr-defined]


def write_head(handler: Handler, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def answer(status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8",
           **headers: str) -> Action:  # fmt: skip
    """A well-formed response (headers given as Retry_After=... become Retry-After)."""
    def act(handler: Handler) -> None:
        named = {name.replace("_", "-"): value for name, value in headers.items()}
        if content_type is not None:
            named["Content-Type"] = content_type
        write_head(handler, status, {**named, "Content-Length": str(len(body))})
        handler.wfile.write(body)

    return act


def not_found(handler: Handler) -> None:
    answer(404, b"<html><body>Not found</body></html>")(handler)


def from_reply(reply: Reply) -> Action:
    """A loopback_site Reply as an action (no conditional requests here)."""
    return answer(reply.status, reply.body, reply.content_type, **reply.headers)


def reset_connection(handler: Handler) -> None:
    """Close the socket with an RST (SO_LINGER 0) before any byte of the response."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def truncated(body: bytes, announced: int) -> Action:
    """Announce `announced` bytes, send `body` (fewer), then hang up."""
    def act(handler: Handler) -> None:
        write_head(handler, 200, {"Content-Type": "text/html", "Content-Length": str(announced)})
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True

    return act


def drip(total: int, every: float, path_key: str) -> Action:
    """Send `total` bytes one at a time, `every` seconds apart (each gap under the read timeout)."""
    def act(handler: Handler) -> None:
        write_head(handler, 200, {"Content-Type": "text/html", "Content-Length": str(total)})
        for _ in range(total):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            server_of(handler).count_sent(path_key, 1)
            time.sleep(every)

    return act


def endless(path_key: str, *, announce: int | None, limit: int = 100 * MEBIBYTE) -> Action:
    """Stream up to `limit` bytes of HTML, generated as it goes (never held in memory), without
    a Content-Length (or announcing `announce`), until the client hangs up."""
    block = (b"<p>" + b"lorem ipsum dolor " * 3600 + b"</p>\n")[: 64 * 1024]

    def act(handler: Handler) -> None:
        headers = {"Content-Type": "text/html"}
        if announce is not None:
            headers["Content-Length"] = str(announce)
        else:
            headers["Connection"] = "close"
        write_head(handler, 200, headers)
        handler.wfile.write(b"<html><body>")
        for _ in range(limit // len(block)):
            handler.wfile.write(block)
            server_of(handler).count_sent(path_key, len(block))
        handler.close_connection = True

    return act


def gzip_bomb_bytes(decompressed: int) -> bytes:
    """`decompressed` zero bytes gzipped (about 1/1000 of that on the wire), built in pieces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MEBIBYTE)
    parts = [packer.compress(zeros) for _ in range(decompressed // MEBIBYTE)]
    return b"".join(parts) + packer.flush()


def encoded_bomb(bomb: bytes) -> Action:
    """The bomb as Content-Encoding: gzip of a text/html page."""
    return answer(200, bomb, "text/html", Content_Encoding="gzip")


def gzip_file(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


# -- chaos: random faults in front of a well-behaved site --------------------------------------

FAULT_KINDS = ("500", "502", "503", "429-retry-after", "429-bare", "reset", "truncated")


def injected_fault(kind: str) -> Action:
    return {
        "500": answer(500, b"oops"),
        "502": answer(502, b"bad gateway"),
        "503": answer(503, b"busy"),
        "429-retry-after": answer(429, b"slow down", Retry_After="0"),
        "429-bare": answer(429, b"slow down"),
        "reset": reset_connection,
        "truncated": truncated(b"<html><body><p>cut", 5000),
    }[kind]


class Chaos:
    """Fail each request with a random fault with probability `rate`, at most `per_path` times
    per path (so that crawl.retries can still get every page): a seeded, replayable schedule."""

    def __init__(self, seed: int, *, rate: float, per_path: int) -> None:
        self.rng = random.Random(seed)
        self.rate = rate
        self.per_path = per_path
        self.failures: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.lock = threading.Lock()

    def wrap(self, path: str, action: Action) -> Action:
        def act(handler: Handler) -> None:
            with self.lock:
                kind = None
                if self.failures[path] < self.per_path and self.rng.random() < self.rate:
                    kind = self.rng.choice(FAULT_KINDS)
                    self.failures[path] += 1
                    self.injected[kind] += 1
            (injected_fault(kind) if kind else action)(handler)

        return act


def chaotic_site(routes: Callable[[str], dict[str, Route]], chaos: Chaos) -> Callable[[str], dict[str, Action]]:
    """A loopback_site site (plain Replies) behind `chaos`; robots.txt is left alone."""
    def build(base: str) -> dict[str, Action]:
        actions = {}
        for path, route in routes(base).items():
            assert isinstance(route, Reply), "chaos wraps fixed replies only"
            action = from_reply(route)
            actions[path] = action if path == "/robots.txt" else chaos.wrap(path, action)
        return actions

    return build
