"""coopgraph.export: every format re-read by a second parser to the same statements, the same bytes every run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from conftest import DATA, ROOT, TESTDATA
from coopgraph import export, resources
from coopgraph.cli import main
from coopgraph.dataset import INDEX_GRAPH
from coopgraph.errors import CoopgraphError

AWKWARD = TESTDATA / "valid" / "export" / "awkward.trig"
OXIGRAPH = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")
RAPPER = {"turtle": "turtle", "trig": "trig", "nt": "ntriples", "nq": "nquads", "xml": "rdfxml"}


@pytest.fixture(scope="module")
def awkward() -> Dataset:
    dataset = Dataset()
    dataset.parse(AWKWARD, format="trig")
    return dataset


@pytest.fixture(scope="module", params=["shipped", "awkward"])
def dataset(request, shipped_build, awkward) -> Dataset:
    return shipped_build.dataset if request.param == "shipped" else awkward


def _by_graph(nquads: bytes) -> dict[str, Graph]:
    """N-Quads → graph name ('' for the default graph) → rdflib Graph (blank nodes compared by isomorphism)."""
    graphs: dict[str, Graph] = {}
    for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS):
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, Graph()).parse(data=str(ox.Triple(quad.subject, quad.predicate, quad.object)) + " .", format="nt")
    return graphs


def _expected(dataset: Dataset, *, named: bool) -> dict[str, Graph]:
    """What a dump must hold, read by rdflib's own N-Quads writer (independent of coopgraph's)."""
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    quads = list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
    if not named:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return _by_graph(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def _read_back(quads: list[ox.Quad], *, named: bool) -> dict[str, Graph]:
    if not named:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return _by_graph(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def _same(found: dict[str, Graph], expected: dict[str, Graph]) -> None:
    assert sorted(found) == sorted(expected)
    for name, graph in expected.items():
        assert len(found[name]) == len(graph), name
        assert isomorphic(found[name], graph), name


# ---------------------------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_every_format_reads_back_with_pyoxigraph(dataset: Dataset, fmt: str):
    named = export.FORMATS[fmt].named_graphs
    dump = export.serialize(dataset, fmt)
    _same(_read_back(list(ox.parse(dump, OXIGRAPH[fmt])), named=named), _expected(dataset, named=named))


@pytest.mark.parametrize("fmt", list(RAPPER))
def test_every_format_raptor_knows_reads_back_with_rapper(tmp_path: Path, dataset: Dataset, fmt: str):
    if shutil.which("rapper") is None:
        pytest.skip("rapper not installed (apt-get install raptor2-utils)")
    named = export.FORMATS[fmt].named_graphs
    path = tmp_path / f"dump{export.FORMATS[fmt].suffix}"
    path.write_bytes(export.serialize(dataset, fmt))
    result = subprocess.run(
        ["rapper", "-q", "-i", RAPPER[fmt], "-o", "nquads", str(path), "http://base.invalid/"],
        capture_output=True, check=True,
    )
    _same(_read_back(list(ox.parse(result.stdout, ox.RdfFormat.N_QUADS)), named=named), _expected(dataset, named=named))


def test_jsonld_reads_back_with_rdflib_too(dataset: Dataset):
    read = Dataset()
    read.parse(data=export.jsonld(dataset), format="json-ld")
    nquads = read.serialize(format="nquads", encoding="utf-8")
    _same(_read_back(list(ox.parse(nquads, ox.RdfFormat.N_QUADS)), named=True), _expected(dataset, named=True))


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_large_datasets_are_written_by_oxigraph_and_read_back(monkeypatch, dataset: Dataset, fmt: str):
    small = export.serialize(dataset, fmt)
    monkeypatch.setattr(export, "LARGE", 0)
    large = export.serialize(dataset, fmt)
    assert large != small and large == export.serialize(dataset, fmt)
    named = export.FORMATS[fmt].named_graphs
    _same(_read_back(list(ox.parse(large, OXIGRAPH[fmt])), named=named), _expected(dataset, named=named))
    assert large.startswith(b"@prefix cgid: <https://w3id.org/coopgraph/id/> .\n")


# ---------------------------------------------------------------------------------------------
# the same bytes


def test_exports_are_byte_identical_across_processes_and_hash_seeds():
    script = (
        "import hashlib, sys\n"
        "from rdflib import Dataset\n"
        "from coopgraph import export\n"
        f"d = Dataset(); d.parse({str(AWKWARD)!r}, format='trig')\n"
        "for f in export.FORMATS: print(f, hashlib.sha256(export.serialize(d, f)).hexdigest())\n"
        "export.LARGE = 0\n"
        "for f in ('turtle', 'trig'): print('large', f, hashlib.sha256(export.serialize(d, f)).hexdigest())\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == len(export.FORMATS) + 2


def test_ntriples_and_nquads_are_sorted_lines(dataset: Dataset):
    for fmt in ("nt", "nq"):
        lines = export.serialize(dataset, fmt).splitlines()
        assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_union_formats_hold_each_statement_once():
    dataset = Dataset()
    dataset.parse(AWKWARD, format="trig")
    nt = export.ntriples(dataset).decode()
    assert nt.count('<https://w3id.org/coopgraph/id/visit> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                    '<https://w3id.org/coopgraph/ns#Visit> .') == 1


# ---------------------------------------------------------------------------------------------
# JSON-LD reads as plain JSON


def test_jsonld_reads_like_the_yaml_sources(shipped_build):
    document = json.loads(export.jsonld(shipped_build.dataset))
    assert document["@context"] == resources.context()["@context"]
    graphs = {g["id"]: g["@graph"] for g in document["@graph"]}
    source = {node["id"]: node for node in graphs["https://w3id.org/coopgraph/graph/source-lstu-2023-09-18"]}
    visit = source["lstu-visit-liaoning-2023-09"]
    assert "Visit" in visit["type"]
    assert visit["visitor"] == "lstu"
    assert {"ustl", "sut", "neu-shenyang"} <= set(visit["host"])
    assert visit["name"]["ru"]
    mobility = source["lstu-ustl-staff-teaching-2023"]
    assert mobility["participantCount"] == 5 and mobility["status"] == "Ongoing"
    assert mobility["statusAsOf"] == {"@value": "2023-09", "type": "xsd:gYearMonth"}


def test_jsonld_writes_what_no_term_fits_with_keys_that_coerce_nothing(awkward: Dataset):
    graphs = {g.get("id"): g.get("@graph") for g in json.loads(export.jsonld(awkward))["@graph"]}
    nodes = {n["id"]: n for n in graphs["https://w3id.org/coopgraph/graph/awkward"]}
    visit = nodes["visit"]
    assert visit["skos:prefLabel"][0] == "no language"  # a plain literal cannot go in the 'name' language map
    assert visit["unknownProperty"]  # a coop: term the context lacks, relative to @vocab
    assert "https://w3id.org/coopgraph/id/id" in visit["host"]  # 'id' would read as the keyword
    assert "https://w3id.org/coopgraph/id/a:b" in visit["host"]  # 'a:b' would read as a compact IRI
    assert visit["coop:roleInEvent"] == {"id": "not-a-role"}  # an @vocab term would read 'not-a-role' as coop:
    assert nodes["https://w3id.org/coopgraph/id/id"]["coop:status"] == {"id": "status-outside-the-vocabulary"}


# ---------------------------------------------------------------------------------------------
# formats, errors, the command


def test_format_of_suffixes():
    assert [export.format_of(f"x{s}") for s in (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".json", ".rdf", ".xml")] == [
        "turtle", "trig", "nt", "nq", "jsonld", "jsonld", "xml", "xml",
    ]
    with pytest.raises(CoopgraphError, match=r"out/coop\.csv: cannot tell the RDF format from '\.csv'"):
        export.format_of("out/coop.csv")
    with pytest.raises(CoopgraphError, match="unknown RDF format 'n3'"):
        export.serialize(Dataset(), "n3")


def test_a_statement_no_format_can_hold_is_named():
    graph = Graph(identifier=URIRef("https://w3id.org/coopgraph/graph/bad"))
    graph.add((URIRef("https://w3id.org/coopgraph/id/a b"), URIRef("http://example.org/p"), URIRef("http://example.org/o")))
    with pytest.raises(CoopgraphError, match=r"cannot write the statement <https://w3id.org/coopgraph/id/a b>"):
        export.nquads([graph])


def test_cli_export_to_stdout_and_to_a_file(tmp_path: Path, capsysbinary):
    assert main(["export", str(DATA / "registry" / "places.yaml"), "--format", "nt"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"<https://w3id.org/coopgraph/") and out.endswith(b" .\n")
    target = tmp_path / "dump" / "places.jsonld"
    assert main(["export", str(DATA / "registry" / "places.yaml"), "-o", str(target)]) == 0
    assert json.loads(target.read_bytes())["@graph"]
    assert b"wrote" in capsysbinary.readouterr().out


def test_cli_export_refuses_an_unknown_suffix(tmp_path: Path, capsys):
    assert main(["export", str(DATA / "registry" / "places.yaml"), "-o", str(tmp_path / "x.csv")]) == 1
    assert "cannot tell the RDF format" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------------------------------------
# dumps of a store


def test_a_store_is_dumped_as_it_holds_its_graphs_with_the_description_if_asked(shipped_store):
    from coopgraph import pipeline, publish

    dump = pipeline.dump(shipped_store, format="nq")
    held = _by_graph(shipped_store.nquads())
    assert len(held.pop(str(INDEX_GRAPH))) > 100  # the index graph stays in the store
    _same(_by_graph(dump), held)
    described = _by_graph(publish.dump(shipped_store, format="nq", with_description=True))
    assert sorted(described) == sorted([*_by_graph(dump), str(publish.DESCRIPTION_GRAPH)])


def test_a_store_built_from_sources_is_validated_before_it_is_dumped(tmp_path: Path):
    from coopgraph import pipeline
    from coopgraph.errors import ValidationError
    from coopgraph.stores import open_store

    invalid = TESTDATA / "invalid" / "unknown-institution.yaml"
    with pytest.raises(ValidationError, match="unknown id 'lstuu'"):
        pipeline.dump(open_store("memory", sources=[DATA / "registry", invalid]), format="nq")
    with pytest.raises(CoopgraphError, match="unknown RDF format 'csv'"):
        pipeline.dump(open_store("memory", sources=[tmp_path / "nothing-here"]), format="csv")  # before any source is read
