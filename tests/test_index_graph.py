"""The index graph: the query library's caches (order numbers, counts, display labels) kept apart from the
data, the same on every store, replaced at every load, left out of every dump; the four library queries
that read its summaries give the rows they gave, and run unchanged as plain SPARQL over the published
TriG plus the index graph."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
import test_store
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from test_store import KINDS, _open

from conftest import ROOT
from coopgraph import pipeline, publish
from coopgraph.cli import main
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.namespaces import COOP
from coopgraph.queries import load_query, run_query

oxigraph_servers = test_store.oxigraph_server  # the fixture that starts Oxigraph servers, registered here too
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
#: What only the library needs: never in a dump.
CACHES = {COOP[name] for name in (
    "labelOrder", "agreementOrder", "cooperationOrder", "mobilityOrder", "programmeOrder", "travellerOrder",
    "visitOrder", "tripCount", "firstTripStart", "lastTripStart", "eventCount", "discussedAt", "factCount",
    "plannedCount", "factKind", "cooperationCount", "institutionPairs", "evidenceCount", "countryA", "countryB",
    "kinds", "displayLabel")}
CACHE_CLASSES = {COOP.TimelineEntry, COOP.CountryCooperation}
#: The four queries that read the summaries, with parameters, and their rows on the shipped data (as
#: before the index graph: the same CSV, byte for byte, from ``coopgraph query -f csv``).
FOUR = ("country-pairs", "timeline", "topics", "people-by-visits")
SHIPPED_ROWS = {
    ("country-pairs", ()): [("CN", "RU", "3", "6", "5", "agreement mobility programme visit")],
    ("timeline", (("from", "2015"), ("to", "2019"))): [("", "ActionPlan", "1", "1")],
    ("people-by-visits", (("after", "3"),)): [],
}


# ------------------------------------------------------------------------------------ the dumps


@pytest.fixture(scope="module")
def files(shipped_store):
    """The main job's dumps of the shipped data, and ``coopgraph export`` in N-Quads."""
    made = pipeline.outputs(shipped_store)
    out = {name: made[name]() for name in ("coop.ttl", "coop.trig", "coop.jsonld")}
    out["export.nq"] = publish.dump(shipped_store, format="nq", with_description=True)
    return out


def _read(name: str, data: bytes) -> Dataset:
    dataset = Dataset()
    fmt = {"ttl": "turtle", "trig": "trig", "jsonld": "json-ld", "nq": "nquads"}[name.rsplit(".", 1)[1]]
    dataset.parse(data=data, format=fmt)
    return dataset


@pytest.mark.parametrize("name", ["coop.ttl", "coop.trig", "coop.jsonld", "export.nq"])
def test_no_dump_holds_an_order_number_a_count_or_the_index_graph(name, files, shipped_store):
    dataset = _read(name, files[name])
    quads = list(dataset.quads((None, None, None, None)))
    assert len(quads) > 500
    assert not [q for q in quads if q[1] in CACHES or str(q[1]).endswith("Order")]
    assert not [q for q in quads if q[1] == RDF.type and q[2] in CACHE_CLASSES]
    assert INDEX_GRAPH not in {q[3] for q in quads}
    index = shipped_store.dataset().graph(INDEX_GRAPH)
    assert len(index) > 100
    found = {q[:3] for q in quads}
    assert not [t for t in index if t in found]  # not one triple of the index, whatever its predicate


@pytest.mark.parametrize("name", ["coop.ttl", "coop.trig", "coop.jsonld"])
def test_every_name_is_also_an_rdfs_label_in_the_dumps(name, files):
    union = Graph()
    for s, p, o, _ in _read(name, files[name]).quads((None, None, None, None)):
        union.add((s, p, o))
    names = set(union.subject_objects(SKOS_PREF))
    assert len(names) > 30
    assert names <= set(union.subject_objects(RDFS.label))
    assert (URIRef("https://w3id.org/coopgraph/id/lstu"), Literal("Lipetsk State Technical University", lang="en")) in \
        set(union.subject_objects(RDFS.label))


def test_the_facts_stay_in_the_derived_graph(shipped_store):
    derived = shipped_store.dataset().graph(DERIVED_GRAPH)
    predicates = set(derived.predicates())
    assert {COOP.partner, COOP.evidence, COOP.cooperationKind, COOP.cooperatesWith, COOP.firstYear, RDFS.label} <= predicates
    assert not predicates & CACHES


def test_the_description_counts_no_cache(shipped_store):
    void = Graph().parse(data=publish.void_turtle(shipped_store), format="turtle")
    assert INDEX_GRAPH not in set(void.objects()) and INDEX_GRAPH not in set(void.subjects())
    assert not [o for o in void.objects() if str(o) in {str(c) for c in CACHES | CACHE_CLASSES}]


