"""The only place coopgraph mints IRIs: entities, named graphs, nested nodes.

IRIs are flat (``.../id/lstu-visit-2023-09-parts-1``, never ``.../visit/1/p0``): rdflib's Turtle
writer slows down quadratically when many IRIs end in a "folder" of their own.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from coopgraph.namespaces import PREFIXES

__all__ = ["ID_BASE", "GRAPH_BASE", "ID_PATTERN", "REFERENCE_PATTERN", "entity", "graph", "nested", "local_id", "is_entity"]

ID_BASE = PREFIXES["cgid"]
GRAPH_BASE = PREFIXES["cgraph"]
#: What an author may write as an id: lower-case letters and digits in words joined by single hyphens
#: (``--`` is kept for the derived cooperation IRIs, ``coop-visit-lstu--ustl``).
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: What may name an existing entity, derived ones included (a query parameter, a reference).
REFERENCE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def entity(local: str) -> URIRef:
    """The IRI of an entity written as ``id: local`` in a source file.

    >>> entity("lstu")
    rdflib.term.URIRef('https://w3id.org/coopgraph/id/lstu')
    """
    return URIRef(ID_BASE + local)


def graph(local: str) -> URIRef:
    """The IRI of the named graph holding what one source says.

    >>> graph("source-lstu-2023-09-18")
    rdflib.term.URIRef('https://w3id.org/coopgraph/graph/source-lstu-2023-09-18')
    """
    return URIRef(GRAPH_BASE + local)


def nested(parent: str, key: str, index: int) -> str:
    """The local id of a node written inside another without an id of its own.

    >>> nested("lstu-visit-2023-09", "parts", 2)
    'lstu-visit-2023-09-parts-2'
    """
    return f"{parent}-{key.lower()}-{index}"


def is_entity(iri: object) -> bool:
    """Whether an IRI is one of coopgraph's entity IRIs."""
    return isinstance(iri, URIRef) and str(iri).startswith(ID_BASE)


def local_id(iri: URIRef) -> str:
    """The id an author writes for an entity IRI (the inverse of :func:`entity`)."""
    text = str(iri)
    return text[len(ID_BASE):] if text.startswith(ID_BASE) else text
