"""The HTTP side of the endpoint: routes, the SPARQL 1.1 Protocol, limits, CORS and the pages.

Python's own ``http.server`` (a thread per connection, HTTP/1.1 keep-alive) answers HTTP; it never
runs a query itself. Queries go to the worker processes of :mod:`coopgraph.server.pool`, so the
threads here stay free to answer while a query runs, and a query past the time limit is stopped.
How long a request may take to arrive, and how many connections wait or are answered at once, is
:mod:`coopgraph.server.connections`; which ``Host`` and ``Origin`` are this server's own (an update
from anywhere else is refused) is :mod:`coopgraph.server.hosts`.

Routes::

    GET  /                      the query editor (YASGUI) with the library's queries to pick from
    GET  /sparql                SPARQL 1.1 Protocol query; with no query, the service description
    POST /sparql                query (form or application/sparql-query); update with --allow-update
    GET  /queries               the query library (JSON, or HTML for a browser)
    GET  /queries/NAME?p=v      a named query, its parameters bound as `coopgraph query` binds them
    GET  /queries/NAME.rq?p=v   the text of a named query with its parameters bound
    GET  /graph                 the interactive institution network
    GET  /static/...            the page's scripts and styles (vendored, never from a CDN)
    OPTIONS *                   CORS preflight
"""

from __future__ import annotations

import difflib
import html
import io
import json
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, TextIO

import pyoxigraph as ox

from coopgraph import __version__, queries
from coopgraph.errors import QueryError
from coopgraph.namespaces import PREFIXES
from coopgraph.server.connections import Budget, RequestReader
from coopgraph.server.engine import Job, Reply, html_page
from coopgraph.server.formats import NotAcceptable, negotiate
from coopgraph.server.hosts import Names
from coopgraph.server.pool import WorkerPool

__all__ = ["Settings", "EndpointServer", "Handler", "PAGE_POLICY", "STATIC_FILES"]

#: Content-Security-Policy of the pages served from the package: nothing from other hosts.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: The network page's header policy; the page's own meta policy allows its inline scripts by hash.
GRAPH_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: Files under /static/, name → media type.
STATIC_FILES = {
    "home.js": "text/javascript; charset=utf-8",
    "home.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    "yasgui/yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui/yasgui.min.css": "text/css; charset=utf-8",
    "yasgui/NOTICE.md": "text/markdown; charset=utf-8",
}
_ROUTES = "/ (editor), /sparql (endpoint), /queries (library), /queries/NAME, /graph (network)"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Type, Content-Length, Retry-After",
}
_FORM = "application/x-www-form-urlencoded"


@dataclass
class Settings:
    """What the server enforces: limits, and whether updates are accepted (see ``start_server``)."""

    timeout: float = 30.0
    max_results: int = 100_000
    max_body: int = 1_000_000
    allow_update: bool = False
    max_connections: int = 64
    description: str = ""  # one line on what is served, for the pages
    max_answer_mb: float = 128
    header_timeout: float = 5.0
    idle_timeout: float = 5.0
    max_idle: int = 256
    allow_hosts: tuple[str, ...] = ()

    @property
    def max_answer_bytes(self) -> int:
        return int(self.max_answer_mb * 1024 * 1024)


@dataclass
class _Library:
    """The named queries, read once when the server starts."""

    by_name: dict[str, queries.Query] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Library:
        return cls({query.name: query for query in queries.list_queries()})

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for query in self.by_name.values():
            out.append({
                "name": query.name,
                "summary": query.summary,
                "form": query.form,
                "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                            "help": queries.PARAM_TYPES.get(p.type, "")} for p in query.params],
                "returns": list(query.returns),
                "tags": list(query.tags),
                "url": f"/queries/{query.name}",
                "text": f"/queries/{query.name}.rq",
            })
        return out


class _Problem(Exception):
    """A request the server answers with an error status and a message."""

    def __init__(self, status: int, message: str, **headers: str) -> None:
        super().__init__(message)
        self.reply = Reply.message(status, message, **headers)


