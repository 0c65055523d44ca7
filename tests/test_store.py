"""Stores: the same answers from memory, Oxigraph on disk and a real Oxigraph server; loads that replace
exactly their graphs; failures (a bad file, invalid data, a killed process, a server gone) that leave the
store as it was; the commands with --store."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from test_queries import CASES, MULTI, _case_id, _rows

from coopgraph import ids, network, pipeline, synth
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.errors import QueryError, SourceError, StoreError, ValidationError
from coopgraph.queries import load_query, parse_query, run_query
from coopgraph.stores import STORE_ENV, OxigraphStore, RemoteStore, open_store
from coopgraph.stores.remote import _layout

KINDS = ("memory", "oxigraph", "remote")
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


# ------------------------------------------------------------------------------------ a real Oxigraph server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """An ``oxigraph serve`` process on 127.0.0.1, started by the tests."""

    location: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        self.process = subprocess.Popen(
            ["oxigraph", "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph serve did not start on port {self.port}") from None
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """Start Oxigraph servers (each with its own folder and free port); all are stopped at the end."""
    if shutil.which("oxigraph") is None:
        pytest.fail("the oxigraph server is not installed: pip install oxigraph")
    started: list[Server] = []

    def start() -> Server:
        server = Server(tmp_path_factory.mktemp("oxigraph-server"), _free_port()).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# ------------------------------------------------------------------------------------ the stores, loaded


@pytest.fixture(scope="module")
def builds(shipped_build):
    return {"shipped": shipped_build, "multi": build_dataset(MULTI)}


def _open(kind: str, folder: Path, oxigraph_server):
    """A new empty store of a kind (an Oxigraph store in ``folder``, a server of its own)."""
    if kind == "memory":
        return open_store("memory")
    if kind == "oxigraph":
        return open_store(f"oxigraph:{folder}")
    return open_store(oxigraph_server().url)


@pytest.fixture(scope="module")
def stores(builds, tmp_path_factory, oxigraph_server):
    """The shipped data and the multi-country fixture loaded into each kind of store."""
    opened = {}
    for name, build in builds.items():
        for kind in KINDS:
            store = _open(kind, tmp_path_factory.mktemp("stores") / name, oxigraph_server)
            store.load(build.dataset)
            opened[name, kind] = store
    yield opened
    for store in opened.values():
        store.close()


def _quads(store) -> dict[URIRef, Graph]:
    """Each named graph of a store, as a graph of its own (a copy)."""
    out = {}
    for graph in store.dataset().graphs():
        if len(graph) and graph.identifier != DATASET_DEFAULT_GRAPH_ID:
            out[graph.identifier] = copy = Graph()
            for triple in graph:
                copy.add(triple)
    return out


def _lines(store) -> set[bytes]:
    return set(store.nquads().splitlines())


# ------------------------------------------------------------------------------------ same answers


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_library_query_gives_the_same_answers_on_every_store(case, kind, stores):
    fixture, name, params, expected = case
    result = run_query(stores[fixture, kind], name, params)
    assert [str(v) for v in result.vars] == list(load_query(name).returns)
    assert _rows(result) == expected


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fixture", ["shipped", "multi"])
def test_every_graph_comes_back_as_it_was_loaded(fixture, kind, stores, builds):
    """The derived graph too: the store recomputes it with its own engine, to the same triples."""
    expected = {g.identifier: g for g in builds[fixture].dataset.graphs() if len(g)}
    found = _quads(stores[fixture, kind])
    assert sorted(found) == sorted(expected) == stores[fixture, kind].graphs()
    for name, graph in expected.items():
        assert isomorphic(found[name], graph), name
    assert len(stores[fixture, kind]) == sum(len(g) for g in expected.values())


@pytest.mark.parametrize("kind", KINDS)
def test_ask_and_construct_on_every_store(kind, stores):
    store = stores["shipped", kind]
    ask = run_query(store, parse_query("PREFIX coop: <https://w3id.org/coopgraph/ns#>\nASK { ?v a coop:Visit }"))
    assert ask.askAnswer is True
    for rule, size in (("rules/cooperation-visits", 18), ("rules/cooperation-visits-evidence", 6)):  # counts: the index
        construct = run_query(store, rule)
        expected = run_query(stores["shipped", "memory"], rule)
        assert isomorphic(construct.graph, expected.graph) and len(construct.graph) == size, rule


@pytest.mark.parametrize("kind", KINDS)
def test_prefixes_coopgraph_knows_need_no_declaration(kind, stores):
    result = run_query(stores["shipped", kind], parse_query("SELECT (COUNT(*) AS ?n) WHERE { ?i a coop:Institution }"))
    assert [int(row[0]) for row in result] == [4]


@pytest.mark.parametrize("kind", KINDS)
def test_a_syntax_error_names_its_line_on_every_store(kind, stores):
    with pytest.raises(QueryError, match=r"^query -e: SPARQL syntax error at line 3, column 3, near 'OPTINAL"):
        run_query(stores["shipped", kind], parse_query("SELECT ?v WHERE {\n  ?v ?p ?o .\n  OPTINAL { ?v ?q ?w }\n}"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_institution_network_from_a_store_is_the_one_from_the_sources(kind, stores):
    expected = network.institution_network(open_store("memory", sources=MULTI))  # built from the sources
    direct = network.institution_network(stores["multi", kind])  # the store's own engine answers queries/network/
    assert dict(direct.nodes(data=True)) == dict(expected.nodes(data=True))
    assert list(direct.nodes) == list(expected.nodes)  # the same order too (pages and exports are byte-stable)
    assert sorted((u, v, sorted(d.items())) for u, v, d in direct.edges(data=True)) == \
        sorted((u, v, sorted(d.items())) for u, v, d in expected.edges(data=True))


# ------------------------------------------------------------------------------------ loading without loss


@pytest.fixture(params=KINDS)
def store(request, tmp_path, oxigraph_server):
    opened = _open(request.param, tmp_path / "store", oxigraph_server)
    yield opened
    opened.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_reloading_one_source_replaces_exactly_its_graph(store, data_copy):
    pipeline.load([data_copy], store=store)
    before = _quads(store)
    source = data_copy / "sources" / "lstu-2023-09-18.yaml"
    _edit(source, "en: Official visit of the LSTU delegation", "en: Official trip of the LSTU delegation")
    _edit(source, "    mobilityKind: StudentStudies\n", "    mobilityKind: StudentTraineeship\n")
    report = pipeline.load([source], store=store, root=data_copy)
    assert list(report.graphs) == [str(ids.graph("source-lstu-2023-09-18"))]
    expected = build_dataset([data_copy])
    after = _quads(store)
    assert sorted(after) == sorted(before)
    for name, graph in after.items():
        if name in (ids.graph("source-lstu-2023-09-18"), DERIVED_GRAPH, INDEX_GRAPH):
            assert isomorphic(graph, expected.dataset.graph(name)), name
            assert not isomorphic(graph, before[name]) or name in (DERIVED_GRAPH, INDEX_GRAPH)
        else:
            assert set(graph) == set(before[name]), name  # the registries are untouched
    visit = ids.entity("lstu-visit-liaoning-2023-09")
    assert Literal("Official trip of the LSTU delegation to universities of Liaoning province", lang="en") in \
        after[ids.graph("source-lstu-2023-09-18")].objects(visit, SKOS_PREF)


def test_a_new_source_is_validated_against_what_the_store_holds(store, data_copy, tmp_path):
    pipeline.load([data_copy / "registry"], store=store)
    source = tmp_path / "extra.yaml"
    source.write_text(
        "source: {id: source-extra, type: NewsArticle, title: {en: Extra}, issued: 2024-01-02, language: en}\n"
        "graph:\n  - id: extra-visit\n    type: Visit\n    name: {en: A visit}\n    visitor: lstu\n    host: ustl\n"
        "    startDate: 2024-01-01\n",
        encoding="utf-8",
    )
    report = pipeline.load([source], store=store)  # lstu and ustl are in the store, not in the file
    assert list(report.graphs) == [str(ids.graph("source-extra"))]
    assert [row.partner for row in run_query(store, "partners", {"institution": "lstu"})] == [ids.entity("ustl")]
    _edit(source, "host: ustl", "host: utsl")
    with pytest.raises(ValidationError) as caught:
        pipeline.load([source], store=store)
    assert caught.value.problems == [f"{source}:7: unknown id 'utsl' — define it in data/registry/ or a source file"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("bad.yaml", "source: {id: source-bad, type: NewsArticle}\ngraph:\n  - id: x\n    type: Visit\n    hots: lstu\n",
     r"bad.yaml:5: unknown key 'hots' in a Visit — did you mean 'host'\?"),
    ("bad.nq", "<urn:s> <urn:p> <urn:o> <urn:g> .\n<urn:s> <urn:p> \"unterminated <urn:g> .\n",
     r"bad.nq: .*line 2.* — fix the file; the store was not changed"),
], ids=["yaml", "nq"])
def test_a_bad_file_leaves_the_store_as_it_was(store, data_copy, name, text, message):
    pipeline.load([data_copy], store=store)
    before = _lines(store)
    (data_copy / "sources" / name).write_text(text, encoding="utf-8")
    with pytest.raises((SourceError, StoreError), match=message):
        pipeline.load([data_copy], store=store)
    assert _lines(store) == before


def test_invalid_data_leaves_the_store_as_it_was(store, data_copy):
    pipeline.load([data_copy], store=store)
    before = _lines(store)
    _edit(data_copy / "sources" / "lstu-2023-09-18.yaml", "    host: sut\n", "    host: nowhere\n")
    with pytest.raises(ValidationError, match="unknown id 'nowhere'"):
        pipeline.load([data_copy], store=store)
    assert _lines(store) == before


def test_a_syntax_error_late_in_a_big_file_leaves_an_empty_store_empty(tmp_path):
    """With nothing to keep, the file is not read twice: Oxigraph's bulk loader meets the error in the copy."""
    big = tmp_path / "big.nq"
    synth.write(tmp_path / "synth", triples=20_000, seed=5, format="nq")
    big.write_bytes((tmp_path / "synth" / "synth.nq").read_bytes() + b"<urn:s> <urn:p> .\n")
    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        with pytest.raises(StoreError, match="big.nq: .* — fix the file; the store was not changed"):
            store.load_files([big])
        assert store.graphs() == [] and len(store) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "big.nq", "store", "synth"]  # no staging left
    # (the lock file stays beside the folder: a store is replaced at every load, its lock is not)


