"""What every stage shares about the dataset: the names of its graphs, its prefixes, its union.

A coopgraph dataset holds one named graph per source document (``…/graph/<source id>``) and the
graph the rules of ``queries/rules/`` derive (:data:`DERIVED_GRAPH`). Stores, queries, exports and
networks read it through these few names, never through the builder that fills it.
"""

from __future__ import annotations

from rdflib import Dataset, Graph

from coopgraph import ids
from coopgraph.namespaces import PREFIXES

__all__ = ["DERIVED_GRAPH", "bind_prefixes", "union"]

#: The named graph that holds what the files of ``queries/rules/`` derive.
DERIVED_GRAPH = ids.graph("derived")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind coopgraph's one prefix map (replacing rdflib's defaults, whose schema: is https)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def union(dataset: Dataset) -> Graph:
    """Every triple of every graph, as one graph with coopgraph's prefixes."""
    graph = bind_prefixes(Graph())
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
