"""Dumps of the dataset in every common RDF format — the same bytes for the same data.

Turtle, N-Triples and RDF/XML hold the union of the graphs (they have no named graphs); TriG,
N-Quads and JSON-LD keep one named graph per source. N-Triples and N-Quads are sorted lines. JSON-LD
is compacted with the authoring context (``ontology/context.jsonld``), inlined, so that a dump reads
as the YAML sources do and parses offline. Turtle and TriG of more than :data:`LARGE` triples are
written by Oxigraph's serializer (rdflib's Turtle writer slows down on big graphs); N-Triples,
N-Quads and RDF/XML always are.

Every file is written to a temporary file beside it and renamed into place only when all of them
are written, so a failed command leaves every output as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from coopgraph import choices, resources
from coopgraph.dataset import bind_prefixes
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import PREFIXES

__all__ = [
    "Format",
    "FORMATS",
    "LARGE",
    "serialize",
    "turtle",
    "trig",
    "ntriples",
    "nquads",
    "jsonld",
    "rdfxml",
    "format_of",
    "write_files",
    "atomic_files",
]

#: A dataset (one named graph per source) or its graphs; a graph that is not named is the default graph.
Graphs = Dataset | Iterable[Graph]

#: Above this many triples, Turtle and TriG are written by Oxigraph rather than rdflib.
LARGE = 50_000


@dataclass(frozen=True)
class Format:
    """An RDF format coopgraph writes."""

    name: str
    label: str
    suffix: str
    media_type: str
    named_graphs: bool


#: The formats, by the name ``coopgraph export --format`` takes.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", "Turtle", ".ttl", "text/turtle", False),
        Format("trig", "TriG", ".trig", "application/trig", True),
        Format("nt", "N-Triples", ".nt", "application/n-triples", False),
        Format("nq", "N-Quads", ".nq", "application/n-quads", True),
        Format("jsonld", "JSON-LD", ".jsonld", "application/ld+json", True),
        Format("xml", "RDF/XML", ".rdf", "application/rdf+xml", False),
    )
}
assert tuple(FORMATS) == choices.RDF_FORMATS
_SUFFIXES = {f.suffix: f.name for f in FORMATS.values()} | {".json": "jsonld", ".xml": "xml", ".owl": "xml"}


def format_of(path: str | os.PathLike[str]) -> str:
    """The format name that a file's suffix stands for.

    >>> format_of("out/coop.nq")
    'nq'

    Raises
    ------
    CoopgraphError
        for a suffix of no RDF format coopgraph writes
    """
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        known = ", ".join(sorted(_SUFFIXES))
        what = suffix or "no suffix"
        raise CoopgraphError(f"{path}: cannot tell the RDF format from '{what}' — use one of {known}, or --format")
    return _SUFFIXES[suffix]


def serialize(data: Graphs, format: str) -> bytes:
    """Write a dataset (or its graphs) in one of :data:`FORMATS`.

    Parameters
    ----------
    data : a Dataset, or graphs; empty graphs are left out
    format : turtle, trig, nt, nq, jsonld or xml

    Raises
    ------
    CoopgraphError
        for an unknown format, or data that the format cannot hold (an IRI with a space...)
    """
    writers: dict[str, Callable[[Graphs], bytes]] = {
        "turtle": turtle, "trig": trig, "nt": ntriples, "nq": nquads, "jsonld": jsonld, "xml": rdfxml,
    }  # fmt: skip
    if format not in writers:
        raise CoopgraphError(f"unknown RDF format '{format}' — use one of {', '.join(FORMATS)}")
    return writers[format](data)


# --------------------------------------------------------------------------------------------------
# graphs in a stable order, blank nodes with stable labels


def _is_default(graph: Graph) -> bool:
    return graph.identifier == DATASET_DEFAULT_GRAPH_ID or not isinstance(graph.identifier, URIRef)


def _graphs(data: Graphs, *, canonical: bool = True) -> list[Graph]:
    """Non-empty graphs, the default graph first, then by IRI; blank nodes relabelled canonically."""
    graphs = [g for g in (data.graphs() if isinstance(data, Dataset) else data) if len(g)]
    if canonical:
        graphs = [_canonical(g) for g in graphs]
    return sorted(graphs, key=lambda g: (0, "") if _is_default(g) else (1, str(g.identifier)))


def _canonical(graph: Graph, *, checked: bool = False) -> Graph:
    """The graph itself, or a copy whose blank nodes are named by a hash of what they connect."""
    if not checked and not any(type(s) is BNode or type(o) is BNode for s, _, o in graph):
        return graph
    copy = Graph(identifier=graph.identifier)
    for triple in to_canonical_graph(graph):
        copy.add(triple)
    return copy


def _size(graphs: list[Graph]) -> int:
    return sum(len(g) for g in graphs)


# --------------------------------------------------------------------------------------------------
# Turtle and TriG


def turtle(data: Graphs) -> bytes:
    """The union of every graph as Turtle (the same bytes for the same triples)."""
    graphs = _graphs(data, canonical=False)
    if _size(graphs) > LARGE:
        return _oxigraph(graphs, ox.RdfFormat.TURTLE)
    graphs = [_canonical(g) for g in graphs]
    union = bind_prefixes(Graph())
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union.serialize(format="turtle", encoding="utf-8")


def trig(data: Graphs) -> bytes:
    """Each named graph in TriG, in the order of the graphs' IRIs, empty graphs left out.

    rdflib writes a dataset's graphs in an order that can change from run to run, so each graph is
    written on its own and the pieces are joined under one prefix header.
    """
    graphs = _graphs(data, canonical=False)
    if _size(graphs) > LARGE:
        return _oxigraph(graphs, ox.RdfFormat.TRIG)
    graphs = [_canonical(g) for g in graphs]
    header: list[bytes] = []
    bodies: list[bytes] = []
    for graph in graphs:
        if _is_default(graph):
            single: Graph = bind_prefixes(Graph())
            for triple in graph:
                single.add(triple)
            lines = single.serialize(format="turtle", encoding="utf-8").split(b"\n")
        else:
            dataset = bind_prefixes(Dataset())
            named = dataset.graph(graph.identifier)
            for triple in graph:
                named.add(triple)
            lines = dataset.serialize(format="trig", encoding="utf-8").split(b"\n")
        cut = 0
        while cut < len(lines) and (lines[cut].startswith(b"@prefix") or not lines[cut].strip()):
            if lines[cut].startswith(b"@prefix") and lines[cut] not in header:
                header.append(lines[cut])
            cut += 1
        bodies.append(b"\n".join(lines[cut:]).rstrip(b"\n") + b"\n")
    return b"\n".join(sorted(header)) + b"\n\n" + b"\n".join(bodies)


# --------------------------------------------------------------------------------------------------
# N-Triples, N-Quads, RDF/XML and large Turtle/TriG: Oxigraph's serializers over sorted statements


def ntriples(data: Graphs) -> bytes:
    """The union of every graph as N-Triples, one statement a line, lines sorted."""
    return _oxigraph(_graphs(data, canonical=False), ox.RdfFormat.N_TRIPLES)


def nquads(data: Graphs) -> bytes:
    """Every graph as N-Quads, one statement a line, lines sorted."""
    return _oxigraph(_graphs(data, canonical=False), ox.RdfFormat.N_QUADS)


def rdfxml(data: Graphs) -> bytes:
    """The union of every graph as RDF/XML (which has no named graphs), subjects in order."""
    return _oxigraph(_graphs(data, canonical=False), ox.RdfFormat.RDF_XML)


_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r"})


def _statements(graphs: list[Graph], *, union: bool) -> list[str]:
    """N-Quads lines (N-Triples lines for the union): sorted within each graph, graphs in order."""
    terms: dict[Any, str] = {}
    blank: set[BNode] = set()  # blank nodes of the graph being written

    def term(t: Any) -> str:
        known = terms.get(t)
        if known is not None:
            return known
        if isinstance(t, Literal):
            text = str(t)
            if '"' in text or "\\" in text or "\n" in text or "\r" in text:
                text = text.translate(_ESCAPES)
            if t.language:
                return f'"{text}"@{t.language}'
            return f'"{text}"^^<{t.datatype}>' if t.datatype else f'"{text}"'
        if isinstance(t, BNode):
            blank.add(t)
            terms[t] = f"_:{t}"
        else:
            terms[t] = f"<{t}>"
        return terms[t]

    def written(graph: Graph, name: str) -> list[str]:
        blank.clear()
        lines = [f"{term(s)} {term(p)} {term(o)}{name} .\n" for s, p, o in graph]
        if blank:  # write again with blank node labels that do not change from run to run
            for node in blank:
                del terms[node]
            lines = [f"{term(s)} {term(p)} {term(o)}{name} .\n" for s, p, o in _canonical(graph, checked=True)]
            for node in blank:
                terms.pop(node, None)
        return lines

    if union:
        return sorted({line for graph in graphs for line in written(graph, "")})
    lines: list[str] = []
    for graph in graphs:
        lines += sorted(written(graph, "" if _is_default(graph) else f" {term(graph.identifier)}"))
    return lines


def _parse_statements(lines: list[str]) -> list[ox.Quad]:
    try:
        return list(ox.parse("".join(lines).encode("utf-8"), ox.RdfFormat.N_QUADS))
    except SyntaxError:
        for line in lines:  # name the statement at fault, not a position in a text the user never saw
            try:
                list(ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS))
            except SyntaxError as error:
                raise CoopgraphError(f"cannot write the statement {line.strip()} — {error}") from None
        raise


def _oxigraph(graphs: list[Graph], fmt: ox.RdfFormat) -> bytes:
    named = fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
    quads = _parse_statements(_statements(graphs, union=not named))
    if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        statements: list[Any] = quads if named else [q.triple for q in quads]
        lines = ox.serialize(statements, format=fmt).splitlines(keepends=True)
        return b"".join(sorted(lines))
    statements = quads if named else [q.triple for q in quads]
    written = ox.serialize(statements, format=fmt, prefixes=dict(sorted(PREFIXES.items())))
    if fmt == ox.RdfFormat.RDF_XML:
        return written
    lines = written.split(b"\n")
    cut = 0
    while cut < len(lines) and lines[cut].startswith(b"@prefix"):
        cut += 1
    return b"\n".join(sorted(lines[:cut]) + lines[cut:])


# --------------------------------------------------------------------------------------------------
# JSON-LD, compacted with the authoring context


def jsonld(data: Graphs, *, context: dict[str, Any] | None = None) -> bytes:
    """Every graph as JSON-LD, compacted with the authoring context so that it reads as plain JSON.

    The dataset is one top-level ``@graph`` of named graphs (``{"id": graph IRI, "@graph": [...]}``;
    statements of the default graph sit beside them as nodes). Entities are written by their ids
    (``"lstu"``, relative to ``@base``), properties and classes by their keys in the authoring format
    (``"host"``, ``"Visit"``), names as language maps, integers and booleans as JSON numbers and
    booleans. The context is inlined, so the file parses without fetching anything.

    Parameters
    ----------
    data : a Dataset, or graphs
    context : a JSON-LD document with an ``@context`` (default: ``ontology/context.jsonld``)
    """
    document = context if context is not None else resources.context()
    compactor = _Compactor(document["@context"])
    top: list[dict[str, Any]] = []
    for graph in _graphs(data):
        nodes = compactor.nodes(graph)
        if _is_default(graph):
            top[:0] = nodes
        else:
            top.append({compactor.id_key: compactor.node_id(graph.identifier), "@graph": nodes})
    text = json.dumps({"@context": document["@context"], "@graph": top}, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


#: A relative IRI that resolves against ``@base`` to base + itself, whatever JSON-LD version reads it.
_SAFE_RELATIVE = re.compile(r"^(?![.]{1,2}$)[A-Za-z0-9_~.%!$&'()*+,;=-][A-Za-z0-9_~.%!$&'()*+,;=@-]*$")
_INTEGER = re.compile(r"^(0|-?[1-9][0-9]{0,14})$")


@dataclass(frozen=True)
class _Term:
    key: str
    type: str | None  # an IRI, "@id", "@vocab" or None
    container: str | None


class _Compactor:
    """RDF terms → JSON-LD keys and values under one context, so that expansion gives them back.

    A simplified compaction for a context of plain terms: each value picks the first term whose
    coercion fits it (a language map for language-tagged text, the datatype's term for typed values,
    ``@vocab`` or ``@id`` terms for IRIs); anything that fits no term is written with a key that
    coerces nothing (a vocabulary-relative name, a compact IRI or the full IRI) and an explicit
    value object.
    """

    def __init__(self, context: dict[str, Any]) -> None:
        self.base: str | None = context.get("@base")
        self.vocab: str | None = context.get("@vocab")
        aliases = {value: key for key, value in sorted(context.items(), reverse=True) if value in ("@id", "@type")}
        self.id_key = aliases.get("@id", "@id")
        self.type_key = aliases.get("@type", "@type")
        self.defined = {key for key in context if not key.startswith("@")}
        self.prefixes: list[tuple[str, str]] = []
        self.by_iri: dict[str, list[_Term]] = {}
        self.plain_term: dict[str, str] = {}  # IRI -> a term that maps to it (for types and @vocab values)
        raw = {k: v for k, v in context.items() if not k.startswith("@")}
        for key, value in sorted(raw.items()):
            if isinstance(value, str):
                if value.startswith("@"):
                    continue
                iri = self._expand(value, raw)
                if iri.endswith(("/", "#")):
                    self.prefixes.append((key, iri))
                term = _Term(key, None, None)
            elif isinstance(value, dict) and "@id" in value and "@reverse" not in value:
                iri = self._expand(value["@id"], raw)
                kind = value.get("@type")
                term = _Term(key, kind if kind in (None, "@id", "@vocab") else self._expand(kind, raw), value.get("@container"))
            else:
                continue
            self.by_iri.setdefault(iri, []).append(term)
            self.plain_term.setdefault(iri, key)
        self.prefixes.sort(key=lambda p: (-len(p[1]), p[0]))

    def _expand(self, value: str, raw: dict[str, Any]) -> str:
        prefix, colon, rest = value.partition(":")
        if colon and not rest.startswith("//") and isinstance(raw.get(prefix), str):
            return raw[prefix] + rest
        if not colon and self.vocab:
            return self.vocab + value
        return value

    # ---- IRIs

    def vocab_iri(self, iri: str, *, terms: bool = True) -> str:
        """An IRI as a key, a type or an ``@vocab`` value: a term, a vocabulary-relative name, a compact IRI, or itself."""
        if terms and iri in self.plain_term:
            return self.plain_term[iri]
        if self.vocab and iri.startswith(self.vocab):
            local = iri[len(self.vocab):]
            if local and ":" not in local and local not in self.defined and not local.startswith("@"):
                return local
        return self._compact_iri(iri)

    def _compact_iri(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                curie = f"{prefix}:{local}"
                if local and not local.startswith("//") and curie not in self.defined:
                    return curie
        return iri

    def node_id(self, iri: Any) -> str:
        """A subject or an ``@id`` value: relative to ``@base`` when that is safe, else a compact or full IRI."""
        if isinstance(iri, BNode):
            return f"_:{iri}"
        text = str(iri)
        if self.base and text.startswith(self.base):
            local = text[len(self.base):]
            if _SAFE_RELATIVE.match(local) and local not in self.defined:
                return local
        return self._compact_iri(text)

    # ---- statements

    def nodes(self, graph: Graph) -> list[dict[str, Any]]:
        subjects: dict[Any, list[tuple[Any, Any]]] = {}
        for s, p, o in graph:
            subjects.setdefault(s, []).append((p, o))
        ordered = sorted(subjects, key=lambda s: (isinstance(s, BNode), str(s)))
        return [self.node(s, subjects[s]) for s in ordered]

    def node(self, subject: Any, statements: list[tuple[Any, Any]]) -> dict[str, Any]:
        node: dict[str, Any] = {self.id_key: self.node_id(subject)}
        types: list[str] = []
        values: dict[str, list[Any]] = {}
        languages: dict[str, dict[str, list[str]]] = {}
        for p, o in statements:
            if p == RDF.type and isinstance(o, (URIRef, BNode)):
                types.append(self.node_id(o) if isinstance(o, BNode) else self.vocab_iri(str(o)))
                continue
            key, value, language = self.entry(str(p), o)
            if language is not None:
                languages.setdefault(key, {}).setdefault(language, []).append(value)
            else:
                values.setdefault(key, []).append(value)
        if types:
            node[self.type_key] = _one_or_many(sorted(types))
        for key in sorted(values.keys() | languages.keys()):
            if key in languages:
                node[key] = {tag: _one_or_many(sorted(texts)) for tag, texts in sorted(languages[key].items())}
            else:
                node[key] = _one_or_many(sorted(values[key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)))
        return node

    def entry(self, predicate: str, o: Any) -> tuple[str, Any, str | None]:
        """(key, value, language of a language-map entry or None) for one statement."""
        terms = self.by_iri.get(predicate, [])
        if isinstance(o, URIRef):
            iri = str(o)
            for term in terms:
                if term.type == "@vocab" and term.container is None:
                    written = self.vocab_iri(iri)
                    if written != iri:
                        return term.key, written, None
            for term in terms:
                if term.type == "@id" and term.container is None:
                    return term.key, self.node_id(o), None
            return self._plain_key(predicate), {self.id_key: self.node_id(o)}, None
        if isinstance(o, BNode):
            for term in terms:
                if term.type == "@id" and term.container is None:
                    return term.key, self.node_id(o), None
            return self._plain_key(predicate), {self.id_key: self.node_id(o)}, None
        text = str(o)
        if o.language:
            for term in terms:
                if term.container == "@language" and term.type is None:
                    return term.key, text, o.language
            return self._plain_key(predicate), {"@value": text, "@language": o.language}, None
        datatype = str(o.datatype) if o.datatype is not None else None
        if datatype is None or datatype == str(XSD.string):
            return self._plain_key(predicate), text, None
        for term in terms:
            if term.type == datatype and term.container is None:
                return term.key, _native(text, datatype), None
        return self._plain_key(predicate), {"@value": text, self.type_key: self.vocab_iri(datatype)}, None

    def _plain_key(self, predicate: str) -> str:
        """A key that coerces nothing: a term without @type or @container, or a name that is no term."""
        for term in self.by_iri.get(predicate, []):
            if term.type is None and term.container is None:
                return term.key
        return self.vocab_iri(predicate, terms=False)


def _native(text: str, datatype: str) -> Any:
    """JSON's own number or boolean where it reads back as the same literal, else the text."""
    if datatype == str(XSD.integer) and _INTEGER.match(text):
        return int(text)
    if datatype == str(XSD.boolean) and text in ("true", "false"):
        return text == "true"
    return text


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


# --------------------------------------------------------------------------------------------------
# writing files


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_files(directory: Path):
    """Collect ``name → bytes`` and move them all into ``directory`` only if the block succeeds."""
    staged: dict[str, bytes] = {}
    yield staged
    directory.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name, data in staged.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
            temps.append((name, Path(tmp)))
        for name, tmp in temps:
            os.replace(tmp, directory / name)
    finally:
        for _, tmp in temps:
            if tmp.exists():
                tmp.unlink()


def write_files(directory: str | Path, files: dict[str, Callable[[], bytes]]) -> list[Path]:
    """Render every file first, then write them all into ``directory`` at once.

    Parameters
    ----------
    directory : where the files go (created if missing)
    files : file name → function returning its bytes

    Returns
    -------
    list of Path
        the files written
    """
    directory = Path(directory)
    with atomic_files(directory) as staged:
        for name, render in files.items():
            staged[name] = render()
    return [directory / name for name in files]
