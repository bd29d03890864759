"""Connect only to the address the policy checked, within one whole-response deadline.

requests and urllib3 do the HTTP. Their connections here open the socket to the address that
`AddressPolicy.check_url` approved for the request the current thread is making (a DNS answer
that changed since cannot redirect it), and a watchdog thread shuts the socket of a request
that is past its deadline (connect, status line, headers and body together: a server dripping
one byte per read timeout gets no more) or whose crawl is stopping (SIGTERM).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from evidence_miner.sources.web.security import Target

log = logging.getLogger(__name__)

DEADLINE, STOPPED = "deadline", "stopped"
WATCH_SECONDS = 0.1  # how often the watchdog looks at the requests in flight

_current = threading.local()


@dataclass(eq=False)
class Guard:
    """One request in flight: its checked target, its deadline, the connection to cut."""

    target: Target
    deadline: float
    connect_timeout: float
    cut_reason: str | None = None  # DEADLINE or STOPPED once the watchdog cut it
    connection: HTTPConnection | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, connection: HTTPConnection) -> None:
        with self.lock:
            self.connection = connection
            cut = self.cut_reason is not None
        if cut:
            shut(connection)

    def cut(self, reason: str) -> None:
        with self.lock:
            if self.cut_reason is not None:
                return
            self.cut_reason = reason
            connection = self.connection
        if connection is not None:
            shut(connection)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


def shut(connection: HTTPConnection) -> None:
    """Shut the connection's socket down: a read blocked on it returns at once. (The plain
    socket call: an SSLSocket's own shutdown would unwrap it under the reading thread.)"""
    sock = connection.sock
    if sock is None:
        return
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def current_guard() -> Guard | None:
    return getattr(_current, "guard", None)


class Watchdog:
    """One thread per Fetcher, started with its first request: cuts requests past their
    deadline, and every request once `stop` is set."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop
        self.guards: set[Guard] = set()
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.thread: threading.Thread | None = None

    @contextmanager
    def watching(self, guard: Guard) -> Iterator[Guard]:
        """The current thread's requests run under `guard` inside the block."""
        self.start()
        with self.lock:
            self.guards.add(guard)
        _current.guard = guard
        try:
            yield guard
        finally:
            _current.guard = None
            with self.lock:
                self.guards.discard(guard)

    def start(self) -> None:
        with self.lock:
            if self.thread is None and not self.closed.is_set():
                self.thread = threading.Thread(target=self.run, name="fetch-watchdog", daemon=True)
                self.thread.start()

    def run(self) -> None:
        while not self.closed.wait(WATCH_SECONDS):
            self.check(time.monotonic())

    def check(self, now: float) -> None:
        stopping = self.stop is not None and self.stop.is_set()
        with self.lock:
            guards = list(self.guards)
        for guard in guards:
            if stopping:
                guard.cut(STOPPED)
            elif now > guard.deadline:
                guard.cut(DEADLINE)

    def is_stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def close(self) -> None:
        self.closed.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=1.0)


def is_same_host(connection: HTTPConnection, target: Target) -> bool:
    host = (connection.host or "").strip("[]").rstrip(".").lower()
    return (host, connection.port) == (target.host.rstrip(".").lower(), target.port)


class PinnedConnectionMixin:
    """A urllib3 connection whose socket goes to the checked address of the current request,
    and that its request's guard can cut."""

    pinned: str | None = None

    def _new_conn(self) -> socket.socket:
        connection: Any = self
        guard = current_guard()
        if guard is None or not is_same_host(connection, guard.target):
            raise NewConnectionError(
                connection,
                f"[EM603] No checked address for {connection.host!r}: refused to connect.",
            )
        timeout = min(guard.connect_timeout, guard.remaining())
        if timeout <= 0:
            raise ConnectTimeoutError(connection, f"Connection to {connection.host} timed out.")
        try:
            sock = create_connection(
                (guard.target.address, connection.port),
                timeout,
                source_address=connection.source_address,
                socket_options=connection.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(
                connection, f"Connection to {connection.host} timed out."
            ) from exc
        except OSError as exc:
            raise NewConnectionError(
                connection, f"Failed to establish a new connection: {exc}"
            ) from exc
        self.pinned = guard.target.address
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        """Send on this connection; a kept-alive one opened to another address is reopened."""
        connection: Any = self
        guard = current_guard()
        if guard is not None:
            if connection.sock is not None and self.pinned != guard.target.address:
                connection.close()
            guard.attach(connection)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class PinnedHTTPConnection(PinnedConnectionMixin, HTTPConnection):
    pass


class PinnedHTTPSConnection(PinnedConnectionMixin, HTTPSConnection):
    pass


class PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = PinnedHTTPConnection


class PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """An HTTPAdapter whose pools open pinned, guarded connections."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}
