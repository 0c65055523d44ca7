"""The generated namespace and JSON-LD context match the ontology; the ontology is documented."""

from __future__ import annotations

import json

import pytest
from rdflib import OWL, RDF, RDFS, URIRef

from conftest import ROOT
from coopgraph import codegen, resources
from coopgraph.namespaces import COOP


def test_namespaces_py_is_generated_from_the_ontology():
    generated = codegen.namespace_module(resources.ontology())
    assert (ROOT / "src" / "coopgraph" / "namespaces.py").read_text(encoding="utf-8") == generated, (
        "namespaces.py drifted from ontology/coop.ttl — run: python -m coopgraph.codegen"
    )


def test_context_is_generated_from_the_ontology():
    on_disk = json.loads(resources.ontology_path("context.jsonld").read_text(encoding="utf-8"))
    assert on_disk == codegen.jsonld_context(resources.ontology()), (
        "ontology/context.jsonld drifted from ontology/coop.ttl — run: python -m coopgraph.codegen"
    )


def test_a_misspelt_term_raises_instead_of_minting_an_iri():
    assert COOP.Visit == URIRef("https://w3id.org/coopgraph/ns#Visit")
    with pytest.raises(AttributeError):
        COOP.Vist  # noqa: B018


def test_every_term_has_english_and_russian_labels_and_a_comment():
    ontology = resources.ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for k in kinds for s in ontology.subjects(RDF.type, k) if str(s).startswith(str(COOP))}
    assert len(terms) > 40
    for term in terms:
        langs = {label.language for label in ontology.objects(term, RDFS.label)}
        assert {"en", "ru"} <= langs, term
        assert ontology.value(term, RDFS.comment) is not None, term
