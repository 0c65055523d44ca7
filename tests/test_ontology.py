"""The ontology is a good citizen: consistent with PROV-O and ORG under OWL-RL, OWL 2 DL that HermiT accepts,
and silent about other vocabularies' terms (a coop:TermUse note describes how coopgraph uses each)."""

from __future__ import annotations

import doctest
import os
import shutil
import subprocess
from pathlib import Path

import owlready2
import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from conftest import ROOT, TESTDATA
from coopgraph import codegen, resources
from coopgraph.namespaces import COOP, PREFIXES

VOCAB = TESTDATA / "vocab"
#: Where owlrl puts the inconsistencies it finds: ``[] a err:ErrorMessage ; err:error "…"``.
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
#: coopgraph's own IRIs: the ontology (…/ns) and its terms (…/ns#), and the shapes (…/shapes#).
OURS = (PREFIXES["coop"].rstrip("#"), "https://w3id.org/coopgraph/shapes#")
#: The datatypes of the OWL 2 datatype map that coopgraph's ranges use (OWL 2 Structural Specification,
#: section 4); xsd:date, xsd:gYear and xsd:gYearMonth are not among them.
OWL2_DATATYPES = {RDFS.Literal, RDF.langString, RDF.PlainLiteral, XSD.string, XSD.integer, XSD.decimal, XSD.boolean,
                  XSD.dateTime, XSD.language, XSD.anyURI}
VISIT = URIRef(PREFIXES["cgid"] + "lstu-visit-liaoning-2023-09")


def _vocabularies() -> Graph:
    """PROV-O (with the parts its namespace document imports) and ORG, without their owl:imports."""
    graph = Graph()
    for name in ("prov.ttl", "org.ttl"):
        graph.parse(VOCAB / name, format="turtle")
    graph.remove((None, OWL.imports, None))  # the imported parts are in prov.ttl already; nothing is fetched
    return graph


def _owl_rl_errors(graph: Graph) -> list[str]:
    """The inconsistencies owlrl's OWL-RL closure of ``graph`` reports (it expands ``graph`` in place)."""
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return sorted(str(message) for message in graph.objects(None, ERR.error))


def _merge(*graphs: Graph) -> Graph:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


# ---------------------------------------------------------------- (a) OWL-RL: the data agrees with PROV-O and ORG


@pytest.fixture(scope="module")
def closure(shipped_store) -> tuple[Graph, list[str]]:
    """The OWL-RL closure of the ontology, PROV-O, ORG and the built data (what coopgraph build writes to coop.ttl)."""
    graph = _merge(resources.ontology(), _vocabularies(), shipped_store.union())
    return graph, _owl_rl_errors(graph)


def test_owl_rl_closure_of_ontology_prov_org_and_the_data_is_consistent(closure):
    graph, errors = closure
    assert errors == []
    assert not set(graph.subjects(RDF.type, OWL.Nothing))


def test_every_fact_is_a_prov_entity_and_none_an_activity(closure, shipped_store):
    graph, _ = closure
    union = shipped_store.union()
    facts = {s for cls in (COOP.Visit, COOP.Meeting, COOP.SiteVisit, COOP.Mobility, COOP.Agreement)
             for s in union.subjects(RDF.type, cls)}
    assert len(facts) >= 10
    for fact in facts:
        assert union.value(fact, PROV.wasDerivedFrom) is not None, fact  # every fact stays tied to its source
        assert (fact, RDF.type, PROV.Entity) in graph, fact
        assert (fact, RDF.type, PROV.Activity) not in graph, fact


def test_owl_rl_finds_the_contradiction_the_old_model_had(shipped_store):
    """The check is real: with visits as prov:Activity again (the model before), the closure reports them."""
    union = shipped_store.union()
    visit = Graph()
    for triple in union.triples((VISIT, None, None)):
        visit.add(triple)
    old = Graph()
    old.add((COOP.Visit, RDFS.subClassOf, PROV.Activity))
    errors = _owl_rl_errors(_merge(resources.ontology(), _vocabularies(), visit, old))
    assert errors == [f"Disjoint classes {PROV.Activity} and {PROV.Entity} have a common individual {VISIT}"]


