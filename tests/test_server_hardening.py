"""coopgraph serve against the hostile probes of issue 16: slow clients, a query that eats memory, huge
answers and cells, and DNS rebinding of an update. Each test replays the probe that broke the server."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_server import request  # (status, headers, body) of one request; errors are answers too

from coopgraph.server import start_server
from coopgraph.server.engine import Job, handle

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}
SPARQL_UPDATE = {"Content-Type": "application/sparql-update"}


def doubled(times: int, *, select: str = "?v") -> str:
    """The probe's query: a 16-character string doubled ``times`` times by chained BIND(CONCAT(...))."""
    binds = ['BIND("0123456789abcdef" AS ?v0)']
    binds += [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(times)]
    return f"SELECT {select} WHERE {{ {' '.join(binds)} BIND(?v{times} AS ?v) }}"


def sparql(server, query: str, **params: str):
    return request(server.endpoint + "?" + urllib.parse.urlencode({"query": query, **params}))


def address(server) -> tuple[str, int]:
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    return host, int(port)


def alive(server) -> bool:
    status, _, body = sparql(server, COUNT)
    return status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


def assert_no_traceback(body: bytes) -> None:
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text and ".py" not in text, text
    assert text.count("\n") == 1, text  # one line


# ------------------------------------------------------------------------------ 3. slow clients

HEADER_TIMEOUT = 1.0
IDLE_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def slow_server():
    with start_server(data=[DATA], port=0, workers=1, timeout=3.0, max_connections=2, max_idle=8,
                      header_timeout=HEADER_TIMEOUT, idle_timeout=IDLE_TIMEOUT) as running:
        yield running


def closed_within(conn: socket.socket, seconds: float) -> tuple[bytes, float]:
    """What the server sends until it closes the connection, and how long that took (at most ``seconds``)."""
    started = time.monotonic()
    conn.settimeout(seconds)
    data = b""
    try:
        while chunk := conn.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data, time.monotonic() - started


def test_a_request_whose_headers_dribble_in_is_cut_off_at_the_header_timeout(slow_server):
    """The probe sent headers a byte at a time; each byte reset a 60 s timer, so the socket was held for good."""
    with socket.create_connection(address(slow_server), timeout=10) as conn:
        conn.sendall(b"GET /sparql HTTP/1.1\r\n")
        started = time.monotonic()
        answer = b""
        try:
            while time.monotonic() - started < 6:
                conn.sendall(b"X")
                time.sleep(0.2)
        except OSError:  # the server closed the connection
            pass
        took = time.monotonic() - started
        answer += closed_within(conn, 2)[0]
    assert took < HEADER_TIMEOUT + 1.5
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"--header-timeout" in answer
    assert alive(slow_server)


def test_a_connection_that_sends_nothing_is_closed_at_the_header_timeout(slow_server):
    with socket.create_connection(address(slow_server), timeout=10) as conn:
        data, took = closed_within(conn, 6)
    assert data == b"" and took < HEADER_TIMEOUT + 1.5  # closed without a word: it asked nothing


def test_an_idle_keep_alive_connection_is_closed_at_the_idle_timeout(slow_server):
    with socket.create_connection(address(slow_server), timeout=10) as conn:
        conn.sendall(b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep(0.3)
        first = conn.recv(1 << 20)
        assert first.startswith(b"HTTP/1.1 200")
        data, took = closed_within(conn, 6)
    assert data == b"" and took < IDLE_TIMEOUT + 1.5


def test_silent_and_slow_sockets_do_not_lock_out_other_clients(slow_server):
    """The probe held --max-connections sockets open, silent or slow: everyone else got 503 for 40-58 s."""
    held = []
    try:
        for n in range(30):  # --max-connections 2, --max-idle 8: far more than both
            conn = socket.create_connection(address(slow_server), timeout=10)
            if n % 2:
                conn.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0")  # and never the rest
            held.append(conn)
        time.sleep(0.2)
        answers = []
        for _ in range(10):
            started = time.monotonic()
            status, _, _ = sparql(slow_server, COUNT)
            answers.append((status, time.monotonic() - started))
    finally:
        for conn in held:
            conn.close()
    assert [status for status, _ in answers] == [200] * 10
    assert max(took for _, took in answers) < 1.0  # answered at once, not after a timeout


def test_too_many_requests_at_once_get_503_with_the_limit():
    """Requests being answered have a budget of their own (--max-connections); beyond it, 503 at once.

    Its own server: the two slow queries must still be running when the third request comes (an 8 s
    limit, not the module's 3 s), and none may be answered from a kept answer."""
    with start_server(data=[DATA], port=0, workers=1, timeout=8.0, max_connections=2, cache_mb=0) as server:
        threads = _too_many(server)
    for thread in threads:  # the server stopped: the slow requests end with it
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)