def test_two_builds_in_separate_processes_write_the_same_dumps(tmp_path):
    script = ("import hashlib, sys\nfrom coopgraph import pipeline\nfrom coopgraph.build import build_dataset\n"
              "from coopgraph.stores import MemoryStore\n"
              "made = pipeline.outputs(MemoryStore(build_dataset([sys.argv[1]]).dataset))\n"
              "for n in ('coop.ttl', 'coop.trig', 'coop.jsonld'): print(n, hashlib.sha256(made[n]()).hexdigest())\n")
    runs = [subprocess.run([sys.executable, "-c", script, str(ROOT / "data")], check=True, capture_output=True,
                           text=True, cwd=ROOT, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                                                     "PYTHONPATH": str(ROOT / "src")}).stdout
            for seed in ("1", "2")]
    assert runs[0] == runs[1] and len(runs[0].splitlines()) == 3


def test_export_command_leaves_the_index_out(capsysbinary):
    assert main(["export", "--format", "nq", str(ROOT / "data")]) == 0
    out = capsysbinary.readouterr().out
    assert str(DERIVED_GRAPH).encode() in out
    assert str(INDEX_GRAPH).encode() not in out and b"Order>" not in out and b"#tripCount>" not in out


# ------------------------------------------------------------------------------------ every store alike


@pytest.fixture(scope="module")
def loaded(shipped_build, tmp_path_factory, oxigraph_servers):
    """The shipped data loaded twice into each kind of store (the second load replaces the first)."""
    opened = {}
    for kind in KINDS:
        store = _open(kind, tmp_path_factory.mktemp("index") / kind, oxigraph_servers)
        store.load(shipped_build.dataset)
        store.load(shipped_build.dataset)
        opened[kind] = store
    yield opened
    for store in opened.values():
        store.close()


def _graph(store, name: URIRef) -> Graph:
    graph = Graph()
    for s, p, o in store.dataset().graph(name):
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("kind", KINDS)
def test_every_store_keeps_the_same_index_graph(kind, loaded, shipped_build):
    expected = shipped_build.dataset.graph(INDEX_GRAPH)
    index = _graph(loaded[kind], INDEX_GRAPH)
    assert INDEX_GRAPH in loaded[kind].graphs()
    assert len(index) == len(expected) > 100 and isomorphic(index, expected)
    assert isomorphic(_graph(loaded[kind], DERIVED_GRAPH), shipped_build.dataset.graph(DERIVED_GRAPH))
    numbered = [s for s in index.subjects(COOP.labelOrder)]
    assert len(numbered) == len(set(numbered)) == 8  # loaded twice: each number once, the index replaced


@pytest.mark.parametrize("kind", KINDS)
def test_country_pairs_link_their_countries_and_kinds(kind, loaded):
    index = _graph(loaded[kind], INDEX_GRAPH)
    (entry,) = index.subjects(RDF.type, COOP.CountryCooperation)
    assert (index.value(entry, COOP.countryA), index.value(entry, COOP.countryB)) == \
        (URIRef("https://w3id.org/coopgraph/id/china"), URIRef("https://w3id.org/coopgraph/id/russia"))
    assert set(index.objects(entry, COOP.kinds)) == {  # links, not "agreement mobility programme visit"
        COOP.AgreementCooperation, COOP.MobilityCooperation, COOP.ProgrammeCooperation, COOP.VisitCooperation}
    assert index.value(entry, COOP.cooperationKind) is None  # no cooperation link: `?c coop:cooperationKind` finds none


# ------------------------------------------------------------------------------------ the four queries


def _cells(row) -> tuple[str, ...]:
    return tuple("" if v is None else str(v.value if isinstance(v, (ox.NamedNode, ox.Literal)) else v) for v in row)


@pytest.mark.parametrize(("key", "rows"), SHIPPED_ROWS.items(), ids=lambda v: v[0] if isinstance(v, tuple) else "")
def test_the_four_queries_give_the_rows_they_gave(key, rows, shipped_store):
    name, params = key
    assert [_cells(r) for r in run_query(shipped_store, name, dict(params))] == rows


@pytest.fixture(scope="module")
def published(files, shipped_store):
    """A plain Oxigraph store holding the published TriG and the index graph, nothing more."""
    store = ox.Store()
    store.load(files["coop.trig"], format=ox.RdfFormat.TRIG)
    index = ox.NamedNode(str(INDEX_GRAPH))
    store.extend(ox.Quad(q.subject, q.predicate, q.object, index)
                 for q in ox.parse(shipped_store.nquads(), format=ox.RdfFormat.N_QUADS)
                 if q.graph_name == index)
    return store


@pytest.mark.parametrize("name", FOUR)
def test_the_four_queries_run_unchanged_as_plain_sparql(name, published, shipped_store):
    """The text of the .rq file, no parameter bound, on Oxigraph over coop.trig and the index graph:
    the rows ``coopgraph query`` gives with the defaults."""
    query = load_query(name)
    assert query.path is not None
    plain = [_cells(row) for row in published.query(query.path.read_text(encoding="utf-8"),
                                                      use_default_graph_as_union=True)]
    expected = [_cells(row) for row in run_query(shipped_store, name)]
    if name == "topics":  # GROUP_CONCAT's order is each engine's own (SPARQL 1.1 leaves it open): the hosts as a set
        plain, expected = ([(*r[:3], frozenset(r[3].split("; "))) for r in rows] for rows in (plain, expected))
    assert plain == expected and len(plain) > 0, name

