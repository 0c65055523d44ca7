"""The memory store: an rdflib Dataset in this process, built from the sources when first asked."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any

from rdflib import Dataset, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import derive as derivation
from coopgraph import oxterms
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH, bind_prefixes
from coopgraph.namespaces import PREFIXES
from coopgraph.stores.base import Store, StoreSyntaxError
from coopgraph.stores.rdffiles import read_quads
from coopgraph.stores.results import nt

__all__ = ["MemoryStore"]


@functools.lru_cache(maxsize=256)
def _parsed(text: str):
    """The parsed and translated query (parsing takes longer than running on small data)."""
    return prepareQuery(text, initNs=PREFIXES)


class MemoryStore(Store):
    """An rdflib Dataset in this process (the default; nothing is kept after the process ends).

    Parameters
    ----------
    dataset : the dataset to hold (default: an empty one)
    sources : a function that builds the dataset from the sources (a :class:`coopgraph.build.Build`);
        called once, when the store is first read, so that a command checks its own arguments before
        it reads any file. :func:`coopgraph.stores.open_store` passes it.
    """

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None, *, sources: Callable[[], Any] | None = None) -> None:
        super().__init__("memory")
        self._held = dataset
        self._sources = sources
        self._build: Any = None

    @property
    def _dataset(self) -> Dataset:
        if self._held is None:
            if self._sources is not None:
                self._build = self._sources()
                self._held = self._build.dataset
            else:
                self._held = bind_prefixes(Dataset())
        return self._held

    @property
    def build(self) -> Any:
        """The :class:`coopgraph.build.Build` the store was built from (lines of each statement), or None."""
        self._dataset  # noqa: B018 - builds the sources if not yet done
        return self._build

    def query(self, sparql: str) -> Result:
        from pyparsing import ParseException

        try:
            prepared = _parsed(sparql)
        except ParseException as exc:
            raise StoreSyntaxError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}") from None
        except Exception as exc:  # rdflib reports an undeclared prefix and the like as a bare Exception
            raise StoreSyntaxError(str(exc)) from None
        return Dataset(store=self._dataset.store, default_union=True).query(prepared)

    def graphs(self) -> list[URIRef]:
        return sorted(
            g.identifier for g in self._dataset.graphs()  # type: ignore[misc]
            if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        )

    def __len__(self) -> int:
        return sum(len(g) for g in self._dataset.graphs())

    def _count(self, graph: URIRef) -> int:
        return len(self._dataset.graph(graph))

    def dataset(self) -> Dataset:
        return self._dataset

    def nquads(self) -> bytes:
        out = io.StringIO()
        for s, p, o, g in self._dataset.quads((None, None, None, None)):
            graph = "" if g is None or g == DATASET_DEFAULT_GRAPH_ID else f" {nt(g)}"  # type: ignore[arg-type]
            out.write(f"{nt(s)} {nt(p)} {nt(o)}{graph} .\n")
        return out.getvalue().encode("utf-8")

    def _apply(self, graphs, files, *, derive):
        incoming: dict[URIRef, list[tuple[Node, Node, Node]]] = dict(graphs)
        for path in files:  # parse everything first: a bad file changes nothing
            for quad in read_quads(path):
                name = oxterms.to_rdflib(quad.graph_name)  # type: ignore[attr-defined]
                incoming.setdefault(name, []).append(
                    (oxterms.to_rdflib(quad.subject), oxterms.to_rdflib(quad.predicate), oxterms.to_rdflib(quad.object))  # type: ignore[attr-defined]
                )
        touched = set(incoming) | ({DERIVED_GRAPH, INDEX_GRAPH} if derive else set())
        before = {name: list(self._dataset.graph(name)) for name in touched}
        try:
            for name, triples in incoming.items():
                target = self._dataset.graph(name)
                target.remove((None, None, None))
                for triple in triples:
                    target.add(triple)
            if derive:
                self._derive()
        except BaseException:
            for name, triples in before.items():
                target = self._dataset.graph(name)
                target.remove((None, None, None))
                for triple in triples:
                    target.add(triple)
            raise
        return {str(name): len(self._dataset.graph(name)) for name in incoming}

    def _derive(self) -> None:
        derivation.into_dataset(self._dataset)
