"""coopgraph serve: the SPARQL 1.1 Protocol, content negotiation, the service description, CORS, the
named queries, and real clients (SPARQLWrapper, rdflib's SPARQLStore) getting `coopgraph query`'s answers."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from test_queries import CASES, MULTI, _rows, _text

from coopgraph import export
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.errors import StoreError
from coopgraph.queries import list_queries, load_query, query_text, run_query
from coopgraph.server import prepare_store, start_server
from coopgraph.server.formats import negotiate

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def request(url: str, *, data: bytes | None = None, method: str | None = None, **headers: str):
    """(status, headers, body) of one request; errors are answers too."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def sparql_get(server, query: str, **headers: str):
    return request(server.endpoint + "?" + urllib.parse.urlencode({"query": query}), **headers)


@pytest.fixture(scope="module")
def server():
    with start_server(data=[DATA], port=0, workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def multi_server():
    with start_server(data=MULTI, port=0, workers=2) as running:
        yield running


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------------------------- the protocol


def test_the_default_graph_is_the_union_of_the_named_graphs(server, shipped_build):
    status, headers, body = sparql_get(server, COUNT)
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert _count(body) == sum(len(g) for g in shipped_build.dataset.graphs())


def test_query_by_get_post_form_and_post_body_agree(server):
    query = load_query("partners")
    text = query_text(query, {"institution": "lstu"})
    by_get = sparql_get(server, text)[2]
    by_form = request(server.endpoint, data=urllib.parse.urlencode({"query": text}).encode(),
                      **{"Content-Type": "application/x-www-form-urlencoded"})[2]
    by_body = request(server.endpoint, data=text.encode("utf-8"), **{"Content-Type": "application/sparql-query"})[2]
    assert json.loads(by_get) == json.loads(by_form) == json.loads(by_body)
    assert len(json.loads(by_get)["results"]["bindings"]) == 3


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("application/sparql-results+json", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", "text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
    ("application/xml;q=0.5, text/csv;q=0.9", "text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
])
def test_select_answers_in_the_results_format_asked_for(server, accept, media, fmt):
    status, headers, body = sparql_get(server, "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "
                                               "?label } ORDER BY ?s ?label", Accept=accept)
    assert status == 200 and headers["Content-Type"] == media
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: Oxigraph does not read it, the csv module does
        labels = [row["label"] for row in csv.DictReader(io.StringIO(body.decode("utf-8")))]
    else:
        labels = [row["label"].value for row in ox.parse_query_results(body, format=fmt)]  # Oxigraph reads it back
    assert len(labels) > 20 and "Липецкий государственный технический университет" in labels


def test_a_literal_with_tabs_newlines_and_quotes_survives_every_format(server):
    query = 'SELECT ?text ?n WHERE { BIND("a\\tb\\nc \\"d\\" ,е"@ru AS ?text) BIND(42 AS ?n) }'
    for fmt in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV):
        body = sparql_get(server, query, Accept=fmt.media_type.split(";")[0])[2]
        (row,) = list(ox.parse_query_results(body, format=fmt))
        assert row["text"] == ox.Literal('a\tb\nc "d" ,е', language="ru")
        assert row["n"] == ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    body = sparql_get(server, query, Accept="text/csv")[2]
    assert list(csv.reader(io.StringIO(body.decode("utf-8")))) == [["text", "n"], ['a\tb\nc "d" ,е', "42"]]


def test_unbound_cells_stay_unbound(server):
    body = sparql_get(server, "SELECT ?a ?b WHERE { VALUES (?a ?b) { (1 UNDEF) (UNDEF 2) } }")[2]
    assert json.loads(body)["results"]["bindings"] == [
        {"a": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
        {"b": {"type": "literal", "value": "2", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
    ]


def test_a_query_without_variables(server):
    body = sparql_get(server, "SELECT * WHERE { }")[2]
    assert json.loads(body) == {"head": {"vars": []}, "results": {"bindings": [{}]}}


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    ("text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    (None, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
])
def test_construct_answers_in_the_rdf_format_asked_for(server, accept, media, fmt):
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/coopgraph/id/lstu>) }")
    headers = {"Accept": accept} if accept else {}
    status, answer_headers, body = sparql_get(server, query, **headers)
    assert status == 200 and answer_headers["Content-Type"] == media
    triples = {(t.subject, t.predicate, t.object) for t in ox.parse(body, format=fmt)}
    assert len(triples) > 10 and all(s == ox.NamedNode("https://w3id.org/coopgraph/id/lstu") for s, _, _ in triples)


