"""The rules of queries/rules/ on synthetic data: each cooperation's evidence is about its own pair,
and the memory store derives what Oxigraph derives."""

from __future__ import annotations

import pytest

from coopgraph import synth
from coopgraph.dataset import DERIVED_GRAPH
from coopgraph.queries import parse_query, run_query
from coopgraph.stores import open_store

EVIDENCE_OF_ANOTHER_PAIR = """
PREFIX coop: <https://w3id.org/coopgraph/ns#>
PREFIX schema: <http://schema.org/>
ASK {
  ?c coop:evidence ?fact ; coop:partner ?a , ?b .
  FILTER(STR(?a) < STR(?b))
  MINUS { ?c coop:cooperationKind coop:MobilityCooperation .
          { ?fact coop:sender ?a ; coop:receiver ?b } UNION { ?fact coop:sender ?b ; coop:receiver ?a } }
  MINUS { ?c coop:cooperationKind coop:AgreementCooperation . ?fact coop:party ?a , ?b }
  MINUS { ?c coop:cooperationKind coop:ProgrammeCooperation . ?fact schema:provider ?a , ?b }
  MINUS { ?c coop:cooperationKind coop:VisitCooperation . }
}
"""


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    report = synth.write(folder / "synth", triples=10_000, seed=5, format="nq")
    opened = {}
    for kind, spec in (("memory", "memory"), ("oxigraph", f"oxigraph:{folder / 'store'}")):
        store = open_store(spec)
        store.load_files(report.files)
        opened[kind] = store
    yield opened
    for store in opened.values():
        store.close()


def _derived(store) -> list[str]:
    return sorted(line for line in store.nquads().decode("utf-8").splitlines() if f"<{DERIVED_GRAPH}> ." in line)


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_every_evidence_is_about_its_own_pair(stores, kind):
    store = stores[kind]
    count = run_query(store, parse_query(
        "PREFIX coop: <https://w3id.org/coopgraph/ns#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?c coop:cooperationKind coop:MobilityCooperation ; coop:evidence ?m }"))
    assert int(next(iter(count))[0]) > 20  # the synthetic data has mobility enough to tell
    assert run_query(store, parse_query(EVIDENCE_OF_ANOTHER_PAIR)).askAnswer is False


def test_the_memory_store_derives_what_oxigraph_derives(stores):
    memory, oxigraph = _derived(stores["memory"]), _derived(stores["oxigraph"])
    assert len(memory) > 1_000
    assert memory == oxigraph


@pytest.mark.parametrize("kind", ["memory", "oxigraph"])
def test_each_link_counts_the_evidence_it_lists(stores, kind):
    """The visit rules find the trips twice (the pairs with their counts, and the evidence, so that the
    two run side by side): both halves must find the same trips."""
    mismatched = run_query(stores[kind], parse_query(
        "PREFIX coop: <https://w3id.org/coopgraph/ns#>\n"
        "SELECT ?c WHERE { ?c coop:evidenceCount ?n .\n"
        "  { SELECT ?c (COUNT(DISTINCT ?fact) AS ?listed) WHERE { ?c coop:evidence ?fact } GROUP BY ?c }\n"
        "  FILTER(?n != ?listed) }"))
    links = run_query(stores[kind], parse_query(
        "PREFIX coop: <https://w3id.org/coopgraph/ns#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { ?c coop:cooperationKind coop:VisitCooperation }"))
    assert int(next(iter(links))[0]) > 20
    assert list(mismatched) == []