def _too_many(slow_server) -> list[threading.Thread]:
    slow = []
    threads = [threading.Thread(target=lambda n=n: slow.append(request(  # two different queries: none waits on the other's
                   slow_server.endpoint, data=f"{CROSS_JOIN} # {n}".encode(), **SPARQL_QUERY)))
               for n in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5  # one cross join runs in the worker (8 s), the other waits for it:
    while slow_server.httpd.budget.active < 2 and time.monotonic() < deadline:  # two requests answered
        time.sleep(0.02)
    assert slow_server.httpd.budget.active == 2
    started = time.monotonic()
    status, headers, body = sparql(slow_server, COUNT)
    took = time.monotonic() - started
    assert status == 503 and took < 1.0
    assert b"--max-connections" in body and headers["Retry-After"] == "1"
    return threads


# ------------------------------------------------------------------------------ 4 and 5. memory and size

WORKER_MB = 400


@pytest.fixture(scope="module")
def bounded_server():
    with start_server(data=[DATA], port=0, workers=1, timeout=30.0, worker_memory_mb=WORKER_MB,
                      max_answer_mb=32) as running:
        yield running


def test_a_query_that_eats_memory_gets_503_and_a_fresh_worker(bounded_server):
    """The probe's chained BIND(CONCAT(...)) reached 8.2 GB in one worker; here a 256 MB string built
    in ~512 MB against a 400 MB cap (the answer itself is one small number)."""
    restarts = bounded_server.pool.restarts
    started = time.monotonic()
    status, _, body = sparql(bounded_server, doubled(24, select="(STRLEN(?v) AS ?n)"))
    assert status == 503, body
    assert b"out of memory" in body and f"--worker-memory-mb, {WORKER_MB} MB".encode() in body
    assert_no_traceback(body)
    assert time.monotonic() - started < 20
    assert bounded_server.pool.restarts == restarts + 1
    deadline = time.monotonic() + 30
    while bounded_server.pool._idle.qsize() < bounded_server.pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(bounded_server)  # the fresh worker answers


def test_a_query_within_the_memory_cap_is_answered(bounded_server):
    status, _, body = sparql(bounded_server, doubled(20, select="(STRLEN(?v) AS ?n)"))  # 16 MB
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(16 << 20)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "html"])
def test_an_answer_over_max_answer_mb_is_413(bounded_server, fmt):
    """A 335 MB one-row answer was served: answers are capped in bytes as well as in rows."""
    status, headers, body = sparql(bounded_server, doubled(21), format=fmt)  # one row, a 32 MiB value
    assert status == 413, body[:200]
    assert b"larger than 32 MB (the server's --max-answer-mb)" in body
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_no_traceback(body)


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld"])
def test_a_graph_over_max_answer_mb_is_413(bounded_server, fmt):
    construct = doubled(21).replace("SELECT ?v WHERE", "CONSTRUCT { <https://example.org/s> <https://example.org/p> ?v } WHERE")
    status, _, body = sparql(bounded_server, construct, format=fmt)
    assert status == 413 and b"--max-answer-mb" in body, body[:200]