@pytest.mark.parametrize("kind", KINDS)
def test_replace_graph_replaces_one_graph(kind, tmp_path, oxigraph_server, builds):
    with _open(kind, tmp_path / "one", oxigraph_server) as store:
        store.load(builds["shipped"].dataset)
        before = _quads(store)
        name = ids.graph("registry-topics")
        store.replace_graph(name, [(ids.entity("x"), SKOS_PREF, Literal("x", lang="en"))])
        after = _quads(store)
        assert set(after[name]) == {(ids.entity("x"), SKOS_PREF, Literal("x", lang="en"))}
        assert all(set(after[g]) == set(before[g]) for g in before if g != name)


def test_a_swap_cut_short_is_put_back_on_open(tmp_path, builds):
    location = tmp_path / "store"
    with open_store(f"oxigraph:{location}") as store:
        store.load(builds["shipped"].dataset)
        before = _lines(store)
    location.rename(tmp_path / ".store.old")  # the process died between the two renames of a swap
    (tmp_path / ".store.staging").mkdir()
    with open_store(f"oxigraph:{location}") as store:
        assert _lines(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".store.lock", "store"]


# ------------------------------------------------------------------------------------ killed midway


@pytest.fixture(scope="module")
def big_nq(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    return synth.write(folder, triples=300_000, seed=11, format="nq").files[0]


def test_a_load_killed_midway_leaves_the_oxigraph_store_as_it_was(tmp_path, builds, big_nq):
    location = tmp_path / "store"
    with open_store(f"oxigraph:{location}") as store:
        store.load(builds["shipped"].dataset)
        before = _lines(store)
    script = "import sys; from coopgraph.stores import open_store; open_store(sys.argv[1]).load_files([sys.argv[2]])"
    loader = subprocess.Popen([sys.executable, "-c", script, f"oxigraph:{location}", str(big_nq)])
    staging = tmp_path / ".store.staging"
    deadline = time.monotonic() + 60
    while not (staging.is_dir() and any(staging.glob("*.sst"))) and loader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loader.poll() is None, "the load ended before it could be killed"
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    with open_store(f"oxigraph:{location}") as store:
        assert _lines(store) == before
    assert not staging.exists()


def test_a_server_killed_midway_leaves_its_store_as_it_was(oxigraph_server, builds, big_nq):
    server = oxigraph_server()
    store = RemoteStore(server.url)
    store.load(builds["shipped"].dataset)
    before = _lines(store)
    failure: list[BaseException] = []

    def load() -> None:
        try:
            store.load_files([big_nq])
        except BaseException as exc:  # noqa: BLE001 (handed to the test)
            failure.append(exc)

    idle = server.cpu_seconds()
    loading = threading.Thread(target=load)
    loading.start()
    deadline = time.monotonic() + 60
    while server.cpu_seconds() < idle + 0.3 and loading.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)  # until the server is busy with the update
    assert loading.is_alive(), "the load ended before the server could be killed"
    server.kill()
    loading.join()
    assert failure and isinstance(failure[0], StoreError)
    assert "cannot reach the SPARQL endpoint" in str(failure[0]) or "answered" in str(failure[0])
    server.start()  # the same folder and port
    assert _lines(store) == before


