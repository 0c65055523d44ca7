"""The one interface every store has: answer SPARQL over the union of its named graphs, and load."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import oxterms
from coopgraph.dataset import DERIVED_GRAPH, bind_prefixes, union
from coopgraph.errors import StoreError
from coopgraph.stores.rdffiles import bulk_files

__all__ = ["Store", "LoadReport", "StoreSyntaxError"]

class StoreSyntaxError(StoreError):
    """The store's engine did not accept the text of a query or update."""


@dataclass
class LoadReport:
    """What a load did.

    Attributes
    ----------
    graphs : the named graphs replaced, with the triples each holds now
    derived : triples in the derived graph after the load
    triples : triples in the whole store after the load
    seconds : wall-clock time of the load
    spec : the store
    notes : what was checked before loading
    """

    graphs: dict[str, int] = field(default_factory=dict)
    derived: int = 0
    triples: int = 0
    seconds: float = 0.0
    spec: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as ``coopgraph load`` prints it."""
        loaded = sum(self.graphs.values())
        out = list(self.notes)
        out.append(f"loaded {loaded} triples into {len(self.graphs)} named graph{'' if len(self.graphs) == 1 else 's'}"
                   f" in {self.seconds:.1f} s")
        if len(self.graphs) <= 20:
            out += [f"  {graph:<40} {count:>9} triples" for graph, count in sorted(self.graphs.items())]
        out.append(f"derived graph: {self.derived} triples")
        out.append(f"store: {self.triples} triples")
        return out


class Store:
    """A place that holds coopgraph's named graphs and answers SPARQL over their union.

    Use :func:`coopgraph.stores.open_store`; a store is a context manager (``with open_store(spec) as store``).
    """

    #: ``memory``, ``oxigraph`` or ``remote``
    kind = ""
    #: (derived, all triples) when the last load already counted them (else they are counted after it)
    _totals: tuple[int, int] | None = None

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading
    def query(self, sparql: str) -> Result:
        """Run a SPARQL query over the union of the named graphs.

        Returns
        -------
        rdflib.query.Result
            rows of rdflib terms for SELECT, ``askAnswer`` for ASK, ``graph`` for CONSTRUCT/DESCRIBE

        Raises
        ------
        StoreSyntaxError
            when the engine does not accept the text
        StoreError
            when the store cannot be reached
        """
        raise NotImplementedError

    def graphs(self) -> list[URIRef]:
        """The named graphs that hold triples, sorted by IRI."""
        raise NotImplementedError

    def __len__(self) -> int:
        """Triples (quads) in all named graphs."""
        raise NotImplementedError

    def dataset(self) -> Dataset:
        """Everything in the store as an rdflib Dataset, one named graph per graph."""
        dataset = bind_prefixes(Dataset())
        for s, p, o, g in ox.parse(self.nquads(), format=ox.RdfFormat.N_QUADS):
            graph = DATASET_DEFAULT_GRAPH_ID if isinstance(g, ox.DefaultGraph) else oxterms.to_rdflib(g)
            dataset.add((oxterms.to_rdflib(s), oxterms.to_rdflib(p), oxterms.to_rdflib(o), graph))  # type: ignore[arg-type]
        return dataset

    def union(self) -> Graph:
        """Everything in the store as one rdflib graph: the union of its named graphs, as queries see it."""
        return union(self.dataset())

    def nquads(self) -> bytes:
        """Everything in the store as N-Quads (Oxigraph's serializer where it can)."""
        raise NotImplementedError

    def describe(self, entities: Iterable[URIRef], *, outside: Iterable[URIRef] = ()) -> Graph:
        """Every statement the store holds about ``entities`` (as subjects), except in the graphs ``outside``."""
        entities = sorted(set(entities))
        skip = sorted(set(outside))
        graph = bind_prefixes(Graph())
        not_in = f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in skip)}))" if skip else ""
        for start in range(0, len(entities), 200):
            values = " ".join(f"<{e}>" for e in entities[start:start + 200])
            rows = self.query(f"SELECT ?e ?p ?v WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{ ?e ?p ?v }} {not_in} }}")
            for row in rows:
                graph.add(tuple(row))  # type: ignore[arg-type]
        return graph

    def construct(self, sparql: str) -> Graph:
        """The graph a CONSTRUCT query builds (with coopgraph's prefixes bound)."""
        result = self.query(sparql)
        if result.type not in ("CONSTRUCT", "DESCRIBE"):
            raise StoreError(f"expected a CONSTRUCT query, got a {result.type} query")
        return result.graph  # type: ignore[return-value]

    # -- writing
    def replace_graph(self, graph: URIRef | str, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Replace one named graph with ``triples``, at once (the derived graph is left as it is)."""
        dataset = Dataset()
        target = dataset.graph(URIRef(str(graph)))
        for triple in triples:
            target.add(triple)
        self._apply({URIRef(str(graph)): list(target)}, [], derive=False)

    def load(self, data: Dataset | None = None, *, files: Iterable[str | Path] = (), derive: bool = True) -> LoadReport:
        """Replace each named graph present in ``data`` and ``files``; derive; all or nothing.

        Graphs of the store that neither holds are left as they were. With ``derive``, a derived
        graph in ``data`` is ignored and the rules of ``queries/rules/`` derive it anew from
        everything the store holds once the graphs are replaced. ``files`` are read as
        :meth:`load_files` reads them.

        Raises
        ------
        StoreError
            for a file that does not parse, or a store that cannot be written; the store then holds
            what it held before
        """
        graphs: dict[URIRef, list[tuple[Node, Node, Node]]] = {}
        for graph in data.graphs() if data is not None else ():
            name = graph.identifier
            if name == DATASET_DEFAULT_GRAPH_ID or not isinstance(name, URIRef) or not len(graph):
                continue
            if derive and name == DERIVED_GRAPH:
                continue
            graphs[name] = list(graph)
        paths = bulk_files(files)
        return self._timed(lambda: self._apply(graphs, paths, derive=derive))

    def load_files(self, paths: Iterable[str | Path], *, derive: bool = True) -> LoadReport:
        """Load RDF files as they are (N-Quads, N-Triples, TriG, Turtle), parsed by Oxigraph.

        Each named graph of an N-Quads or TriG file replaces the graph of that name; the triples of
        an N-Triples or Turtle file (or of a dataset file's default graph) replace the graph named
        after the file (``.../graph/STEM``). Nothing is validated beyond the syntax: this is the way
        in for large dumps (``coopgraph synth --format nq``, ``coopgraph export``).

        Raises
        ------
        StoreError
            for a file that does not parse (with its line), or a store that cannot be written;
            the store then holds what it held before
        """
        return self.load(None, files=paths, derive=derive)

    def _timed(self, apply: Callable[[], dict[str, int]]) -> LoadReport:
        started = time.perf_counter()
        self._totals = None
        graphs = apply()
        derived, triples = self._totals or (self._count(DERIVED_GRAPH), len(self))
        return LoadReport(graphs=graphs, derived=derived, triples=triples, seconds=time.perf_counter() - started)

    def _apply(self, graphs: dict[URIRef, list[tuple[Node, Node, Node]]], files: list[Path], *, derive: bool) -> dict[str, int]:
        """Replace ``graphs`` and the graphs in ``files``; derive; all or nothing. Returns graph → triples."""
        raise NotImplementedError

    def _count(self, graph: URIRef) -> int:
        raise NotImplementedError

    def close(self) -> None:
        """Release the store (files, connections). Closing twice is harmless."""
