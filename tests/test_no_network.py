"""A command makes no network request it was not asked for: a query that calls another endpoint
(SERVICE) is refused unless --allow-service (issue 16, item 9)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from conftest import DATA


@pytest.fixture()
def endpoint():
    """A SPARQL endpoint on 127.0.0.1 that answers no rows and records every request."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            asked.append(self.path)
            body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", asked
    server.shutdown()


def _query(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopgraph", "query", "--data", str(DATA), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("keyword", ["SERVICE", "service", "\\u0053ERVICE"])
def test_a_query_that_calls_another_endpoint_is_refused(endpoint, keyword):
    url, asked = endpoint
    done = _query("-e", f"SELECT ?s WHERE {{ {keyword} <{url}> {{ ?s ?p ?o }} }}")
    assert done.returncode == 1
    assert "--allow-service" in done.stderr and "Traceback" not in done.stderr
    assert asked == []  # nothing was sent


def test_a_query_file_that_calls_another_endpoint_is_refused(endpoint, tmp_path):
    url, asked = endpoint
    path = tmp_path / "federated.rq"
    path.write_text(f"# asks elsewhere\nSELECT ?s WHERE {{\n  SERVICE <{url}> {{ ?s ?p ?o }}\n}}\n", encoding="utf-8")
    done = _query(str(path))
    assert done.returncode == 1 and asked == []


def test_the_word_service_elsewhere_is_no_call(endpoint):
    done = _query("-e", 'SELECT ?service WHERE { BIND("service" AS ?service) } # SERVICE')
    assert done.returncode == 0, done.stderr
    assert endpoint[1] == []


def test_allow_service_lets_the_query_call(endpoint):
    url, asked = endpoint
    done = _query("--allow-service", "-e", f"SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert done.returncode == 0, done.stderr
    assert len(asked) == 1