def test_a_server_that_is_gone_is_an_error_and_changes_nothing(oxigraph_server, builds):
    server = oxigraph_server()
    store = RemoteStore(server.url)
    store.load(builds["shipped"].dataset)
    before = _lines(store)
    server.stop()
    message = rf"^cannot reach the SPARQL endpoint {server.url}/(query|update): .* is the server running"
    with pytest.raises(StoreError, match=message):
        store.load(builds["multi"].dataset)
    server.start()
    assert _lines(store) == before


# ------------------------------------------------------------------------------------ opening


@pytest.mark.parametrize(("spec", "message"), [
    ("mongodb://x", "unknown store 'mongodb://x' — use memory, oxigraph:DIR or the URL of a SPARQL endpoint"),
    ("oxigraph:", "store 'oxigraph:' needs a folder"),
])
def test_a_spec_of_no_kind_is_an_error(spec, message):
    with pytest.raises(StoreError, match=message):
        open_store(spec)


def test_an_oxigraph_folder_that_is_a_file_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="file: is a file — oxigraph:DIR needs a folder"):
        open_store(f"oxigraph:{tmp_path / 'file'}")


def test_the_environment_gives_the_default_store(tmp_path, monkeypatch):
    monkeypatch.setenv(STORE_ENV, f"oxigraph:{tmp_path / 'env'}")
    with open_store() as store:
        assert isinstance(store, OxigraphStore) and store.location == tmp_path / "env"


