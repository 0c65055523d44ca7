"""Answers of every engine as rdflib's :class:`~rdflib.query.Result`, so that each store answers alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib import Graph, Variable
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import oxterms
from coopgraph.dataset import bind_prefixes

__all__ = ["nt", "select_result", "ask_result", "graph_result", "ox_result"]


def nt(term: Node) -> str:
    """A term in N-Triples syntax (which SPARQL's INSERT DATA also reads)."""
    return str(oxterms.to_ox(term))


def select_result(variables: Sequence[str], rows: Iterable[dict[str, Node]]) -> Result:
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = [{Variable(k): v for k, v in row.items() if v is not None} for row in rows]
    return result


def ask_result(answer: bool) -> Result:
    result = Result("ASK")
    result.askAnswer = answer
    return result


def graph_result(triples: Iterable[tuple[Node, Node, Node]], form: str = "CONSTRUCT") -> Result:
    result = Result(form)
    graph = bind_prefixes(Graph())
    for triple in triples:
        graph.add(triple)
    result.graph = graph
    return result


def ox_result(answer: object) -> Result:
    """A pyoxigraph query answer as an rdflib Result."""
    convert = oxterms.Terms()
    if isinstance(answer, ox.QuerySolutions):  # the hot loop of a large answer: kept to plain dict work
        variables = [Variable(v.value) for v in answer.variables]
        seen, to_rdflib = convert.seen, oxterms.to_rdflib
        bindings = []
        for solution in answer:
            row = {}
            for variable, value in zip(variables, solution, strict=True):
                if value is not None:
                    term = seen.get(value)
                    if term is None:
                        term = seen[value] = to_rdflib(value)
                    row[variable] = term
            bindings.append(row)
        result = Result("SELECT")
        result.vars = variables
        result.bindings = bindings
        return result
    if isinstance(answer, ox.QueryBoolean):
        return ask_result(bool(answer))
    return graph_result((convert(t.subject), convert(t.predicate), convert(t.object)) for t in answer)  # type: ignore[union-attr]


