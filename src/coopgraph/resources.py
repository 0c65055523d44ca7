"""The only place that locates the shipped ``ontology/`` and ``queries/`` folders."""

from __future__ import annotations

import functools
from importlib import resources as _importlib_resources
from pathlib import Path

from rdflib import Graph, URIRef

__all__ = ["ontology_path", "queries_dir", "ontology", "shapes", "context", "closure"]


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

    ``relation`` is ``rdfs:subClassOf`` or ``rdfs:subPropertyOf``; the closure is transitive.
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
