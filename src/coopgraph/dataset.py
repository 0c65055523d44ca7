"""What every stage shares about the dataset: the names of its graphs, its prefixes, its union.

A coopgraph dataset holds one named graph per source document (``…/graph/<source id>``) and the
graph the rules of ``queries/rules/`` derive (:data:`DERIVED_GRAPH`), and the index the derivation
keeps for the query library (:data:`INDEX_GRAPH`: order numbers, counts, display labels), which the
dumps leave out (:func:`published`). Stores, queries, exports and networks read it through these few
names, never through the builder that fills it.
"""

from __future__ import annotations

from rdflib import Dataset, Graph

from coopgraph import ids
from coopgraph.namespaces import PREFIXES

__all__ = ["DERIVED_GRAPH", "INDEX_GRAPH", "published", "bind_prefixes", "union", "published_union"]

#: The named graph that holds what the files of ``queries/rules/`` derive.
DERIVED_GRAPH = ids.graph("derived")

#: The named graph that holds the caches of ``queries/rules/summaries/`` and ``queries/rules/orders/``:
#: what only makes the query library fast (order numbers, counts, display labels). Derived anew at
#: every load like the derived graph, read by the library through the union of the graphs, left out
#: of every dump and of the dataset's description.
INDEX_GRAPH = ids.graph("index")


def published(name: object) -> bool:
    """Whether a graph of that name goes into the dumps (every graph but :data:`INDEX_GRAPH`)."""
    return name != INDEX_GRAPH


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


def published_union(dataset: Dataset) -> Graph:
    """Every triple of the graphs the dumps hold (all but :data:`INDEX_GRAPH`), as one graph."""
    graph = bind_prefixes(Graph())
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if published(g.identifier if isinstance(g, Graph) else g):
            graph.add((s, p, o))
    return graph