@pytest.mark.parametrize("fmt", ["json", "csv", "xml", "html"])
def test_a_20_mb_cell_is_413_without_a_traceback(bounded_server, fmt):
    """The probe's 20 MB cell gave a 500 with a Python traceback and the server's file paths (JSON, CSV)."""
    query = doubled(20).replace("BIND(?v20 AS ?v)", "BIND(CONCAT(?v20, SUBSTR(?v20, 1, 4194304)) AS ?v)")  # 20 MiB
    status, _, body = sparql(bounded_server, query, format=fmt)
    assert status == 413, body[:300]
    assert b"longer than 16 MB" in body and b"format=tsv" in body
    assert_no_traceback(body)


def test_a_20_mb_cell_comes_whole_as_tsv(bounded_server):
    query = doubled(20).replace("BIND(?v20 AS ?v)", "BIND(CONCAT(?v20, SUBSTR(?v20, 1, 4194304)) AS ?v)")
    status, _, body = sparql(bounded_server, query, format="tsv")
    assert status == 200
    header, value, _ = body.split(b"\n")
    assert header == b"?v" and len(value) == (20 << 20) + 2  # the quotes of the literal


def test_a_failure_in_a_worker_is_logged_not_sent(capsys):
    """engine.handle sent the traceback of any error (with the server's paths) to the client."""
    reply = handle(None, Job("no-such-kind"))
    assert reply.status == 500
    assert_no_traceback(reply.body)
    assert b"server's log" in reply.body
    logged = capsys.readouterr().err
    assert "Traceback" in logged and "unknown job kind 'no-such-kind'" in logged


# ------------------------------------------------------------------------------ 6. DNS rebinding

INSERT = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> "x" } }'


@pytest.fixture(scope="module")
def update_server():
    with start_server(data=[DATA], port=0, workers=1, allow_update=True, allow_hosts=["coop.example"]) as running:
        yield running


def update(server, *, host: str | None = None, origin: str | None = None):
    headers = dict(SPARQL_UPDATE)
    if origin is not None:
        headers["Origin"] = origin
    if host is not None:
        headers["Host"] = host
    return request(server.endpoint, data=INSERT.encode(), **headers)


def test_an_update_by_a_rebound_name_is_refused(update_server):
    """The probe: a page at http://rebind.example:PORT, its name rebound to 127.0.0.1, POSTs an update.
    Origin and Host both say rebind.example, so 'Origin matches Host' let it through."""
    port = address(update_server)[1]
    status, _, body = update(update_server, host=f"rebind.example:{port}", origin=f"http://rebind.example:{port}")
    assert status == 403, body
    assert b"rebind.example" in body and b"--allow-host" in body


def test_an_update_from_another_site_is_refused(update_server):
    port = address(update_server)[1]
    for origin in ("https://evil.example", f"http://localhost:{port + 1}", "null"):
        status, _, body = update(update_server, host=f"127.0.0.1:{port}", origin=origin)
        assert status == 403 and b"another site" in body, (origin, body)


def test_an_update_from_our_own_names_is_accepted(update_server):
    port = address(update_server)[1]
    for host, origin in ((f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"),
                         (f"localhost:{port}", f"http://localhost:{port}"),
                         (f"127.0.0.1:{port}", f"http://localhost:{port}"),
                         (f"[::1]:{port}", None),
                         ("coop.example", "https://coop.example"),  # --allow-host, behind a proxy
                         (None, None)):  # a program: no Origin
        status, _, body = update(update_server, host=host, origin=origin)
        assert status == 204, (host, origin, body)


def test_the_service_description_never_names_a_foreign_host(update_server):
    port = address(update_server)[1]
    _, _, body = request(update_server.endpoint, Host=f"rebind.example:{port}", Accept="text/turtle")
    assert b"rebind.example" not in body and f"<http://127.0.0.1:{port}/sparql>".encode() in body
    _, _, body = request(update_server.endpoint, Host=f"localhost:{port}", Accept="text/turtle")
    assert f"<http://localhost:{port}/sparql>".encode() in body
