"""The main job: outputs that re-parse with a second parser, byte-identical builds, provenance."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV

from conftest import DATA, ROOT
from coopgraph import ids
from coopgraph.build import build_dataset
from coopgraph.dataset import published, published_union
from coopgraph.pipeline import build


def _oxigraph_triples(data: bytes, fmt: pyoxigraph.RdfFormat) -> Graph:
    """Parse with pyoxigraph's parser, return the triples as an rdflib graph (via N-Quads)."""
    nquads = pyoxigraph.serialize(pyoxigraph.parse(data, format=fmt), format=pyoxigraph.RdfFormat.N_QUADS)
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def test_main_job_writes_turtle_and_trig_that_pyoxigraph_reads_back(tmp_path: Path, shipped_build):
    summary = build([DATA], out=tmp_path)
    assert not summary.problems
    expected = published_union(shipped_build.dataset)  # the index graph is no dump's
    turtle = (tmp_path / "coop.ttl").read_bytes()
    assert isomorphic(_oxigraph_triples(turtle, pyoxigraph.RdfFormat.TURTLE), expected)
    trig = (tmp_path / "coop.trig").read_bytes()
    store = pyoxigraph.Store()
    store.load(trig, format=pyoxigraph.RdfFormat.TRIG)
    graphs = {str(g.value) for g in store.named_graphs()}
    description = str(ids.graph("void"))  # the dataset's VoID/DCAT description travels with the dump
    names = {str(g.identifier) for g in shipped_build.dataset.graphs() if len(g) and published(g.identifier)}
    assert graphs == names | {description}
    store.remove_graph(pyoxigraph.NamedNode(description))
    data_only = store.dump(format=pyoxigraph.RdfFormat.TRIG)
    assert isomorphic(_oxigraph_triples(data_only, pyoxigraph.RdfFormat.TRIG), expected)
    void = Graph().parse(tmp_path / "void.ttl")
    from coopgraph.publish import DATASET

    size = void.value(DATASET, URIRef("http://rdfs.org/ns/void#triples"))
    assert int(size) == len(expected)


def test_two_builds_in_separate_processes_are_byte_identical(tmp_path: Path):
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        subprocess.run(
            [sys.executable, "-m", "coopgraph", "build", str(DATA), "-o", str(out)],
            check=True, capture_output=True, cwd=ROOT,
            env={"PYTHONHASHSEED": "1" if run == "a" else "2", "PATH": "/usr/bin:/bin"},
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() >= {"coop.ttl", "coop.trig"}
    assert outputs[0] == outputs[1]


def test_one_named_graph_per_source_with_its_provenance(shipped_build):
    names = {str(g.identifier) for g in shipped_build.dataset.graphs() if len(g)}
    assert {str(ids.graph(n)) for n in (
        "source-lstu-2023-09-18", "registry-institutions", "registry-places", "registry-topics",
    )} <= names
    article = shipped_build.dataset.graph(ids.graph("source-lstu-2023-09-18"))
    assert (article.identifier, PROV.wasDerivedFrom, ids.entity("source-lstu-2023-09-18")) in article


def test_superclass_types_are_stated_in_standard_vocabularies(shipped_build):
    ask = """PREFIX schema: <http://schema.org/> PREFIX org: <http://www.w3.org/ns/org#>
             PREFIX cgid: <https://w3id.org/coopgraph/id/>
             ASK { GRAPH ?g { cgid:ustl a schema:CollegeOrUniversity, org:FormalOrganization, org:Organization } }"""
    assert shipped_build.dataset.query(ask).askAnswer


def test_build_prints_its_summary(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "coopgraph", "build", str(DATA), "-o", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "validation: valid" in result.stdout
    assert "source-lstu-2023-09-18" in result.stdout
    assert "coop:Visit" in result.stdout


def test_article_text_is_the_founding_document():
    shared = ROOT.parent / "shared" / "seeds" / "000_d0cb04d3f632cb44.txt"
    shipped = DATA / "articles" / "lstu-2023-09-18.ru.txt"
    if shared.exists():
        assert shipped.read_bytes() == shared.read_bytes()
    import hashlib

    digest = hashlib.sha256(shipped.read_bytes()).hexdigest()
    assert f"sha256:{digest}" in (DATA / "sources" / "lstu-2023-09-18.yaml").read_text(encoding="utf-8")


def test_rules_can_be_switched_off():
    without = build_dataset([DATA], rules=False)
    assert not len(without.dataset.graph(ids.graph("derived")))


def test_outputs_are_ordinary_readable_files(tmp_path: Path):
    import os
    import stat

    build([DATA], out=tmp_path)
    mask = os.umask(0)
    os.umask(mask)
    mode = stat.S_IMODE((tmp_path / "coop.ttl").stat().st_mode)
    assert mode == 0o666 & ~mask


def test_institutions_may_be_named_in_sources(data_copy: Path):
    """A name in any inflection, an acronym or a ROR URL stands for the registry's id."""
    (data_copy / "sources" / "named.yaml").write_text(
        """source:
  id: source-named
  type: NewsArticle
  title: {en: Named institutions}
  issued: 2024-01-01
  language: en
graph:
  - id: named-visit
    type: Visit
    visitor: Липецкого Политеха
    host: [Шэньянским технологическим университетом, https://ror.org/03awzbc87, ЛУНТ]
    startDate: 2024-01-01
""",
        encoding="utf-8",
    )
    built = build_dataset([data_copy])
    graph = built.dataset.graph(ids.graph("source-named"))
    visit = ids.entity("named-visit")
    from coopgraph.namespaces import COOP

    assert set(graph.objects(visit, COOP.host)) == {ids.entity("sut"), ids.entity("neu-shenyang"), ids.entity("ustl")}
    assert set(graph.objects(visit, COOP.visitor)) == {ids.entity("lstu")}
    assert not any("mention" in str(o) for o in graph.objects())


def test_no_cooperation_is_derived_from_a_pair_that_is_not_two_institutions(data_copy: Path):
    """An agreement with one known party derives nothing (rdflib's empty GROUP BY row must not leak)."""
    lonely = data_copy / "lonely.yaml"
    lonely.write_text(
        """source:
  id: source-lonely
  type: NewsArticle
  title: {en: An agreement with a party the registry does not have}
  issued: 2024-01-01
  language: en
graph:
  - id: lonely-agreement
    type: CooperationAgreement
    party: [lstu, unresolved-somewhere]
""",
        encoding="utf-8",
    )
    built = build_dataset([data_copy / "registry", lonely])  # no other agreement: the GROUP BY is empty
    derived = built.dataset.graph(ids.graph("derived"))
    from coopgraph.namespaces import COOP

    pairs = {frozenset(derived.objects(c, COOP.partner)) for c in derived.subjects(COOP.cooperationKind, None)}
    assert pairs == set()
    assert not any(ids.entity("lonely-agreement") in derived.objects(c, COOP.evidence) for c in derived.subjects())