def test_describe_and_ask(server):
    status, headers, body = sparql_get(server, "DESCRIBE <https://w3id.org/coopgraph/id/ustl>", Accept="application/n-triples")
    assert status == 200 and b"<https://w3id.org/coopgraph/id/ustl>" in body
    status, headers, body = sparql_get(server, "ASK { ?s ?p ?o }")
    assert json.loads(body)["boolean"] is True
    status, headers, body = sparql_get(server, "ASK { ?s ?p ?o }", Accept="application/sparql-results+xml")
    assert b"<boolean>true</boolean>" in body


def test_the_format_parameter_overrides_accept(server):
    status, headers, body = request(server.endpoint + "?" + urllib.parse.urlencode({"query": COUNT, "format": "csv"}),
                                    Accept="application/sparql-results+json")
    assert headers["Content-Type"].startswith("text/csv") and body.startswith(b"n\r\n")


def test_a_format_that_does_not_fit_the_query_is_406(server):
    status, _, body = sparql_get(server, COUNT, Accept="text/turtle")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = sparql_get(server, "CONSTRUCT WHERE { ?s ?p ?o }", Accept="text/csv")
    assert status == 406 and b"text/turtle" in body


def test_default_and_named_graph_parameters(server):
    article = "https://w3id.org/coopgraph/graph/source-lstu-2023-09-18"
    params = urllib.parse.urlencode([("query", COUNT), ("default-graph-uri", article)])
    in_article = _count(request(server.endpoint + "?" + params)[2])
    everything = _count(sparql_get(server, COUNT)[2])
    assert 0 < in_article < everything
    params = urllib.parse.urlencode([("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
                                     ("named-graph-uri", article)])
    bindings = json.loads(request(server.endpoint + "?" + params)[2])["results"]["bindings"]
    assert [b["g"]["value"] for b in bindings] == [article]


def test_service_description_at_the_endpoint(server):
    status, headers, body = request(server.endpoint)
    assert status == 200 and headers["Content-Type"] == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rows = list(graph.query(f"""PREFIX sd: <{sd}> SELECT ?endpoint ?language WHERE {{
        ?service a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage ?language }}"""))
    assert [(str(e), str(lang)) for e, lang in rows] == [(server.endpoint, sd + "SPARQL11Query")]
    formats = {str(f) for f in graph.objects(None, graph.namespace_manager.expand_curie("sd:resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_TSV" in formats and len(formats) == 8
    assert (None, None, graph.namespace_manager.expand_curie("sd:UnionDefaultGraph")) in graph
    status, headers, body = request(server.endpoint, Accept="application/ld+json")
    assert headers["Content-Type"] == "application/ld+json" and json.loads(body)


def test_cors_headers_and_preflight(server):
    status, headers, _ = sparql_get(server, COUNT, Origin="https://example.org")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = request(server.endpoint, method="OPTIONS", Origin="https://example.org",
                                    **{"Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type, x-requested-with"})
    assert status == 204 and body == b""
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "x-requested-with" in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_keep_alive_connections_are_reused(server):
    import http.client

    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        for _ in range(5):
            connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
            response = connection.getresponse()
            assert response.status == 200 and _count(response.read()) > 0
    finally:
        connection.close()


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/json", "json"), ("text/xml", "xml"), ("text/csv;q=0, */*", "json"),
    ("text/*", "csv"), ("application/sparql-results+xml;q=0.2, application/json;q=0.1", "xml"),
])
def test_negotiation(accept, expected):
    assert negotiate(accept, "table").name == expected


# ------------------------------------------------------------------------------------- named queries


def test_the_library_is_listed_with_summaries_and_parameters(server):
    status, headers, body = request(server.url + "queries")
    assert status == 200 and headers["Content-Type"] == "application/json"
    listing = {q["name"]: q for q in json.loads(body)["queries"]}
    assert set(listing) == {q.name for q in list_queries()}
    partners = listing["partners"]
    assert partners["summary"] == load_query("partners").summary
    assert partners["params"][0] == {"name": "institution", "type": "institution", "required": True, "default": None,
                                     "help": partners["params"][0]["help"]}
    assert partners["params"][1]["default"] == "1900" and partners["url"] == "/queries/partners"


def test_the_library_as_html(server):
    status, headers, body = request(server.url + "queries", Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert '<a href="/queries/partners">partners</a>' in page and "institution</code> (institution, required)" in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_a_named_query_runs_with_its_parameters(server, shipped_build):
    status, headers, body = request(server.url + "queries/partners?institution=lstu", Accept="text/csv")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    expected = next(case for case in CASES if case[:3] == ("shipped", "partners", {"institution": "lstu"}))[3]
    assert [tuple(_text(c, n) for c, n in zip(r, rows[0], strict=True)) for r in rows[1:]] == expected


def test_a_named_query_by_post_form(server):
    body = urllib.parse.urlencode({"institution": "ustl", "since": "2021"}).encode()
    status, _, answer = request(server.url + "queries/partners", data=body,
                                **{"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and len(json.loads(answer)["results"]["bindings"]) == 1


def test_the_text_of_a_named_query_with_its_parameters_bound(server):
    status, headers, body = request(server.url + "queries/partners.rq?institution=lstu")
    assert status == 200 and headers["Content-Type"] == "application/sparql-query; charset=utf-8"
    assert body.decode("utf-8") == query_text(load_query("partners"), {"institution": "lstu"})


@pytest.mark.parametrize(("path", "status", "fragment"), [
    ("queries/partner?institution=lstu", 404, "no query named 'partner' — did you mean 'partners'"),
    ("queries/..%2F..%2Fetc%2Fpasswd.rq", 404, "no query named"),
    ("queries/rules/cooperation-visits", 404, "no query named"),
    ("queries/partners", 400, "missing parameter 'institution' — give it with ?institution=VALUE"),
    ("queries/partners?institution=lstu&sinse=2020", 400, "unknown parameter 'sinse' — did you mean 'since'?"),
    ("queries/partners?institution=lstu&since=20x0", 400, "parameter since: '20x0' is not a year"),
    ("queries/partners?institution=a%20b", 400, "parameter institution: 'a b' matches no institution"),  # a name: resolved
    ("queries/partners?institution=lstu&institution=ustl", 400, "parameter 'institution' is given twice"),
])
def test_named_query_errors(server, path, status, fragment):
    got, _, body = request(server.url + path)
    assert got == status and fragment in body.decode("utf-8")


# ------------------------------------------------------------------------------------- real clients


SHIPPED = [case for case in CASES if case[0] == "shipped"]
MULTI_CASES = [case for case in CASES if case[0] == "multi"]


def _case_id(case) -> str:
    return "-".join([case[0], case[1]] + [f"{k}={v}" for k, v in case[2].items()])


def _wrapper_rows(endpoint: str, text: str, *, method: str) -> list[tuple[str, ...]]:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setReturnFormat(JSON)
    if method == "POST":
        client.setMethod(POST)
    answer = client.queryAndConvert()
    columns = answer["head"]["vars"]
    return [tuple(_text(b[c]["value"] if c in b else None, c) for c in columns) for b in answer["results"]["bindings"]]


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_sparqlwrapper_takes_every_library_query_for_what_it_is(query):
    """SPARQLWrapper guesses a query's form from the first keyword it finds outside some comment lines:
    a header that says 'load' or 'add' would be sent as an update (and refused)."""
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper("http://127.0.0.1:9/sparql")
    client.setQuery(query.text)
    assert client.queryType == query.form


@pytest.mark.parametrize("case", SHIPPED, ids=_case_id)
def test_sparqlwrapper_gets_what_coopgraph_query_gets(case, server, shipped_store):
    _, name, params, expected = case
    text = query_text(load_query(name), params)
    assert _wrapper_rows(server.endpoint, text, method="GET") == _rows(run_query(shipped_store, name, params))
    assert _wrapper_rows(server.endpoint, text, method="POST") == expected


@pytest.mark.parametrize("case", MULTI_CASES, ids=_case_id)
def test_sparqlwrapper_on_the_multi_country_data(case, multi_server):
    _, name, params, expected = case
    assert _wrapper_rows(multi_server.endpoint, query_text(load_query(name), params), method="GET") == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_gets_what_coopgraph_query_gets(method, server, shipped_store):
    store = SPARQLStore(server.endpoint, method=method)
    graph = Graph(store=store)
    for _, name, params, expected in SHIPPED:
        text = query_text(load_query(name), params)
        assert _rows(graph.query(text)) == expected == _rows(run_query(shipped_store, name, params)), name


def test_sparqlwrapper_construct_as_a_graph(server):
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server.endpoint)
    client.setQuery("CONSTRUCT WHERE { <https://w3id.org/coopgraph/id/lstu> ?p ?o }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) > 10


def test_the_command_line_query_matches_the_endpoint_csv(server, capsys):
    assert main(["query", "partners", "--param", "institution=lstu", "--format", "csv", "--data", str(DATA)]) == 0
    command = capsys.readouterr().out
    served = request(server.url + "queries/partners?institution=lstu", Accept="text/csv")[2].decode("utf-8")

    def rows(text: str) -> list[tuple[str, ...]]:  # list cells in the engine's order: compared sorted
        header, *body = csv.reader(io.StringIO(text.strip() + "\r\n"))
        return [tuple(_text(cell, column) for cell, column in zip(row, header, strict=True)) for row in body]

    assert rows(command) == rows(served)


# ------------------------------------------------------------------------------------- stores


def test_an_oxigraph_folder_is_served_read_only(tmp_path, shipped_build):
    folder = tmp_path / "store"
    store = ox.Store(str(folder))
    store.bulk_load(export.nquads(shipped_build.dataset), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    with start_server(store=f"oxigraph:{folder}", port=0, workers=2) as running:
        assert "in " + str(folder) in running.httpd.settings.description
        body = request(running.url + "queries/partners?institution=lstu")[2]
        assert len(json.loads(body)["results"]["bindings"]) == 3
        status, _, answer = request(running.endpoint, data=b"update=CLEAR+ALL",
                                    **{"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 403 and b"read-only" in answer
    assert len(ox.Store(str(folder))) == sum(len(g) for g in shipped_build.dataset.graphs())


def test_a_missing_oxigraph_folder_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        prepare_store(f"oxigraph:{tmp_path / 'nothing'}")


def test_an_unknown_store_is_a_store_error():
    with pytest.raises(StoreError, match="unknown store"):
        prepare_store("postgres://x")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory, shipped_build):
    """`oxigraph serve` on 127.0.0.1 with the shipped data (a real remote store)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("oxigraph-remote")
    data = folder / "data.nq"
    data.write_bytes(export.nquads(shipped_build.dataset))
    subprocess.run([binary, "load", "--location", str(folder / "db"), "--file", str(data)], check=True,
                   capture_output=True, timeout=60)
    port = _free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


def test_a_remote_endpoint_is_served_through_the_same_rules(oxigraph_server, server):
    with start_server(store=oxigraph_server, port=0, workers=2, max_results=50) as proxy:
        assert "proxied" in proxy.httpd.settings.description
        for _, name, params, expected in SHIPPED:
            text = query_text(load_query(name), params)
            assert _wrapper_rows(proxy.endpoint, text, method="GET") == expected, name
        assert request(proxy.url + "queries/partners?institution=lstu", Accept="text/tab-separated-values")[2] == \
            request(server.url + "queries/partners?institution=lstu", Accept="text/tab-separated-values")[2]
        status, _, body = sparql_get(proxy, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
        assert status == 403 and b"SERVICE is refused" in body
        status, _, body = sparql_get(proxy, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 413 and b"more than 50 rows" in body
        assert request(proxy.url + "graph")[2] == request(server.url + "graph")[2]


# ------------------------------------------------------------------------------------- updates


def test_updates_with_allow_update(tmp_path):
    with start_server(data=[DATA], port=0, workers=2, allow_update=True) as running:
        description = request(running.endpoint)[2].decode("utf-8")
        assert "SPARQL11Update" in description
        insert = 'INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/a> <https://example.org/p> "x" } }'
        status, _, body = request(running.endpoint, data=insert.encode(), **{"Content-Type": "application/sparql-update"})
        assert status == 204, body
        answer = sparql_get(running, 'ASK { <https://example.org/a> <https://example.org/p> "x" }')[2]
        assert json.loads(answer)["boolean"] is True
        status, _, body = request(running.endpoint, data=b"update=LOAD+%3Chttp%3A%2F%2F127.0.0.1%3A9%2Fx.ttl%3E",
                                  **{"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 403 and b"LOAD is refused" in body
        status, _, body = request(running.endpoint, data=insert.encode(), Origin="https://evil.example",
                                  **{"Content-Type": "application/sparql-update"})
        assert status == 403 and b"another site" in body
        status, _, body = request(running.endpoint, data=b"INSERT DATA { oops", **{"Content-Type": "application/sparql-update"})
        assert status == 400 and b"syntax error" in body
        assert _count(sparql_get(running, COUNT)[2]) > 0  # the readers came back after each update


def test_the_serve_command_is_documented():
    from coopgraph.cli import _parser

    help_text = _parser()._subparsers._group_actions[0].choices["serve"].format_help()  # type: ignore[union-attr]
    for option in ("--store", "--data", "--host", "--port", "--timeout", "--max-results", "--allow-update"):
        assert option in help_text
    assert "Example: coopgraph serve" in help_text


def test_the_graph_page_is_the_network_page_of_the_main_job(server, shipped_store):
    from coopgraph import network, render

    status, headers, body = request(server.url + "graph")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    expected = render.html_document(network.institution_network(shipped_store),
                                    title="coopgraph: institution network")
    assert body.decode("utf-8") == expected


def test_build_of_the_multi_fixture_is_what_the_multi_server_serves(multi_server):
    dataset = build_dataset(MULTI).dataset
    assert _count(sparql_get(multi_server, COUNT)[2]) == sum(len(g) for g in dataset.graphs())
