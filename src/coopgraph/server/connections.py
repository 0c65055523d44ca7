"""The HTTP server's connections: how long a client may take to send a request, and how many may wait.

A connection is *waiting* while its next request arrives (just opened, kept alive between requests, or
sending a request's line, headers and body) and *active* while its request is answered. Each state has
a budget of its own, so that sockets that are silent or send a byte now and then (slowloris) cannot
shut other clients out:

- a request must arrive within ``header_timeout`` seconds, counted from the connection's opening, or
  from the request's first byte on a kept-alive connection; a POST body gets one more second per
  :data:`BODY_RATE` bytes it announces. Past that, the client gets 408 and the connection is closed
  (a connection that sent nothing is closed without a word);
- a kept-alive connection on which no new request starts within ``idle_timeout`` seconds is closed;
- at most ``max_waiting`` connections wait at once: a new connection when all are taken closes the one
  that has waited longest, so a new client always gets in, and a slow one loses its place first;
- at most ``max_active`` requests are answered at once; beyond that a request gets 503 at once.

Python's ``http.server`` only has one timeout per socket read, which a byte every few seconds resets
forever: :class:`RequestReader` reads the socket against the connection's deadline instead.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections import OrderedDict
from typing import Any

__all__ = ["BODY_RATE", "Budget", "Connection", "RequestReader"]

#: Bytes per second a request body must at least arrive at (its deadline grows by its size / this).
BODY_RATE = 64 * 1024


class Connection:
    """One client connection: what it is doing, and by when its request must have arrived."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.state = "new"  # "waiting" (for a request), "active" (being answered) or "closed"
        self.idle = False  # waiting between two requests: nothing of the next one received yet
        self.deadline: float | None = None
        self.received = 0  # bytes of the request under way
        self.expired = False  # the deadline passed while reading
        self.evicted = False  # closed by the server to make room for a new connection


class RequestReader(io.RawIOBase):
    """Reads a connection's socket, never past its deadline (for ``io.BufferedReader``)."""

    def __init__(self, connection: Connection, budget: Budget) -> None:
        super().__init__()
        self.connection = connection
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        connection = self.connection
        if connection.evicted:
            raise ConnectionAbortedError("closed to make room for a new connection")
        if connection.deadline is not None:
            remaining = connection.deadline - time.monotonic()
            if remaining <= 0:
                connection.expired = True
                raise TimeoutError("the request did not arrive in time")
            connection.sock.settimeout(remaining)
        try:
            count = connection.sock.recv_into(buffer)
        except TimeoutError:
            connection.expired = True
            raise
        if count == 0 and connection.evicted:
            raise ConnectionAbortedError("closed to make room for a new connection")
        if count and connection.idle:
            self.budget.request_started(connection)
        connection.received += count
        return count


class Budget:
    """The connections of one server: deadlines, and the waiting and active budgets.

    Parameters
    ----------
    max_active : requests answered at once (``--max-connections``)
    max_waiting : connections waiting for a request at once (``--max-idle``)
    header_timeout : seconds a request may take to arrive (``--header-timeout``)
    idle_timeout : seconds a kept-alive connection may wait for its next request (``--idle-timeout``)
    """

    def __init__(self, *, max_active: int, max_waiting: int, header_timeout: float, idle_timeout: float) -> None:
        for name, value in (("max_active", max_active), ("max_waiting", max_waiting),
                            ("header_timeout", header_timeout), ("idle_timeout", idle_timeout)):
            if value <= 0:
                raise ValueError(f"{name} must be more than 0, not {value}")
        self.max_active = max_active
        self.max_waiting = max_waiting
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, Connection] = {}
        self._waiting: OrderedDict[Connection, None] = OrderedDict()  # longest waiting first
        self._active = 0
        self.evictions = 0

    @property
    def active(self) -> int:
        """Requests being answered now."""
        return self._active

    @property
    def waiting(self) -> int:
        """Connections waiting for a request now."""
        return len(self._waiting)

    def admit(self, sock: socket.socket) -> Connection:
        """A new connection: it waits for its first request (the longest-waiting one is closed when full)."""
        connection = Connection(sock)
        with self._lock:
            self._connections[sock] = connection
            while len(self._waiting) >= self.max_waiting:
                oldest, _ = self._waiting.popitem(last=False)
                self._evict(oldest)
            self._wait(connection, idle=False)
        return connection

    def connection(self, sock: socket.socket) -> Connection:
        """The connection of a socket :meth:`admit` took."""
        with self._lock:
            return self._connections[sock]

    def wait(self, connection: Connection) -> None:
        """An answer was sent: the connection waits (kept alive) for its next request."""
        with self._lock:
            if connection.state != "closed":
                self._wait(connection, idle=True)

    def request_started(self, connection: Connection) -> None:
        """The first byte of the next request on a kept-alive connection: the header deadline runs."""
        with self._lock:
            connection.idle = False
            connection.deadline = time.monotonic() + self.header_timeout

    def extend_for_body(self, connection: Connection, length: int) -> None:
        """A body of ``length`` bytes is announced: it may take its size / :data:`BODY_RATE` longer."""
        with self._lock:
            if connection.deadline is not None:
                connection.deadline += length / BODY_RATE

    def activate(self, connection: Connection) -> bool:
        """The request has arrived: answer it if an active place is free (False: none is, or the
        connection was closed meanwhile)."""
        with self._lock:
            if connection.state != "waiting" or connection.evicted:
                return False
            if self._active >= self.max_active:
                return False
            self._waiting.pop(connection, None)
            connection.state = "active"
            connection.deadline = None
            self._active += 1
            return True

    def release(self, connection: Connection) -> None:
        """The answer was sent (or the request refused): give back its active place."""
        with self._lock:
            if connection.state == "active":
                connection.state = "answered"
                self._active -= 1

    def forget(self, sock: socket.socket) -> None:
        """The connection is closed."""
        with self._lock:
            connection = self._connections.pop(sock, None)
            if connection is None:
                return
            if connection.state == "active":
                self._active -= 1
            self._waiting.pop(connection, None)
            connection.state = "closed"

    def _wait(self, connection: Connection, *, idle: bool) -> None:
        connection.state = "waiting"
        connection.idle = idle
        connection.received = 0
        connection.expired = False
        connection.deadline = time.monotonic() + (self.idle_timeout if idle else self.header_timeout)
        self._waiting[connection] = None
        self._waiting.move_to_end(connection)

    def _evict(self, connection: Connection) -> None:
        connection.evicted = True
        self.evictions += 1
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)  # its thread's read returns at once
        except OSError:
            pass