class EndpointServer(ThreadingHTTPServer):
    """The HTTP server: a thread per connection; at most ``settings.max_connections`` requests answered
    and ``settings.max_idle`` connections waiting for one at once (:class:`~coopgraph.server.connections.Budget`)."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], pool: WorkerPool, settings: Settings, *,
                 log: TextIO | None = None) -> None:
        self.pool = pool
        self.settings = settings
        self.log = log
        self.library = _Library.load()
        self.budget = Budget(max_active=settings.max_connections, max_waiting=settings.max_idle,
                             header_timeout=settings.header_timeout, idle_timeout=settings.idle_timeout)
        self._page: Reply | None = None
        self._page_lock = threading.Lock()
        super().__init__(address, Handler)
        self.names = Names(address[0], self.server_address[1], settings.allow_hosts)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.budget.admit(request)  # when the waiting room is full, the longest-waiting connection is closed
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.budget.forget(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away mid-answer, or was closed to make room: nothing to report
        super().handle_error(request, client_address)

    def network_page(self) -> Reply:
        """The network page, drawn once by a worker and kept (the data does not change while read-only)."""
        with self._page_lock:
            if self._page is None:
                reply = self.pool.run(Job("page"), timeout=max(self.settings.timeout, 120.0))
                if reply.status != 200:
                    return reply
                self._page = reply
            return self._page

    def forget_page(self) -> None:
        with self._page_lock:
            self._page = None


def _static(name: str) -> bytes:
    return resources.files("coopgraph").joinpath("static", *name.split("/")).read_bytes()


def _service_description(endpoint: str, fmt_name: str, *, allow_update: bool) -> bytes:
    text = resources.files("coopgraph.server").joinpath("service-description.ttl").read_text(encoding="utf-8")
    if allow_update:
        text += "\n<#service> sd:supportedLanguage sd:SPARQL11Update .\n"
    quads = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=endpoint)
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "formats": "http://www.w3.org/ns/formats/",
                "dcterms": "http://purl.org/dc/terms/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}
    triples = [quad.triple for quad in quads]
    use = prefixes if fmt_name in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=formats[fmt_name], prefixes=use) or b""


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Problem(400, f"{what} is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r}) — "
                            "send UTF-8") from None


def _form(text: str, what: str) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                                      max_num_fields=1000)
    except UnicodeDecodeError:
        raise _Problem(400, f"{what} holds percent-encoded bytes that are not valid UTF-8 — encode the text as "
                            "UTF-8 before percent-encoding it") from None
    except ValueError as exc:
        raise _Problem(400, f"{what} cannot be read: {exc}") from None


def _one(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise _Problem(400, f"'{name}' is given {len(values)} times — give it once")
    return values[0] if values else None


def _all(params: Sequence[tuple[str, str]], name: str) -> tuple[str, ...]:
    return tuple(value for key, value in params if key == name)


class Handler(BaseHTTPRequestHandler):
    """One connection's requests."""

    server: EndpointServer
    protocol_version = "HTTP/1.1"
    server_version = f"coopgraph/{__version__}"
    sys_version = ""
    timeout = 60  # seconds an answer may take to be sent (how long a request may take to arrive: Budget)
    _unread = 0  # body bytes announced and not read: the connection is closed after the answer
    _received = b""  # the body of a POST, read before the request is answered
    _answered = 0  # requests read (or tried) on this connection
    _replied = False  # the request under way has had its answer

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm and the client's
        # delayed ACK hold every answer back by ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # requests are read against the connection's deadline, not a timeout per read that a byte resets
        self.link = self.server.budget.connection(self.request)
        self.rfile.close()  # http.server's reader, which would keep the socket open
        self.rfile = io.BufferedReader(RequestReader(self.link, self.server.budget))

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            pass  # the client went away, or was closed to make room for a new connection

    def handle_one_request(self) -> None:
        if self._answered:
            self.server.budget.wait(self.link)  # kept alive: the next request has --idle-timeout to start
        self._replied = False
        super().handle_one_request()
        self._answered += 1
        link = self.link
        if link.expired and link.received and not self._replied:
            # part of a request came, not all of it in time (what slowloris does): say so, and close
            self.send_error(408, "Request Timeout",
                            f"the request did not arrive within {self.server.settings.header_timeout:g} s (the "
                            "server's --header-timeout) — send the request line and headers at once")

    # ------------------------------------------------------------------------ dispatch

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._dispatch("OPTIONS")

    def _preflight(self) -> Reply:
        """CORS preflight: any origin may GET and POST (updates are checked against Origin separately)."""
        requested = self.headers.get("Access-Control-Request-Headers", "")
        allowed = "Accept, Content-Type" + (", " + requested if re.fullmatch(r"[\w\-, ]*", requested) and requested else "")
        return Reply(204, b"", headers={
            "Allow": "GET, HEAD, POST, OPTIONS",
            "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
            "Access-Control-Allow-Headers": allowed,
            "Access-Control-Max-Age": "86400",
        })

    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):  # PUT, DELETE, PATCH, anything: 405 rather than http.server's 501
            return lambda: self._dispatch(name[3:])
        raise AttributeError(name)

    def _dispatch(self, method: str) -> None:
        started = time.perf_counter()
        self._unread = self._declared_body()
        self._received = b""
        budget = self.server.budget
        try:
            reply = self._receive(method) or self._answer(method)
            self._send(reply, head=method == "HEAD")
        finally:
            budget.release(self.link)
        if self.server.log is not None:
            took = (time.perf_counter() - started) * 1000
            path = self.path if len(self.path) <= 200 else self.path[:197] + "..."
            print(f'{self.client_address[0]} "{method} {path}" {reply.status} {len(reply.body)} {took:.0f}ms',
                  file=self.server.log, flush=True)

    def _receive(self, method: str) -> Reply | None:
        """Read the rest of the request (a POST's body) while the connection still waits, then take a
        place among the requests answered; a reply when the request is refused before that."""
        budget = self.server.budget
        if method == "POST":
            try:
                self._received = self._read_body()
            except _Problem as problem:
                return problem.reply
        if budget.activate(self.link):
            return None
        if self.link.evicted:
            raise ConnectionAbortedError("closed to make room for a new connection")
        self.close_connection = True
        return Reply.message(503, f"too many requests at once: {budget.max_active} are being answered (the server's "
                                  "--max-connections) — try again shortly", **{"Retry-After": "1"})

    def _answer(self, method: str) -> Reply:
        try:
            return self._route(method)
        except _Problem as problem:
            return problem.reply
        except Exception:  # a bug: answer 500 rather than drop the connection; the traceback goes to the log
            print(f"coopgraph serve: internal error answering {method} {self.path[:200]}:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            return Reply.message(500, "internal error in coopgraph serve — the details are in the server's log; "
                                      "please report it")

    def _route(self, method: str) -> Reply:
        url = urllib.parse.urlsplit(self.path)
        try:
            path = urllib.parse.unquote(url.path, errors="strict")
        except UnicodeDecodeError:
            raise _Problem(400, "the URL's path holds percent-encoded bytes that are not valid UTF-8") from None
        read_only = ("GET", "HEAD")
        if method == "OPTIONS":
            return self._preflight()
        if path in ("/", "/index.html"):
            self._allow(method, read_only)
            return self._page(_static("index.html"))
        if path == "/sparql":
            self._allow(method, ("GET", "HEAD", "POST"))
            return self._sparql(method, url.query)
        if path == "/queries" or path == "/queries/":
            self._allow(method, read_only)
            return self._listing()
        if path.startswith("/queries/"):
            self._allow(method, ("GET", "HEAD", "POST"))
            return self._named(method, path[len("/queries/"):], url.query)
        if path == "/graph":
            self._allow(method, read_only)
            reply = self.server.network_page()
            # the page allows its own inline scripts by hash in a meta policy; this header only adds that
            # nothing may come from elsewhere (both policies apply)
            return Reply(reply.status, reply.body, reply.content_type, {**reply.headers, "Content-Security-Policy": GRAPH_POLICY})
        if path.startswith("/static/") and path[len("/static/"):] in STATIC_FILES:
            self._allow(method, read_only)
            name = path[len("/static/"):]
            return Reply(200, _static(name), STATIC_FILES[name], {"Cache-Control": "max-age=3600"})
        if path == "/favicon.ico":
            self._allow(method, read_only)
            return Reply(200, _static("favicon.svg"), STATIC_FILES["favicon.svg"], {"Cache-Control": "max-age=86400"})
        raise _Problem(404, f"no such page: {path} — this server has {_ROUTES}")

    def _allow(self, method: str, allowed: tuple[str, ...]) -> None:
        if method not in allowed:
            listed = ", ".join((*allowed, "OPTIONS"))
            raise _Problem(405, f"{method} is not allowed on {urllib.parse.urlsplit(self.path).path} — use {listed}",
                           Allow=listed)

    # ------------------------------------------------------------------------ sending

    def _send(self, reply: Reply, *, head: bool = False) -> None:
        if self._unread:
            self.close_connection = True  # a body was not read: the connection cannot be reused
        self.connection.settimeout(self.timeout)  # reads set their own; an answer has this long to go out
        self._replied = True
        self.send_response(reply.status)
        headers = {**_CORS, "X-Content-Type-Options": "nosniff", **reply.headers}
        if reply.content_type.startswith("text/html"):
            headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            headers.setdefault("Referrer-Policy", "no-referrer")
        if reply.status != 204:
            headers["Content-Type"] = reply.content_type
            headers["Content-Length"] = str(len(reply.body))
        if self.close_connection:
            headers["Connection"] = "close"
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head and reply.status != 204:
            self.wfile.write(reply.body)

    def _declared_body(self) -> int:
        """How many body bytes the request announces (1 for a chunked or unreadable length)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return 1
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return 1
        return length if length >= 0 else 1

    def _page(self, body: bytes) -> Reply:
        return Reply(200, body, "text/html; charset=utf-8",
                     {"Content-Security-Policy": PAGE_POLICY, "Referrer-Policy": "no-referrer"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a URL too long…) as plain text too."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # a request line that did not parse: answer with a status line
        if not hasattr(self, "command"):
            self.command = ""
        phrase = message or HTTPStatus(code).phrase
        self._send(Reply.message(code, phrase + (f" — {explain}" if explain else "")), head=self.command == "HEAD")
        if self.server.log is not None:
            print(f"{self.client_address[0]} {code} {phrase}", file=self.server.log, flush=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass  # requests are logged once, in _dispatch

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        if format.startswith("Request timed out"):
            return  # a kept-alive connection left idle is closed as a matter of course; a 408 is logged as sent
        if self.server.log is not None:
            print(f"{self.client_address[0]} {format % args}", file=self.server.log, flush=True)

    # ------------------------------------------------------------------------ reading the request

    def _body(self) -> bytes:
        """The request body (read before the request was answered)."""
        return self._received

    def _read_body(self) -> bytes:
        """The request body, within the size limit and in time (:meth:`Budget.extend_for_body`)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise _Problem(411, "chunked request bodies are not accepted — send Content-Length")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            raise _Problem(400, f"Content-Length '{length_text}' is not a byte count") from None
        limit = self.server.settings.max_body
        if length > limit:
            raise _Problem(413, f"the request body has {length} bytes; this server accepts at most {limit} "
                                "(its --max-body) — send a shorter query")
        self.server.budget.extend_for_body(self.link, length)
        try:
            body = self.rfile.read(length)
        except TimeoutError:  # the client stopped sending, or sent too slowly
            self.close_connection = True
            raise _Problem(408, f"the request body did not arrive in time (the server's --header-timeout, "
                                f"{self.server.settings.header_timeout:g} s, and a second per 64 kB)") from None
        self._unread = 0
        if len(body) < length:
            raise _Problem(400, f"the request body ended after {len(body)} of {length} bytes")
        return body

    def _url_params(self, query_string: str) -> list[tuple[str, str]]:
        return _form(query_string, "the URL's query string")

    def _media(self) -> tuple[str, dict[str, str]]:
        value = self.headers.get("Content-Type", "")
        media, *params = [part.strip() for part in value.split(";")]
        options = {}
        for param in params:
            key, _, val = param.partition("=")
            options[key.strip().lower()] = val.strip().strip('"').lower()
        return media.lower(), options

    def _post_params(self, query_string: str) -> tuple[list[tuple[str, str]], str | None, str | None]:
        """URL and form parameters, and a query or update sent as the body itself."""
        body = self._body()
        params = self._url_params(query_string)
        media, options = self._media()
        charset = options.get("charset", "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise _Problem(415, f"charset={charset} is not accepted — send UTF-8")
        if media == _FORM:
            return params + _form(_decode(body, "the form"), "the form"), None, None
        if media == "application/sparql-query":
            return params, _decode(body, "the query"), None
        if media == "application/sparql-update":
            return params, None, _decode(body, "the update")
        shown = media or "none"
        raise _Problem(415, f"Content-Type {shown} is not accepted — POST a query as {_FORM} (query=...) or as "
                            "application/sparql-query; an update as update=... or application/sparql-update")

    # ------------------------------------------------------------------------ the protocol

    def _endpoint_url(self) -> str:
        """The endpoint's URL as the client addressed it; the listening address when that is not one of
        this server's names (a foreign Host is never copied into an answer)."""
        host = self.headers.get("Host")
        if not host or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host) or not self.server.names.host_is_ours(host):
            address, port = self.server.server_address[:2]
            host = f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"
        return f"http://{host}/sparql"

    def _sparql(self, method: str, query_string: str) -> Reply:
        if method == "POST":
            params, query, update = self._post_params(query_string)
        else:
            params, query, update = self._url_params(query_string), None, None
        if query is None:
            query = _one(params, "query")
        if update is None:
            update = _one(params, "update")
        if query is not None and update is not None:
            raise _Problem(400, "give either query or update, not both")
        formats = _all(params, "format")
        if update is not None:
            if method != "POST":
                raise _Problem(400, "an update must be POSTed (update=... or application/sparql-update), not sent by GET")
            return self._update(update, params)
        if query is None:
            return self._description(formats)
        if not query.strip():
            raise _Problem(400, "the query is empty — give a SPARQL query as query=...")
        job = Job("query", text=query, accept=self.headers.get("Accept"), formats=formats,
                  default_graphs=_all(params, "default-graph-uri"), named_graphs=_all(params, "named-graph-uri"),
                  max_results=self.server.settings.max_results,
                  max_bytes=self.server.settings.max_answer_bytes, prefixes=dict(PREFIXES))
        return self.server.pool.run(job, timeout=self.server.settings.timeout)

    def _description(self, formats: tuple[str, ...]) -> Reply:
        try:
            fmt = negotiate(self.headers.get("Accept"), "graph", requested=formats)
        except NotAcceptable:
            fmt = negotiate(None, "graph")  # a browser, or anything: Turtle
        allow_update = self.server.settings.allow_update
        if fmt.name == "html":
            turtle = _service_description(self._endpoint_url(), "turtle", allow_update=allow_update).decode("utf-8")
            intro = ("<p>This is a SPARQL 1.1 endpoint: send a query as <code>?query=...</code> (GET), or POST it. "
                     'Its service description, in Turtle:</p>')
            return html_page("coopgraph: SPARQL endpoint", f"{intro}<pre>{html.escape(turtle)}</pre>")
        body = _service_description(self._endpoint_url(), fmt.name, allow_update=allow_update)
        return Reply(200, body, fmt.content_type)

    def _update(self, update: str, params: list[tuple[str, str]]) -> Reply:
        if not self.server.settings.allow_update:
            raise _Problem(403, "SPARQL Update is refused: this endpoint is read-only — start it with "
                                "'coopgraph serve --allow-update' to accept updates")
        host, origin = self.headers.get("Host"), self.headers.get("Origin")
        if not self.server.names.host_is_ours(host):  # DNS rebinding: a name of someone else's, pointed here
            shown = host if len(host or "") <= 100 else (host or "")[:97] + "..."
            raise _Problem(403, f"an update sent to {shown!r} is refused: that is not a name of this server — if it "
                                "is one, start the server with --allow-host NAME")
        if origin is not None and not self.server.names.origin_is_ours(origin, host):
            shown = origin if len(origin) <= 100 else origin[:97] + "..."
            raise _Problem(403, f"an update from a page of another site ({shown}) is refused — send updates from "
                                "this server's own page or from a program")
        if not update.strip():
            raise _Problem(400, "the update is empty")
        job = Job("update", text=update, default_graphs=_all(params, "using-graph-uri"),
                  named_graphs=_all(params, "using-named-graph-uri"))
        reply = self.server.pool.exclusive(job, timeout=self.server.settings.timeout)
        if reply.status < 300:
            self.server.forget_page()
        return reply

    # ------------------------------------------------------------------------ the library

    def _prefers_html(self) -> bool:
        accept = self.headers.get("Accept", "")
        for media in accept.split(","):
            media = media.split(";")[0].strip().lower()
            if media in ("application/json", "*/*"):
                return False
            if media == "text/html":
                return True
        return False

    def _listing(self) -> Reply:
        listing = self.server.library.listing()
        if not self._prefers_html():
            body = json.dumps({"queries": listing}, ensure_ascii=False, indent=1).encode("utf-8")
            return Reply(200, body, "application/json")
        return self._page(_listing_page(listing, self.server.settings.description).encode("utf-8"))

    def _named(self, method: str, name: str, query_string: str) -> Reply:
        text_only = name.endswith(".rq")
        name = name.removesuffix(".rq")
        query = self.server.library.by_name.get(name)
        if query is None:
            close = difflib.get_close_matches(name, list(self.server.library.by_name), n=3, cutoff=0.5)
            hint = f" — did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise _Problem(404, f"no query named '{name}'{hint} (GET /queries lists them)")
        if method == "POST":
            params, body_query, body_update = self._post_params(query_string)
            if body_query is not None or body_update is not None:
                raise _Problem(415, f"POST the parameters of a named query as {_FORM}, not a query")
        else:
            params = self._url_params(query_string)
        declared = {p.name for p in query.params}
        formats: tuple[str, ...] = ()
        if "format" not in declared:
            formats = _all(params, "format")
            params = [(k, v) for k, v in params if k != "format"]
        values: dict[str, str] = {}
        for key, value in params:
            if key in values:
                raise _Problem(400, f"query {name}: parameter '{key}' is given twice — give it once")
            values[key] = value
        try:  # types and required parameters checked here; institutions are resolved by a worker's store
            queries.query_text(query, values, store=queries.DEFERRED)
        except QueryError as exc:
            message = re.sub(r"--param (\w+)=VALUE", r"?\1=VALUE", str(exc))
            raise _Problem(400, message) from None
        job = Job("named", text=query.name, params=tuple(values.items()), text_only=text_only,
                  accept=self.headers.get("Accept"), formats=formats,
                  max_results=self.server.settings.max_results,
                  max_bytes=self.server.settings.max_answer_bytes, prefixes=dict(PREFIXES))
        return self.server.pool.run(job, timeout=self.server.settings.timeout)