# ---------------------------------------------------------------- (b) OWL 2 DL: HermiT accepts the ontology


def _declarations(ontology: Graph) -> Graph:
    """What importing the other vocabularies would declare: each noted term's kind, as its note says (coop:usedAs).

    OWL 2 DL needs every IRI typed in the imports closure; the ontology does not import schema.org or FOAF
    (neither is OWL 2 DL) and states nothing about their terms, so the reasoner is given these declarations.
    """
    declared = Graph()
    for note in ontology.subjects(RDF.type, COOP.TermUse):
        declared.add((ontology.value(note, COOP.term), RDF.type, ontology.value(note, COOP.usedAs)))
    return declared


def _hermit(graph: Graph, tmp_path: Path) -> list[str]:
    """The classes HermiT finds unsatisfiable in ``graph``; fails if HermiT refuses it or finds it inconsistent.

    HermiT is the one bundled with owlready2, run through its command line: owlready2's own loader cannot
    read PROV-O back (PROV types some properties as both annotation and object properties).
    """
    path = tmp_path / "ontology.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    hermit = Path(owlready2.__file__).parent / "hermit"
    run = subprocess.run(
        ["java", "-cp", os.pathsep.join([str(hermit), str(hermit / "HermiT.jar")]),
         "org.semanticweb.HermiT.cli.CommandLine", "--consistency", "--unsatisfiable", path.as_uri()],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr.split("\n\tat ")[0]  # an unsupported datatype, an inconsistent ontology
    assert f"{OWL.Thing} is satisfiable." in run.stdout
    unsatisfiable = run.stdout.split("Classes equivalent to 'owl:Nothing':")[1].split()
    return sorted(c.strip("<>") for c in unsatisfiable if c != "owl:Nothing")


needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT runs on Java (.ci/run installs it)")


@needs_java
def test_hermit_accepts_the_ontology(tmp_path: Path):
    ontology = resources.ontology()
    assert _hermit(_merge(ontology, _declarations(ontology)), tmp_path) == []


@needs_java
def test_hermit_accepts_the_ontology_with_prov_o_and_org(tmp_path: Path):
    """The alignments (an agreement is a prov:Entity, an institution an org:FormalOrganization…) agree with theirs."""
    ontology = resources.ontology()
    assert _hermit(_merge(ontology, _declarations(ontology), _vocabularies()), tmp_path) == []


@needs_java
def test_hermit_finds_a_visit_that_is_both_activity_and_entity_unsatisfiable(tmp_path: Path):
    ontology = resources.ontology()
    both = Graph()
    both.add((COOP.Visit, RDFS.subClassOf, PROV.Activity))
    both.add((COOP.Visit, RDFS.subClassOf, PROV.Entity))
    unsatisfiable = _hermit(_merge(ontology, _declarations(ontology), _vocabularies(), both), tmp_path)
    assert str(COOP.Visit) in unsatisfiable


def test_literal_ranges_are_owl_2_datatypes():
    """HermiT refuses xsd:gYear, xsd:gYearMonth and xsd:date: coopgraph's datatypes are literals in OWL.

    The shapes check the forms a date may take."""
    ontology = resources.ontology()
    datatypes = set(ontology.subjects(RDF.type, RDFS.Datatype))
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        for range_ in ontology.objects(prop, RDFS.range):
            assert range_ in OWL2_DATATYPES or range_ in datatypes, (prop, range_)
    for datatype in datatypes:
        assert set(ontology.objects(datatype, OWL.equivalentClass)) <= OWL2_DATATYPES, datatype
    assert ontology.value(COOP.firstYear, COOP.jsonType) == XSD.gYear  # the JSON-LD context still types years


# ---------------------------------------------------------------- (c) nothing is said of other vocabularies' terms


def _described_from_ours(graph: Graph) -> set[BNode]:
    """Blank nodes reachable from one of coopgraph's own IRIs (a union datatype, a SHACL property shape)."""
    reached: set[BNode] = set()
    todo = [o for s, _, o in graph if isinstance(s, URIRef) and str(s).startswith(OURS) and isinstance(o, BNode)]
    while todo:
        node = todo.pop()
        if node not in reached:
            reached.add(node)
            todo.extend(o for o in graph.objects(node) if isinstance(o, BNode))
    return reached


@pytest.mark.parametrize("path", sorted((ROOT / "ontology").glob("*.ttl")), ids=lambda p: p.name)
def test_no_statement_in_ontology_has_a_subject_outside_coopgraphs_namespaces(path: Path):
    graph = Graph().parse(path, format="turtle")
    ours = _described_from_ours(graph)
    outside = sorted({str(s) for s in graph.subjects() if not (isinstance(s, URIRef) and str(s).startswith(OURS) or s in ours)})
    assert outside == []


def test_each_term_of_another_vocabulary_has_one_note_with_its_use():
    ontology = resources.ontology()
    notes = list(ontology.subjects(RDF.type, COOP.TermUse))
    terms = [ontology.value(note, COOP.term) for note in notes]
    assert len(notes) == len(set(terms)) == 38
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    for note, term in zip(notes, terms, strict=True):
        assert not str(term).startswith(PREFIXES["coop"]), note
        assert ontology.value(note, COOP.usedAs) in kinds, note
        assert isinstance(ontology.value(note, COOP.jsonKey), Literal), note
        assert {label.language for label in ontology.objects(note, RDFS.label)} == {"en", "ru"}, note
        assert {c.language for c in ontology.objects(note, RDFS.comment)} == {"en", "ru"}, note
    title = URIRef("http://purl.org/dc/terms/title")
    note = next(n for n, t in zip(notes, terms, strict=True) if t == title)
    assert ontology.value(note, COOP.expectedDomain) == COOP.SourceDocument
    assert ontology.value(title, RDFS.domain) is None  # the note says nothing of dcterms:title itself


def test_the_lookup_graph_restates_each_note_on_its_term_and_the_context_keeps_every_key():
    title = URIRef("http://purl.org/dc/terms/title")
    vocabulary = resources.vocabulary()
    assert (title, RDF.type, OWL.DatatypeProperty) in vocabulary
    assert vocabulary.value(title, RDFS.range) == RDF.langString
    assert {str(label) for label in vocabulary.objects(title, RDFS.label)} == {"title", "заголовок"}
    assert vocabulary.value(title, RDFS.domain) is None  # expected domains stay on the note
    context = codegen.jsonld_context(resources.ontology())["@context"]
    assert context["title"] == {"@id": "dcterms:title", "@container": "@language"}
    assert context["Person"] == "foaf:Person" and context["posts"] == {"@reverse": "org:member", "@type": "@id"}
    assert context["firstYear"] == {"@id": "coop:firstYear", "@type": "xsd:gYear"}
    assert "TermUse" not in context and "usedAs" not in context and "use-dcterms-title" not in str(context)


def test_subclass_closure_follows_only_coopgraphs_axioms():
    """ORG's own org:FormalOrganization ⊑ org:Organization is ORG's; coop:Institution names both parents."""
    superclasses = resources.closure(RDFS.subClassOf)
    org = Namespace(PREFIXES["org"])
    assert org.FormalOrganization not in superclasses
    assert {org.FormalOrganization, org.Organization} <= superclasses[COOP.University]
    assert PROV.Activity not in superclasses[COOP.Visit] and COOP.Mobility not in superclasses  # no parent at all


def test_docstring_examples_run():
    result = doctest.testmod(resources)
    assert result.attempted > 0 and result.failed == 0