@pytest.mark.parametrize(("url", "query", "update", "gsp", "union"), [
    ("http://127.0.0.1:7878", "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
     "http://127.0.0.1:7878/store", "oxigraph"),
    ("http://h:3030/ds/sparql", "http://h:3030/ds/sparql", "http://h:3030/ds/update", "http://h:3030/ds/data",
     "urn:x-arq:UnionGraph"),
    ("http://h:7200/repositories/coop", "http://h:7200/repositories/coop", "http://h:7200/repositories/coop/statements",
     "http://h:7200/repositories/coop/rdf-graphs/service", "server"),
    ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud", "server"),
])
def test_endpoint_layouts(url, query, update, gsp, union):
    layout = _layout(url)
    assert (layout.query, layout.update, layout.gsp, layout.union) == (query, update, gsp, union)


# ------------------------------------------------------------------------------------ the commands


def test_load_query_stats_and_export_with_a_store(tmp_path, capsysbinary, monkeypatch):
    """The commands give the same bytes from a store as from the sources (the store from the environment)."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    data = str(Path(__file__).resolve().parents[1] / "data")
    assert main(["load", data, "--store", spec]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert "4 source files built: shapes and references, with what the store holds" in out
    # 156 = 59 links, cooperatesWith and sources + 78 rdfs:label (each skos:prefLabel again) + 19 coop:fileName;
    # the index graph holds 146 (107 numbers and counts, 3 more for the kinds as links, 36 display labels);
    # the sources hold 24 fewer than before, the activity-side PROV statements (visits are not prov:Activity)
    assert "derived graph: 156 triples" in out and "store: 820 triples" in out
    for argv in (["query", "mobility", "-f", "csv"], ["stats", "--format", "json"],  # lists in cells come in any order
                 ["network", "--format", "graphml", "-o", str(tmp_path / "net.graphml")], ["export", "--format", "nq"]):
        assert main(argv + ["--store", "memory"] + (["--data", data] if argv[0] == "query" else [data])) == 0
        from_sources = capsysbinary.readouterr().out
        written = (tmp_path / "net.graphml").read_bytes() if argv[0] == "network" else b""
        monkeypatch.setenv(STORE_ENV, spec)
        assert main(argv + ([] if argv[0] == "query" else [str(tmp_path / "nothing-here")])) == 0
        monkeypatch.delenv(STORE_ENV)
        assert capsysbinary.readouterr().out == from_sources, argv[0]
        if argv[0] == "network":
            assert (tmp_path / "net.graphml").read_bytes() == written
        if argv[0] == "stats":
            assert json.loads(from_sources)["edges"] == 3


def test_load_needs_a_store_that_keeps(capsys):
    assert main(["load", "data", "--store", "memory"]) == 1
    assert capsys.readouterr().err.startswith("coopgraph: the memory store keeps nothing after the command")
