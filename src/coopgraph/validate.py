"""Dataset + shapes → a report whose every problem names the file and line it came from.

Three checks: references (every id used is defined somewhere), text without control characters (ESC or
BEL in a name would drive the terminal it is printed on), and the SHACL shapes of ``ontology/shapes.ttl``
(required properties, datatypes, dates within their years, cardinalities, kinds of values, start ≤ end).
Validation never changes the dataset.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyshacl
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH

from coopgraph import ids, resources
from coopgraph.build import Build
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH, union
from coopgraph.namespaces import PREFIXES
from coopgraph.sources.guard import control_character

__all__ = ["Problem", "validate"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def validate(build: Build) -> list[Problem]:
    """Check references and shapes; return the problems, sorted by file and line (empty when valid).

    Parameters
    ----------
    build : what :func:`coopgraph.build.build_dataset` returned

    Returns
    -------
    list of Problem
    """
    data = union(build.dataset)
    unknown, problems = _references(build, data)
    problems.extend(_control_characters(build))
    problems.extend(_shapes(build, data, ignore_values=unknown))
    return sorted(set(problems))


def _references(build: Build, data: Graph) -> tuple[set[URIRef], list[Problem]]:
    """Every entity id used as a value must be defined; returns the unknown ids and their problems."""
    defined = {s for s in data.subjects(RDF.type, None) if ids.is_entity(s)}
    derived = {s for name in (DERIVED_GRAPH, INDEX_GRAPH)  # minted by the rules (not those they number)
               for s in build.dataset.graph(name).subjects(RDF.type, None)}
    known = sorted(ids.local_id(s) for s in defined - derived)  # suggest what authors wrote, not derived ids
    problems = []
    unknown: set[URIRef] = set()
    authored = (t for g in build.dataset.graphs() if g.identifier not in (DERIVED_GRAPH, INDEX_GRAPH) for t in g)  # a derived
    for s, p, o in authored:  # statement's unknown id is reported where the authored one names it
        if p == RDF.type or not ids.is_entity(o) or o in defined:
            continue
        unknown.add(o)  # type: ignore[arg-type]
        path, line = build.where(s, p)
        local = ids.local_id(o)
        close = difflib.get_close_matches(local, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "define it in data/registry/ or a source file"
        problems.append(Problem(path, line or 0, f"unknown id '{local}' — {hint}"))
    return unknown, problems


def _control_characters(build: Build) -> list[Problem]:
    """Authored text and IRIs with a control character (tab and line feed are text); YAML sources never have one."""
    problems = []
    for graph in build.dataset.graphs():
        if graph.identifier in (DERIVED_GRAPH, INDEX_GRAPH):
            continue
        for s, p, o in graph:
            term = next((t for t in (o, s) if isinstance(t, Literal | URIRef) and control_character(t) is not None), None)
            if term is None:
                continue
            character = term[control_character(term)]  # type: ignore[index]
            path, line = build.where(s, p)  # type: ignore[arg-type]
            who = f"'{ids.local_id(s)}'" if ids.is_entity(s) else "an entity"
            problems.append(Problem(path, line or 0, f"{who}: a control character U+{ord(character):04X} in "
                                    f"{_curie(p)} — remove it (tab and line breaks are the only ones text may hold)"))
    return problems


def _curie(iri: object) -> str:
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


def _describe(data: Graph, node: object) -> str:
    if isinstance(node, URIRef) and ids.is_entity(node):
        types = sorted(data.objects(node, RDF.type), key=lambda t: (not str(t).startswith(PREFIXES["coop"]), str(t)))
        kinds = [_local(t) for t in types]
        article = "an" if kinds and kinds[0][:1] in "AEIOU" else "a"
        kind = f", {article} {kinds[0]}" if kinds else ""
        return f"'{ids.local_id(node)}'{kind}"
    return f"'{node}'"


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _shapes(build: Build, data: Graph, *, ignore_values: set[URIRef]) -> list[Problem]:
    """SHACL results, less those about values already reported as unknown ids."""
    with_terms = Graph()
    for triple in data:
        with_terms.add(triple)
    for triple in resources.ontology():  # roles, statuses and kinds are individuals of the ontology
        with_terms.add(triple)
    conforms, report, _ = pyshacl.validate(
        with_terms,
        shacl_graph=resources.shapes(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path_iri = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        if value in ignore_values or (focus is not None and any(o in ignore_values for o in data.objects(focus))):
            continue  # already reported where the unknown id was written (derived links to it follow from it)
        message = str(report.value(result, SH.resultMessage) or "does not conform to the shapes")
        file_name, line = build.where(focus, path_iri) if isinstance(focus, URIRef) else ("?", None)
        who = f"'{ids.local_id(focus)}'" if isinstance(focus, URIRef) else "an entity"
        got = f" (got {_describe(data, value)})" if value is not None and value != focus else ""
        problems.append(Problem(file_name, line or 0, f"{who}: {message}{got}"))
    return problems
