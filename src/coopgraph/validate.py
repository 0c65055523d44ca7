"""Dataset + shapes → a report whose every problem names the file and line it came from.

Three checks: references (every id used is defined somewhere), text without control characters (ESC or
BEL in a name would drive the terminal it is printed on), and the SHACL shapes of ``ontology/shapes.ttl``
(the properties each kind of entity may have, required properties, datatypes, dates within their years,
cardinalities, kinds of linked entities, start ≤ end). A problem is an error (a sh:Violation: the data
is wrong) or a warning (a sh:Warning: the data is suspicious; it is printed and the build goes on).
The shapes see what the sources say, not what the rules derive from it. Statements of RDF sources,
whose readers record no lines, are found in the file's text. Validation never changes the dataset.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph import ids, resources
from coopgraph.build import Build
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.namespaces import PREFIXES
from coopgraph.sources import ReadSource
from coopgraph.sources.guard import control_character

__all__ = ["Problem", "SEVERITIES", "validate"]

#: SHACL severity → problem severity: a violation is an error, a warning (or info) a warning.
SEVERITIES = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "warning"}


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, as ``path:line: message`` (an error) or ``path:line: warning: message``.

    Attributes
    ----------
    path, line : where it was written (line 0: unknown)
    message : what is wrong — what to do
    severity : ``"error"`` for data that is wrong (the build stops), ``"warning"`` for data that is
        suspicious (printed; the build goes on)
    """

    path: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: warning: {self.message}" if self.severity == "warning" else f"{where}: {self.message}"


def validate(build: Build) -> list[Problem]:
    """Check references and shapes; return the problems, sorted by file and line (empty when valid).

    Parameters
    ----------
    build : what :func:`coopgraph.build.build_dataset` returned

    Returns
    -------
    list of Problem
        errors and warnings (``Problem.severity``); the data conforms when there is no error
    """
    with _without_cycle_collection():
        checked = _checked(build)
        unknown, problems = _references(build, checked)
        problems.extend(_control_characters(build))
        problems.extend(_shapes(build, checked, ignore_values=unknown))
    return sorted(set(problems))


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while validation runs (and resumed, as it was, after).

    Validation allocates millions of small objects, and each full collection walked every term of the
    dataset again: 40 % of the time at 100k triples (6.0 → 3.7 s of CPU), for a peak RSS some 70 MB
    higher. Nothing validation keeps is a cycle that needs the collector.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _checked(build: Build) -> Graph:
    """What is checked: every authored statement (not the derived graph), and the ontology.

    The derived graph is left out: what the rules derive names no file and line and is no author's to
    fix (the rules have tests of their own). The ontology brings the roles, statuses and kinds that
    links point at, and the classes a type must be one of.
    """
    checked = Graph()
    for graph in build.dataset.graphs():
        if graph.identifier not in (DERIVED_GRAPH, INDEX_GRAPH):
            checked.addN((s, p, o, checked) for s, p, o in graph)
    checked.addN((s, p, o, checked) for s, p, o in resources.ontology())
    return checked