def _listing_page(listing: list[dict[str, Any]], description: str) -> str:
    """The query library as an HTML page (every text escaped)."""
    e = html.escape
    items = []
    for query in listing:
        params = "".join(
            f"<li><code>{e(p['name'])}</code> ({e(p['type'])}, {'required' if p['required'] else 'optional'}"
            + (f", default <code>{e(p['default'])}</code>" if p["default"] is not None else "")
            + f") — {e(p['help'])}</li>"
            for p in query["params"]
        )
        example = query["url"] + ("?" + "&".join(f"{p['name']}=…" for p in query["params"] if p["required"])
                                  if any(p["required"] for p in query["params"]) else "")
        items.append(
            f'<section id="{e(query["name"])}"><h2><a href="{e(query["url"])}">{e(query["name"])}</a> '
            f'<small>{e(query["form"] or "")}</small></h2><p>{e(query["summary"])}</p>'
            + (f"<ul>{params}</ul>" if params else "")
            + f'<p>returns: <code>{e(" ".join(query["returns"]))}</code> · run: <code>{e(example)}</code> · '
            f'<a href="{e(query["text"])}">text</a></p></section>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>coopgraph: query library</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/static/home.css"><link rel="icon" href="/static/favicon.svg"></head>'
        '<body class="listing"><header><h1>coopgraph: query library</h1>'
        '<nav><a href="/">editor</a> <a href="/graph">network</a> <a href="/sparql">service description</a></nav>'
        f"<p>{e(description)}</p></header><main>" + "".join(items) + "</main></body></html>\n"
    )
