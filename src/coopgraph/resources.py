"""The only place that locates the shipped ``ontology/`` and ``queries/`` folders."""

from __future__ import annotations

import functools
from importlib import resources as _importlib_resources
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef

__all__ = ["ontology_path", "queries_dir", "ontology", "vocabulary", "with_term_uses", "shapes", "context", "closure"]

# Spelt here rather than taken from coopgraph.namespaces: codegen writes namespaces.py through these functions.
_COOP = "https://w3id.org/coopgraph/ns#"
#: A note on a term of another vocabulary (coop:TermUse), and what a note says about its term.
_TERM_USE = URIRef(_COOP + "TermUse")
_TERM = URIRef(_COOP + "term")
#: A note's statements restated on its term by :func:`with_term_uses`; the others are copied as they are
#: (labels, comments, coop:jsonKey, coop:jsonReverseKey). coop:expectedDomain is left on the note.
_RESTATED = {
    URIRef(_COOP + "usedAs"): RDF.type,
    URIRef(_COOP + "expectedRange"): RDFS.range,
}
_KEPT_ON_NOTE = {RDF.type, _TERM, URIRef(_COOP + "expectedDomain"), RDFS.seeAlso}


def _shipped(folder: str) -> Path:
    """The folder inside an installed wheel, or the checkout's own for editable installs."""
    packaged = Path(str(_importlib_resources.files("coopgraph"))) / "_shipped" / folder
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / folder
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"coopgraph cannot find its {folder}/ folder (looked in {packaged} and {checkout})")


def ontology_path(name: str = "coop.ttl") -> Path:
    """Path of a file in ``ontology/``: coop.ttl, shapes.ttl or context.jsonld."""
    return _shipped("ontology") / name


def queries_dir() -> Path:
    """The ``queries/`` folder: one ``.rq`` per named query, rules in ``queries/rules/``."""
    return _shipped("queries")


@functools.cache
def ontology() -> Graph:
    """The OWL ontology as a graph (parsed once; treat as read-only)."""
    return Graph().parse(ontology_path("coop.ttl"), format="turtle")


@functools.cache
def vocabulary() -> Graph:
    """The ontology, with each note on a term of another vocabulary restated on the term (parsed once; read-only).

    A lookup table for code that looks a term up by its IRI: the YAML reader (which keys name classes,
    which take dates or institutions), the pages and the report (labels). Never published, reasoned
    with or added to data: the ontology itself (:func:`ontology`) says nothing about other
    vocabularies' terms. See :func:`with_term_uses`.
    """
    return with_term_uses(ontology())


def with_term_uses(ontology: Graph) -> Graph:
    """A copy of ``ontology`` in which each ``coop:TermUse`` note is also said of its term.

    For a note ``coop:use-dcterms-title`` on ``dcterms:title``, the copy also holds ``dcterms:title``'s
    kind in coopgraph's data (``coop:usedAs`` as ``rdf:type``), its labels, comments and authoring keys,
    and the values it takes (``coop:expectedRange`` as ``rdfs:range``): what :func:`vocabulary` holds
    for a term of coopgraph's own.

    Examples
    --------
    >>> from rdflib import OWL, URIRef
    >>> title = URIRef("http://purl.org/dc/terms/title")
    >>> (title, RDF.type, OWL.DatatypeProperty) in ontology(), (title, RDF.type, OWL.DatatypeProperty) in vocabulary()
    (False, True)
    """
    restated = Graph()
    for prefix, namespace in ontology.namespaces():
        restated.bind(prefix, namespace, override=True, replace=True)
    for triple in ontology:
        restated.add(triple)
    for note in ontology.subjects(RDF.type, _TERM_USE):
        term = ontology.value(note, _TERM)
        if not isinstance(term, URIRef):
            continue
        for predicate, value in ontology.predicate_objects(note):
            if predicate in _RESTATED:
                restated.add((term, _RESTATED[predicate], value))
            elif predicate not in _KEPT_ON_NOTE:
                restated.add((term, predicate, value))
    return restated


@functools.cache
def shapes() -> Graph:
    """The SHACL shapes as a graph (parsed once; treat as read-only)."""
    return Graph().parse(ontology_path("shapes.ttl"), format="turtle")


@functools.cache
def context() -> dict:
    """The JSON-LD context of the authoring format (``ontology/context.jsonld``)."""
    import json

    return json.loads(ontology_path("context.jsonld").read_text(encoding="utf-8"))


@functools.cache
def closure(relation: URIRef) -> dict[URIRef, frozenset[URIRef]]:
    """Each class (or property) of the ontology with all its superclasses (or superproperties).

    ``relation`` is ``rdfs:subClassOf`` or ``rdfs:subPropertyOf``; the closure is transitive. It follows
    the ontology's own axioms only (each about a coop: term): what other vocabularies say of their
    terms is theirs, so a parent that coopgraph wants stated in its data is named on the coop: term
    (``coop:Institution`` is under ``org:FormalOrganization`` and ``org:Organization`` both).
    """
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in ontology().subject_objects(relation):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, set()).add(parent)
    result: dict[URIRef, frozenset[URIRef]] = {}
    for child in parents:
        seen: set[URIRef] = set()
        todo = list(parents[child])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(parents.get(current, ()))
        result[child] = frozenset(seen)
    return result
