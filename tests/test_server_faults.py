"""coopgraph serve under faults: malformed requests get a 4xx with a useful message (never a 500, never a
dead server), a query past the time limit is stopped while other queries keep being answered, and
answers, bodies and connections are bounded."""

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

from coopgraph.server import start_server

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: Four copies of every statement joined with each other: ~10^11 rows to count, hours of work.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server():
    with start_server(data=[DATA], port=0, workers=2, timeout=TIMEOUT, max_results=100, max_body=100_000,
                      max_connections=8) as running:
        yield running


def request(url: str, *, data: bytes | None = None, method: str | None = None, **headers: str):
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def raw(server, payload: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; the status and body of the answer."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(payload)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def alive(server) -> bool:
    status, _, body = request(server.endpoint + "?" + urllib.parse.urlencode({"query": COUNT}))
    return status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}

MALFORMED = [
    # (name, method, path, body, headers, status, fragment of the message)
    ("bad SPARQL", "GET", "/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+", None, {}, 400, "SPARQL syntax error"),
    ("bad SPARQL by POST", "POST", "/sparql", b"SELECT * WHERE { ?s ?p }", SPARQL_QUERY, 400, "SPARQL syntax error"),
    ("undeclared prefix", "GET", "/sparql?query=SELECT+*+WHERE+%7B+%3Fs+nope%3Ap+%3Fo+%7D", None, {}, 400,
     "line 1, column 27, near 'nope:p': the prefix 'nope:' is not declared"),
    ("empty query", "GET", "/sparql?query=", None, {}, 400, "the query is empty"),
    ("query twice", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400, "'query' is given 2 times"),
    ("query and update", "POST", "/sparql", b"query=ASK%7B%7D&update=CLEAR+ALL", FORM, 400, "either query or update"),
    ("unknown query name", "GET", "/queries/partnrs?institution=lstu", None, {}, 404, "did you mean 'partners'"),
    ("unknown page", "GET", "/admin", None, {}, 404, "/sparql (endpoint)"),
    ("PUT", "PUT", "/sparql", b"x", {"Content-Type": "text/turtle"}, 405, "PUT is not allowed on /sparql"),
    ("DELETE", "DELETE", "/queries/partners", None, {}, 405, "use GET, HEAD, POST, OPTIONS"),
    ("PATCH", "PATCH", "/", b"{}", {}, 405, "PATCH is not allowed on /"),
    ("POST to a page", "POST", "/graph", b"", FORM, 405, "use GET, HEAD, OPTIONS"),
    ("made-up method", "BREW", "/sparql", None, {}, 405, "BREW is not allowed"),
    ("huge body", "POST", "/sparql", b"query=" + b"%20" * 100_000, FORM, 413, "at most 100000"),
    ("invalid UTF-8 body", "POST", "/sparql", b"ASK { ?s ?p \"\xff\xfe\" }", SPARQL_QUERY, 400, "not valid UTF-8"),
    ("invalid UTF-8 form", "POST", "/sparql", b"query=ASK%7B%FF%7D", FORM, 400, "not valid UTF-8"),
    ("invalid UTF-8 URL", "GET", "/sparql?query=ASK%7B%22%C3%28%22%7D", None, {}, 400, "not valid UTF-8"),
    ("invalid UTF-8 path", "GET", "/queries/%FF%FE", None, {}, 400, "not valid UTF-8"),
    ("update without opt-in", "POST", "/sparql", b"update=DROP+ALL", FORM, 403, "--allow-update"),
    ("update as body", "POST", "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}, 403, "read-only"),
    ("update by GET", "GET", "/sparql?update=DROP+ALL", None, {}, 400, "must be POSTed"),
    ("update sent as a query", "GET", "/sparql?query=DROP+ALL", None, {}, 400, "this is a SPARQL Update"),
    ("SERVICE", "GET", "/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}), None, {}, 403,
     "SERVICE is refused"),
    ("SERVICE SILENT in OPTIONAL", "POST", "/sparql",
     b"SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?q ?r } } }", SPARQL_QUERY, 403,
     "SERVICE is refused"),
    ("SERVICE spelt with escapes", "POST", "/sparql",
     b"SELECT * WHERE { SE\\u0052VICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", SPARQL_QUERY, 403,
     "SERVICE is refused"),
    ("wrong content type", "POST", "/sparql", b"<a> <b> <c> .", {"Content-Type": "text/turtle"}, 415,
     "Content-Type text/turtle is not accepted"),
    ("no content type", "POST", "/sparql", b"ASK {}", {"Content-Type": ""}, 415, "is not accepted"),
    ("latin-1 charset", "POST", "/sparql", b"ASK {}", {"Content-Type": "application/sparql-query; charset=latin-1"}, 415,
     "send UTF-8"),
    ("no acceptable format", "GET", "/sparql?query=ASK%7B%7D", None, {"Accept": "image/png"}, 406, "ask for one of"),
    ("bad graph IRI", "GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", None, {}, 400,
     "not an IRI"),
    ("bad parameter value", "GET", "/queries/visits?from=yesterday", None, {}, 400, "parameter from"),
    ("too many rows", "GET", "/sparql?query=SELECT+*+WHERE+%7B%3Fs+%3Fp+%3Fo%7D", None, {}, 413,
     "more than 100 rows (the server's --max-results) — add LIMIT 100"),
    ("too many triples", "GET", "/sparql?query=CONSTRUCT+WHERE+%7B%3Fs+%3Fp+%3Fo%7D", None, {}, 413,
     "more than 100 triples"),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_request_gets_a_4xx_with_a_message(server, case):
    _, method, path, body, headers, status, fragment = case
    got, answer_headers, answer = request(server.url.rstrip("/") + path, data=body, method=method, **headers)
    text = answer.decode("utf-8")
    assert got == status, text
    assert fragment in text
    assert answer_headers["Content-Type"] == "text/plain; charset=utf-8"
    if status == 405:
        assert "OPTIONS" in answer_headers["Allow"]


def test_raw_protocol_garbage_is_refused(server):
    assert raw(server, b"GET / HTTP/1.1 and more\r\n\r\n")[0] == 400
    assert raw(server, b"GET /sparql HTTP/9.9\r\n\r\n")[0] in (400, 505)
    assert raw(server, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")[0] == 414
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: 99999999999\r\n\r\nASK {}")
    assert status == 413 and b"at most 100000" in body  # refused before anything is read
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n")
    assert status == 411 and b"Content-Length" in body
    status, body = raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
    assert status == 400 and b"not a byte count" in body
    assert alive(server)


def test_the_server_is_alive_after_every_fault(server):
    for case in MALFORMED:
        _, method, path, body, headers, status, _ = case
        assert request(server.url.rstrip("/") + path, data=body, method=method, **headers)[0] == status
    assert alive(server)


def test_a_slow_query_is_stopped_while_others_are_answered(server):
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["answer"] = request(server.endpoint, data=CROSS_JOIN.encode(), **SPARQL_QUERY)
        slow["seconds"] = time.monotonic() - started

    restarts = server.pool.restarts
    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the cross join holds one worker now
    fast = []
    while thread.is_alive():
        started = time.monotonic()
        assert alive(server)
        fast.append(time.monotonic() - started)
    thread.join()
    status, _, body = slow["answer"]  # type: ignore[misc]
    assert status == 503 and b"stopped after 2 s (the server's --timeout)" in body
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 2  # type: ignore[operator]
    assert len(fast) >= 5 and max(fast) < 1.0  # answered all along, not queued behind the slow one
    assert server.pool.restarts == restarts + 1
    deadline = time.monotonic() + 30
    while server.pool._idle.qsize() < server.pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.pool._idle.qsize() == server.pool.size  # a fresh worker took the stopped one's place
    assert alive(server)


def test_slow_queries_on_every_worker_make_others_wait_then_503(server):
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(request(server.endpoint, data=CROSS_JOIN.encode(),
                                                                          **SPARQL_QUERY)))
               for _ in range(server.pool.size)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    status, _, body = request(server.endpoint + "?" + urllib.parse.urlencode({"query": COUNT}))
    for thread in threads:
        thread.join()
    assert status in (200, 503)  # answered once a worker was replaced, or told to come back
    if status == 503:
        assert b"try again" in body
    assert [a[0] for a in answers] == [503] * server.pool.size
    deadline = time.monotonic() + 30
    while not alive(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(server)


def test_idle_connections_past_the_limit_make_room_not_a_hang(server):
    """Connections that send nothing no longer fill --max-connections (issue 16: they shut everyone out
    with 503); requests being answered do (tests/test_server_hardening.py)."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    held = [socket.create_connection((host, int(port)), timeout=10) for _ in range(8)]
    try:
        time.sleep(0.3)
        with socket.create_connection((host, int(port)), timeout=10) as extra:
            extra.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        for conn in held:
            conn.close()
    assert alive(server)