def _references(build: Build, checked: Graph) -> tuple[set[URIRef], list[Problem]]:
    """Every entity id used as a value must be defined; returns the unknown ids and their problems."""
    derived = {s for name in (DERIVED_GRAPH, INDEX_GRAPH)  # minted by the rules (not those they number)
               for s in build.dataset.graph(name).subjects(RDF.type, None)}
    authored = {s for s in checked.subjects(RDF.type, None) if ids.is_entity(s)}
    defined = authored | {s for s in derived if ids.is_entity(s)}
    known = sorted(ids.local_id(s) for s in authored - derived)  # suggest what authors wrote, not derived ids
    problems = []
    unknown: set[URIRef] = set()
    statements = (t for g in build.dataset.graphs() if g.identifier not in (DERIVED_GRAPH, INDEX_GRAPH) for t in g)  # a derived
    for s, p, o in statements:  # statement's unknown id is reported where the authored one names it
        if p == RDF.type or not ids.is_entity(o) or o in defined:
            continue
        unknown.add(o)  # type: ignore[arg-type]
        path, line = _where(build, s, p, term=o)  # type: ignore[arg-type]
        local = ids.local_id(o)
        close = difflib.get_close_matches(local, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "define it in data/registry/ or a source file"
        problems.append(Problem(path, line, f"unknown id '{local}' — {hint}"))
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
            path, line = _where(build, s, p)  # type: ignore[arg-type]
            who = f"'{ids.local_id(s)}'" if ids.is_entity(s) else "an entity"
            problems.append(Problem(path, line, f"{who}: a control character U+{ord(character):04X} in "
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


def _shapes(build: Build, checked: Graph, *, ignore_values: set[URIRef]) -> list[Problem]:
    """SHACL results, less those about values already reported as unknown ids.

    pySHACL runs with no inference (the build has added the superclasses and super-properties), in
    place (``checked`` is a graph of its own), with SHACL-AF (the shapes use SPARQL-based targets) and
    warnings allowed (they do not make the data non-conforming, so the report is read either way).
    """
    shapes = resources.shapes()
    _, report, _ = pyshacl.validate(
        checked, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, inplace=True,
    )
    problems = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        result = _Result.read(report, node)
        if result.value in ignore_values or any(o in ignore_values for o in checked.objects(result.focus)):
            continue  # already reported where the unknown id was written (derived links to it follow from it)
        objects_of = shapes.value(result.shape, SH.targetObjectsOf)
        if objects_of is not None and result.path is None:
            problems.extend(_uses(result, objects_of, build, checked))
        elif result.component == SH.ClosedConstraintComponent:
            problems.append(_unknown_property(result, shapes, build))
        else:
            problems.append(_problem(result, shapes, build, checked))
    return problems


@dataclass(frozen=True)
class _Result:
    """What coopgraph reads of one sh:ValidationResult."""

    focus: Node
    path: URIRef | None
    value: Node | None
    shape: Node
    component: Node | None
    severity: str
    message: str

    @classmethod
    def read(cls, report: Graph, node: Node) -> _Result:
        severity = report.value(node, SH.resultSeverity)
        return cls(
            focus=report.value(node, SH.focusNode),  # type: ignore[arg-type]
            path=report.value(node, SH.resultPath),  # type: ignore[arg-type]
            value=report.value(node, SH.value),
            shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
            component=report.value(node, SH.sourceConstraintComponent),
            severity=SEVERITIES.get(severity, "error"),  # type: ignore[arg-type]
            message=str(report.value(node, SH.resultMessage) or "does not conform to the shapes"),
        )


def _problem(result: _Result, shapes: Graph, build: Build, checked: Graph) -> Problem:
    """``'id': message (got value)`` where the value was written.

    A constraint on the node itself (no result path) points at the property its shape targets the
    subjects of (``only a visit has a 'visitor'`` at the line of ``visitor``).
    """
    path = result.path
    if path is None:
        path = next((p for p in shapes.objects(result.shape, SH.targetSubjectsOf) if (result.focus, p, None) in checked), None)
    file_name, line = _where(build, result.focus, path)  # type: ignore[arg-type]
    got = f" (got {_describe(checked, result.value)})" if result.value is not None and result.value != result.focus else ""
    return Problem(file_name, line, f"{_who(result.focus)}: {result.message}{got}", result.severity)


def _unknown_property(result: _Result, shapes: Graph, build: Build) -> Problem:
    """A predicate a closed shape does not allow, at its line, with the closest one it allows."""
    allowed = [p for p in Collection(shapes, shapes.value(result.shape, SH.ignoredProperties)) if isinstance(p, URIRef)]
    file_name, line = _where(build, result.focus, result.path)  # type: ignore[arg-type]
    text = f"{_curie(result.path)} {_suggesting(result.message, result.path, allowed)}"
    return Problem(file_name, line, f"{_who(result.focus)}: {text}", result.severity)


def _uses(result: _Result, predicate: URIRef, build: Build, checked: Graph) -> list[Problem]:
    """A result about a term that shapes target as the object of ``predicate`` (a class, as the object of
    ``rdf:type``): one problem where each subject states it, with the closest known term."""
    known = _classes() if predicate == RDF.type else []
    text = f"{_curie(predicate)} {_curie(result.focus)} {_suggesting(result.message, result.focus, known)}"
    subjects = set(checked.subjects(predicate, result.focus)) - _ontology_subjects()
    return [Problem(*_where(build, s, predicate, term=result.focus), f"{_who(s)}: {text}", result.severity)  # type: ignore[arg-type]
            for s in subjects]


def _who(node: object) -> str:
    return f"'{ids.local_id(node)}'" if isinstance(node, URIRef) else "an entity"  # type: ignore[arg-type]


@functools.cache
def _classes() -> list[URIRef]:
    """The ontology's classes in coopgraph's namespace: what a misspelt type may have meant."""
    coop = PREFIXES["coop"]
    return sorted(c for c in resources.ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(coop))


@functools.cache
def _ontology_subjects() -> frozenset[Node]:
    return frozenset(resources.ontology().subjects())


def _suggesting(message: str, written: object, known: Iterable[URIRef]) -> str:
    """The shape's message, its advice replaced by the closest known term when one is close."""
    close = difflib.get_close_matches(_curie(written), [_curie(k) for k in known], n=1, cutoff=0.8)
    return f"{message.split(' — ')[0]} — did you mean {close[0]}?" if close else message


# ------------------------------------------------------------------ where a statement was written

def _where(build: Build, subject: Node, predicate: URIRef | None, *, term: Node | None = None) -> tuple[str, int]:
    """The file and line of ``subject predicate …``: as the reader recorded it, else found in the file's text.

    The YAML reader records the line of every key; the RDF readers record none, so the statement is
    looked for in the text of the source that holds it (``term``, when given, is what to look for
    instead of the predicate, e.g. the misspelt class of an ``rdf:type``). A statement no source holds
    (a required property that is missing) is reported where the subject is described.
    """
    if predicate is not None and (subject, predicate) in build.lines:
        path, line = build.lines[(subject, predicate)]
        return path, line
    if predicate is not None:
        for read in build.sources:
            if (subject, predicate, term) in read.graph:
                return str(read.path), _line(read, subject, predicate, term or predicate)
    for pattern in ((subject, RDF.type, None), (subject, None, None)):  # where it is defined, else mentioned
        for read in build.sources:
            if pattern in read.graph:
                return str(read.path), _line(read, subject, None, subject)
    path, line = build.where(subject, predicate)  # type: ignore[arg-type]
    return path, line or 0


def _line(read: ReadSource, subject: Node, predicate: URIRef | None, term: Node) -> int:
    if read.lines:
        return read.lines.get((subject, predicate)) or read.lines.get((subject, None)) or 0  # type: ignore[arg-type]
    return _line_in_text(read.path, subject, term) or 0


#: A prefix declared in Turtle or SPARQL syntax, or an XML namespace: (Turtle prefix, IRI, XML prefix, IRI).
_PREFIX = re.compile(r"""(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>|xmlns:([A-Za-z][\w.-]*)\s*=\s*["']([^"']*)["']""",
                     re.I)
_BASE = re.compile(r"(?:@base|BASE)\s+<([^>]*)>|xml:base\s*=\s*[\"']([^\"']*)[\"']", re.I)


def _line_in_text(path: Path, subject: Node, term: Node | None) -> int | None:
    """The line of an RDF file (Turtle, N-Triples, RDF/XML, JSON-LD) where ``term`` is written about ``subject``.

    Each is looked for as a full IRI, a prefixed name of the file's prefixes, or relative to its base; of
    the places ``term`` is written, the one closest after a mention of ``subject`` wins (Turtle and
    N-Triples state a subject before its predicates). None when ``term`` is not found at all.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    prefixes = [(m.group(1) or m.group(3) or "", m.group(2) if m.group(2) is not None else m.group(4))
                for m in _PREFIX.finditer(text)]
    bases = [m.group(1) or m.group(2) or "" for m in _BASE.finditer(text)] + [path.resolve().as_uri()]

    def places(iri: Node | None) -> list[int]:
        if not isinstance(iri, URIRef):
            return []
        text_iri = str(iri)
        forms = {re.escape(f"<{text_iri}>"), re.escape(f'"{text_iri}"'), re.escape(f"'{text_iri}'")}
        for prefix, namespace in prefixes:
            local = text_iri[len(namespace):]
            if namespace and text_iri.startswith(namespace) and re.fullmatch(r"[\w-]+(?:\.[\w-]+)*", local or "-"):
                forms.add(r"(?<![\w:.-])" + re.escape(f"{prefix}:{local}") + r"(?![\w:-])")
        for base in bases:
            if base and text_iri.startswith(base) and len(text_iri) > len(base):
                forms.add(re.escape(f"<{text_iri[len(base):]}>"))
        if iri == RDF.type:
            forms.add(r"(?<=\s)a(?=\s)")
        return sorted(m.start() for form in forms for m in re.finditer(form, text))

    found = places(term)
    if not found:
        return None
    mentions = places(subject)
    best = found[0]
    if mentions:
        after = [(at - max(m for m in mentions if m <= at), at) for at in found if mentions[0] <= at]
        best = min(after)[1] if after else best
    return text.count("\n", 0, best) + 1
