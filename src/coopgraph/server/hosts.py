"""The names this server answers to, against DNS rebinding: which ``Host`` and ``Origin`` are its own.

A page on another site cannot read or write this server through the browser on its own. With DNS
rebinding it can: its name (``rebind.example``) first points to the attacker's server, which sends the
page, then to 127.0.0.1, so the page's requests reach this server with ``Host: rebind.example:PORT``
and ``Origin: http://rebind.example:PORT``. Both agree, so "the Origin matches the Host" lets an update
through. What the attacker cannot do is choose a name this server knows as its own, so:

- a ``Host`` is ours when it is ``localhost``, the address the server listens on, an IP address
  (rebinding needs a name: a client that typed an address reached what it asked for), or a name given
  with ``--allow-host``;
- an ``Origin`` is ours when it is the request's own ``Host`` (same origin; the Host being ours), or
  one of our names (not an arbitrary IP address: that may be another machine's page) on our port.

Reads are open to every page by design (``Access-Control-Allow-Origin: *``, public data); the checks
guard the one thing that changes the store, an update, and the URL the service description gives.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Iterable

__all__ = ["Names", "split_host"]


def split_host(value: str) -> tuple[str, int | None]:
    """A ``Host`` header's name (lower case, IPv6 without brackets) and port (None when not given).

    >>> split_host("[::1]:8000")
    ('::1', 8000)
    >>> split_host("LocalHost")
    ('localhost', None)
    """
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, ""
    name = name.rstrip(".")  # "localhost." is localhost
    try:
        port = int(port_text) if port_text else None
    except ValueError:
        port = -1  # not a port: never one of ours
    return name, port


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Names:
    """The names of a server listening on ``host``:``port``, with ``allowed`` ones added.

    >>> names = Names("127.0.0.1", 8000, ["coop.example"])
    >>> names.host_is_ours("rebind.example:8000"), names.host_is_ours("coop.example")
    (False, True)
    >>> names.origin_is_ours("http://localhost:8000", "127.0.0.1:8000")
    True
    >>> names.origin_is_ours("http://rebind.example:8000", "rebind.example:8000")
    False
    """

    def __init__(self, host: str, port: int, allowed: Iterable[str] = ()) -> None:
        self.port = port
        bound = split_host(host if ":" not in host or host.startswith("[") else f"[{host}]")[0]
        self.names = frozenset({"localhost", "127.0.0.1", "::1", bound, *(split_host(a)[0] for a in allowed)} - {""})

    def host_is_ours(self, host: str | None) -> bool:
        """Whether a ``Host`` header names this server (no header: a program speaking HTTP/1.0)."""
        if host is None:
            return True
        name, port = split_host(host)
        if port is not None and not 0 < port < 65536:
            return False
        return name in self.names or _is_address(name)

    def origin_is_ours(self, origin: str, host: str | None) -> bool:
        """Whether a page of ``origin`` is this server's own (``host``: the request's ``Host`` header)."""
        parts = urllib.parse.urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False  # "null" (a sandboxed page, a file), or not an origin at all
        try:
            port = parts.port
        except ValueError:
            return False
        if host is not None and self.host_is_ours(host):
            name, host_port = split_host(host)
            default = 443 if parts.scheme == "https" else 80
            if parts.hostname.strip("[]") == name and (port or default) == (host_port or default):
                return True  # the page came from the name and port the request was sent to
        return parts.hostname.strip("[]") in self.names and port == self.port
