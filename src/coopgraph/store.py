"""Where the graph lives: in memory (rdflib), on disk (Oxigraph), or behind a SPARQL 1.1 endpoint.

One small interface, three kinds, chosen by a spec string (``--store SPEC``, or the environment
variable ``COOPGRAPH_STORE``):

``memory``
    an rdflib :class:`~rdflib.Dataset` in this process; nothing to start, nothing kept.
``oxigraph:DIR``
    a persistent Oxigraph store (pyoxigraph) in the folder ``DIR``, named graphs kept.
``http(s)://...``
    a SPARQL 1.1 endpoint: the Query and Update protocols, and the Graph Store Protocol for dumps.
    A base URL (``http://127.0.0.1:7878``) means the Oxigraph server's layout (``/query``,
    ``/update``, ``/store``); Fuseki (``/ds/sparql``), GraphDB (``/repositories/R``) and Virtuoso
    (``/sparql``) query URLs are recognised; any other URL is used for query and update alike.

Every store answers a query over the *union* of its named graphs (one per source, plus the derived
graph), as the Turtle export holds them. Loading is all or nothing: each named graph present in what
is loaded replaces the graph of that name, the derived graph is recomputed from the rules of
``queries/rules/``, and a failure at any point leaves the store as it was:

- memory: changes are undone on failure;
- Oxigraph: the change is made in a copy of the store (a checkpoint of hard links, cheap) that
  replaces the store only when complete, so even a killed process leaves the store as it was;
- remote: the whole change (DROP SILENT GRAPH, INSERT DATA, the rules as INSERT … WHERE) is one
  SPARQL Update request, which Oxigraph, Fuseki (TDB2) and GraphDB apply as one transaction.
  The Graph Store Protocol is not used for writing: Oxigraph's ``PUT /store?graph=`` clears the
  graph and then loads in two steps, so a failed PUT leaves the graph empty.
"""

from __future__ import annotations

import gc
import io
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Node

from coopgraph import bulkload, ids, oxterms, sparqltext
from coopgraph import derive as derivation
from coopgraph.build import DERIVED_GRAPH, bind_prefixes
from coopgraph.errors import StoreError
from coopgraph.namespaces import PREFIXES

__all__ = [
    "STORE_ENV",
    "Store",
    "MemoryStore",
    "OxigraphStore",
    "OpenOxigraph",
    "RemoteStore",
    "LoadReport",
    "StoreSyntaxError",
    "open_store",
    "store_spec",
    "BULK_SUFFIXES",
]

#: The environment variable that gives the default store spec (``memory`` when unset).
STORE_ENV = "COOPGRAPH_STORE"

#: RDF files that :meth:`Store.load_files` reads with Oxigraph's parser, suffix → format.
BULK_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
}

_XSD_STRING = str(XSD.string)


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


# ------------------------------------------------------------------------------------ opening


def store_spec(spec: str | None = None) -> str:
    """The spec to use: ``spec`` if given, else ``$COOPGRAPH_STORE``, else ``memory``."""
    return (spec or os.environ.get(STORE_ENV) or "memory").strip()


def open_store(
    spec: str | None = None,
    *,
    update_url: str | None = None,
    gsp_url: str | None = None,
    union: str | None = None,
) -> Store:
    """Open the store a spec names: ``memory``, ``oxigraph:DIR`` or ``http(s)://...``.

    Parameters
    ----------
    spec : the store; default ``$COOPGRAPH_STORE``, else ``memory``
    update_url, gsp_url : for an endpoint, its SPARQL Update and Graph Store Protocol URLs when they
        are not where the query URL's layout puts them
    union : for an endpoint, how a query reaches the union of the named graphs: ``oxigraph``
        (its ``union-default-graph`` parameters), ``server`` (the server's default graph already is
        the union: GraphDB, Virtuoso, a Fuseki dataset with ``unionDefaultGraph``), or the IRI of
        a graph standing for the union (Fuseki: ``urn:x-arq:UnionGraph``); default: from the layout

    Returns
    -------
    Store

    Raises
    ------
    StoreError
        for a spec of no known kind, or a store that cannot be opened

    Examples
    --------
    >>> with open_store("memory") as store:
    ...     store.graphs()
    []
    """
    spec = store_spec(spec)
    if spec == "memory":
        return MemoryStore()
    if spec.startswith("oxigraph:"):
        location = spec[len("oxigraph:"):]
        if not location:
            raise StoreError("store 'oxigraph:' needs a folder — write oxigraph:DIR, e.g. oxigraph:out/store")
        return OxigraphStore(location)
    if re.match(r"https?://", spec, re.I):
        return RemoteStore(spec, update_url=update_url, gsp_url=gsp_url, union=union)
    raise StoreError(
        f"unknown store '{spec}' — use memory, oxigraph:DIR or the URL of a SPARQL endpoint (http://...)"
    )


# ------------------------------------------------------------------------------------ terms


def _nt(term: Node) -> str:
    """A term in N-Triples syntax (which SPARQL's INSERT DATA also reads)."""
    return str(oxterms.to_ox(term))


def _select_result(variables: Sequence[str], rows: Iterable[dict[str, Node]]) -> Result:
    result = Result("SELECT")
    result.vars = [Variable(v) for v in variables]
    result.bindings = [{Variable(k): v for k, v in row.items() if v is not None} for row in rows]
    return result


def _ask_result(answer: bool) -> Result:
    result = Result("ASK")
    result.askAnswer = answer
    return result


def _graph_result(triples: Iterable[tuple[Node, Node, Node]], form: str = "CONSTRUCT") -> Result:
    result = Result(form)
    graph = bind_prefixes(Graph())
    for triple in triples:
        graph.add(triple)
    result.graph = graph
    return result


def _ox_result(answer: object) -> Result:
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
        return _ask_result(bool(answer))
    return _graph_result((convert(t.subject), convert(t.predicate), convert(t.object)) for t in answer)  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------ rules


def _as_insert(rule: str, graph: URIRef, prefixes: dict[str, str]) -> str:
    """A rule's ``CONSTRUCT { T } WHERE { P }`` as ``INSERT { GRAPH <graph> { T } } WHERE { P }``.

    Its PREFIX declarations go into ``prefixes``: Oxigraph reads a prologue only at the start of an
    update request, not after a ``;``, so the caller declares them all once, first.
    """
    i, start = 0, None
    while i < len(text := rule):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        if text[i:i + 9].upper() == "CONSTRUCT" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:")):
            start = i
            break
        i += 1
    if start is None:
        raise StoreError("a rule in queries/rules/ is not a CONSTRUCT query")
    i = text.index("{", start + 9)
    open_at, depth = i, 0
    while i < len(text):
        end = sparqltext.skip(text, i)
        if end is not None:
            i = end
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                break
        i += 1
    template, rest = text[open_at + 1:i], text[i + 1:]
    if not re.match(r"\s*WHERE\b", rest, re.I) or re.search(r"}\s*(ORDER|LIMIT|OFFSET|GROUP)\b[^}]*$", rest, re.I):
        raise StoreError("a rule in queries/rules/ must be CONSTRUCT { ... } WHERE { ... } with no solution modifiers")
    prologue = sparqltext.strip_comments(text[:start])
    for name, iri in re.findall(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", prologue, re.I):
        if prefixes.setdefault(name, iri) != iri:
            raise StoreError(f"rules declare the prefix '{name}:' twice, as <{prefixes[name]}> and <{iri}> — use one")
    if re.sub(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>", "", prologue, flags=re.I).strip():
        raise StoreError("a rule in queries/rules/ has a BASE or other prologue that coopgraph cannot hoist")
    return f"INSERT {{ GRAPH <{graph}> {{{template}}} }}{rest}"


# ------------------------------------------------------------------------------------ the interface


class Store:
    """A place that holds coopgraph's named graphs and answers SPARQL over their union.

    Use :func:`open_store`; a store is a context manager (``with open_store(spec) as store``).
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
        paths = _bulk_files(files)
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


def _bulk_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to load as they are; a folder stands for the bulk files under it."""
    files = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in BULK_SUFFIXES)
            continue
        if path.suffix.lower() not in BULK_SUFFIXES:
            known = ", ".join(sorted(BULK_SUFFIXES))
            raise StoreError(f"{path}: cannot load '{path.suffix}' files as they are — use {known}")
        if not path.is_file():
            raise StoreError(f"{path}: no such file — check the path")
        files.append(path)
    return files


def _file_graph(path: Path) -> URIRef:
    """The graph that the triples of an N-Triples or Turtle file go into."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return ids.graph(re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "rdf")


def _parse_error(path: Path, exc: Exception) -> StoreError:
    return StoreError(f"{path}: {exc} — fix the file; the store was not changed")


def _read_quads(path: Path) -> Iterator[object]:
    """The quads of a file, those of its default graph moved into the graph named after the file."""
    fmt = BULK_SUFFIXES[path.suffix.lower()]
    default = ox.NamedNode(str(_file_graph(path)))
    try:
        for quad in ox.parse(path=path, format=fmt):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)
            else:
                yield quad
    except SyntaxError as exc:
        raise _parse_error(path, exc) from None


def _graph_names(files: Sequence[Path]) -> set[str]:
    """The graphs the files fill (reading them through once)."""
    names: set[str] = set()
    for path in files:
        if BULK_SUFFIXES[path.suffix.lower()] in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            for _ in _read_quads(path):  # a syntax error is found before anything is touched
                pass
            names.add(str(_file_graph(path)))
            continue
        for quad in _read_quads(path):
            names.add(quad.graph_name.value)  # type: ignore[attr-defined]
    return names


# ------------------------------------------------------------------------------------ memory


class MemoryStore(Store):
    """An rdflib Dataset in this process (the default; nothing is kept after the process ends)."""

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        super().__init__("memory")
        self._dataset = dataset if dataset is not None else bind_prefixes(Dataset())

    def query(self, sparql: str) -> Result:
        from pyparsing import ParseException

        try:
            return Dataset(store=self._dataset.store, default_union=True).query(sparql)
        except ParseException as exc:
            raise StoreSyntaxError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}") from None

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
            graph = "" if g is None or g == DATASET_DEFAULT_GRAPH_ID else f" {_nt(g)}"  # type: ignore[arg-type]
            out.write(f"{_nt(s)} {_nt(p)} {_nt(o)}{graph} .\n")
        return out.getvalue().encode("utf-8")

    def _apply(self, graphs, files, *, derive):
        incoming: dict[URIRef, list[tuple[Node, Node, Node]]] = dict(graphs)
        for path in files:  # parse everything first: a bad file changes nothing
            for quad in _read_quads(path):
                name = oxterms.to_rdflib(quad.graph_name)  # type: ignore[attr-defined]
                incoming.setdefault(name, []).append(
                    (oxterms.to_rdflib(quad.subject), oxterms.to_rdflib(quad.predicate), oxterms.to_rdflib(quad.object))  # type: ignore[attr-defined]
                )
        touched = set(incoming) | ({DERIVED_GRAPH} if derive else set())
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
        derived = self._dataset.graph(DERIVED_GRAPH)
        derived.remove((None, None, None))
        facts = ((s, p, o) for s, p, o, _ in self._dataset.quads((None, None, None, None)))  # the derived graph is empty now
        for triple in derivation.in_memory(facts):
            derived.add(triple)
        for triple in derivation.provenance(self.graphs()):
            derived.add(triple)


# ------------------------------------------------------------------------------------ Oxigraph on disk


class OxigraphStore(Store):
    """A persistent Oxigraph store in a folder (created when missing).

    A load is made in a sibling folder ``.DIR.staging`` (a checkpoint of the store, hard links, then
    the change, then the derived graph), which then replaces ``DIR``; ``.DIR.old`` exists only
    during that swap, and a store found without ``DIR`` but with ``.DIR.old`` is put back on open.
    A large N-Quads or N-Triples file is loaded in parts, side by side (:mod:`coopgraph.bulkload`,
    the parts in ``.DIR.parts`` while it lasts).
    """

    kind = "oxigraph"

    def __init__(self, location: str | Path) -> None:
        self.location = Path(location)
        super().__init__(f"oxigraph:{self.location}")
        self._staging = self.location.parent / f".{self.location.name}.staging"
        self._old = self.location.parent / f".{self.location.name}.old"
        self._parts = self.location.parent / f".{self.location.name}.parts"  # a large file cut for parallel loading
        self._recover()
        self._store: ox.Store | None = self._open(self.location)

    def _recover(self) -> None:
        if not self.location.exists() and self._old.exists():
            os.replace(self._old, self.location)  # a swap was cut between its two renames
        for leftover in (self._staging, self._old, self._parts):
            if leftover.exists():
                shutil.rmtree(leftover)

    def _open(self, path: Path) -> ox.Store:
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: is a file — oxigraph:DIR needs a folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(path))
        except OSError as exc:
            hint = " — is another process (oxigraph serve, coopgraph) using it?" if "lock" in str(exc).lower() else ""
            raise StoreError(f"{path}: cannot open the Oxigraph store: {exc}{hint}") from None

    @property
    def store(self) -> ox.Store:
        """The open pyoxigraph Store (for code that needs Oxigraph itself, such as a server)."""
        if self._store is None:
            raise StoreError(f"{self.spec}: the store is closed")
        return self._store

    def query(self, sparql: str) -> Result:
        try:
            answer = self.store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreSyntaxError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"{self.spec}: {exc}") from None
        return _ox_result(answer)

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)
                      and next(iter(self.store.quads_for_pattern(None, None, None, g)), None) is not None)

    def __len__(self) -> int:
        return len(self.store)

    def _count(self, graph: URIRef) -> int:
        return _graph_counts(self.store, [str(graph)])[str(graph)]

    def nquads(self) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_QUADS)

    def dump(self, path: str | Path, *, format: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Write the whole store to a file with Oxigraph's serializer (fast at any size)."""
        self.store.dump(str(path), format=format)

    def _apply(self, graphs, files, *, derive):
        for path in files:
            if not path.is_file():
                raise StoreError(f"{path}: no such file — check the path")
        empty = next(iter(self.store), None) is None
        replaced = {str(g) for g in graphs}
        if files and not empty:
            replaced |= _graph_names(files)  # reads the files once: a syntax error stops here
        if self._staging.exists():
            shutil.rmtree(self._staging)
        self.store.flush()
        if empty:
            staging = self._open(self._staging)
        else:
            self.store.backup(str(self._staging))
            staging = self._open(self._staging)
        try:
            for name in sorted(replaced):
                staging.remove_graph(ox.NamedNode(name))
            staging.bulk_extend(  # the staging store is ours alone: no transaction needed
                ox.Quad(oxterms.to_ox(s), oxterms.to_ox(p), oxterms.to_ox(o), ox.NamedNode(str(g)))  # type: ignore[arg-type]
                for g, triples in graphs.items() for s, p, o in triples
            )
            for path in files:
                fmt = BULK_SUFFIXES[path.suffix.lower()]
                to_graph = None if fmt.supports_datasets else ox.NamedNode(str(_file_graph(path)))
                try:
                    bulkload.bulk_load(staging, path, fmt, to_graph=to_graph, parts_dir=self._parts)
                except SyntaxError as exc:
                    raise _parse_error(path, exc) from None
                if fmt.supports_datasets:  # triples in a dataset file's default graph go to the file's graph
                    stray = list(staging.quads_for_pattern(None, None, None, ox.DefaultGraph()))
                    if stray:
                        staging.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(_file_graph(path))))
                                            for q in stray)
                        staging.clear_graph(ox.DefaultGraph())
                    if empty:
                        replaced |= {g.value for g in staging.named_graphs() if isinstance(g, ox.NamedNode)}
                else:
                    replaced.add(str(_file_graph(path)))
            if derive:
                _derive_oxigraph(staging)
            names = sorted(replaced - {str(DERIVED_GRAPH)} if derive else replaced)
            if len(names) <= 50:
                counts = _graph_counts(staging, names)
            else:  # one pass over every graph, which gives the derived graph's size and the store's too
                every, default = _every_graph_count(staging)
                counts = {name: every.get(name, 0) for name in names}
                self._totals = (every.get(str(DERIVED_GRAPH), 0), sum(every.values()) + default)
        except BaseException:
            del staging
            gc.collect()
            shutil.rmtree(self._staging, ignore_errors=True)
            raise
        del staging
        self._swap()
        return counts

    def _swap(self) -> None:
        """Put the staging folder in the store's place (two renames; see :meth:`_recover`)."""
        self._store = None
        gc.collect()  # pyoxigraph closes a store when its last reference goes
        os.replace(self.location, self._old)
        os.replace(self._staging, self.location)
        shutil.rmtree(self._old, ignore_errors=True)
        self._store = self._open(self.location)

    def close(self) -> None:
        if self._store is not None:
            self._store.flush()
        self._store = None
        gc.collect()


class OpenOxigraph(Store):
    """A pyoxigraph Store opened elsewhere (e.g. read-only by a server's worker), asked as a Store.

    For reading only: it answers queries, lists graphs and counts; it does not load.
    """

    kind = "oxigraph"

    def __init__(self, store: ox.Store, spec: str = "oxigraph") -> None:
        super().__init__(spec)
        self.store = store

    query = OxigraphStore.query
    graphs = OxigraphStore.graphs
    nquads = OxigraphStore.nquads

    def __len__(self) -> int:
        return len(self.store)

    def _count(self, graph: URIRef) -> int:
        return _graph_counts(self.store, [str(graph)])[str(graph)]

    def _apply(self, graphs, files, *, derive):
        raise StoreError(f"{self.spec}: opened for reading only — load with oxigraph:DIR")


def _graph_counts(store: ox.Store, names: Sequence[str]) -> dict[str, int]:
    """Triples in each of the named graphs, counted by Oxigraph."""
    counts = {}
    for name in names:
        (row,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")  # type: ignore[misc]
        counts[name] = int(row["n"].value)
    return counts


def _every_graph_count(store: ox.Store) -> tuple[dict[str, int], int]:
    """Triples in every named graph, in one pass, and in the default graph."""
    every = {row["g"].value: int(row["n"].value)  # type: ignore[index]
             for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    return every, sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _derive_oxigraph(store: ox.Store) -> None:
    """Recompute the derived graph of an Oxigraph store from its other graphs (see :mod:`coopgraph.derive`)."""
    sources = sorted(URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    derivation.on_oxigraph(store, ox.NamedNode(str(DERIVED_GRAPH)), sources=sources)


# ------------------------------------------------------------------------------------ remote endpoint


@dataclass(frozen=True)
class _Layout:
    query: str
    update: str | None
    gsp: str | None
    union: str  # "oxigraph", "server", or the IRI of the union graph
    name: str


def _layout(url: str) -> _Layout:
    """Where a server keeps its update and graph store endpoints, from the query URL's shape."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if path in ("", "/query"):
        return _Layout(at("/query"), at("/update"), at("/store"), "oxigraph", "Oxigraph server")
    graphdb = re.fullmatch(r"(.*/repositories/[^/]+)", path)
    if graphdb:
        base = graphdb.group(1)
        return _Layout(url, at(base + "/statements"), at(base + "/rdf-graphs/service"), "server", "GraphDB")
    fuseki = re.fullmatch(r"(/[^/]+)/(sparql|query)", path)
    if fuseki:
        base = fuseki.group(1)
        return _Layout(url, at(base + "/update"), at(base + "/data"), "urn:x-arq:UnionGraph", "Fuseki")
    if path == "/sparql":
        return _Layout(url, url, at("/sparql-graph-crud"), "server", "Virtuoso")
    return _Layout(url, url, None, "server", "SPARQL endpoint")


_SHORT_IRI = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint: Query and Update protocols; Graph Store Protocol for dumps.

    Parameters
    ----------
    url : the query URL, or the base URL of an Oxigraph server
    update_url, gsp_url : where updates and graph store requests go, when not where the layout puts them
    union : see :func:`open_store`
    timeout : seconds to wait for an answer
    """

    kind = "remote"

    def __init__(self, url: str, *, update_url: str | None = None, gsp_url: str | None = None,
                 union: str | None = None, timeout: float = 600.0) -> None:
        super().__init__(url)
        layout = _layout(url)
        self.query_url = layout.query
        self.update_url = update_url or layout.update
        self.gsp_url = gsp_url or layout.gsp
        self.union = union or layout.union
        self.server = layout.name
        self.timeout = timeout

    # -- HTTP
    def _request(self, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
                 method: str | None = None, what: str = "query") -> tuple[str, bytes]:
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the user's URL)
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            message = body.splitlines()[0] if body else exc.reason
            if "limited to" in message:
                raise StoreError(
                    f"{self.server} at {url} refused the {what}: {message} — a load is one request, to be all or "
                    "nothing: load the sources in parts, or bulk-load a dump with the server's own tools"
                ) from None
            if exc.code == 400 and what in ("query", "update"):
                raise StoreSyntaxError(f"{self.server} at {url} refused the {what}: {message}") from None
            raise StoreError(f"{self.server} at {url} answered {exc.code} to the {what}: {message}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(
                f"cannot reach the SPARQL endpoint {url}: {reason} — is the server running, and is the URL right?"
            ) from None

    def _post(self, url: str, text: str, *, what: str, params: list[tuple[str, str]],
              accept: str | None = None) -> tuple[str, bytes]:
        """POST a query or update directly (its text the body, the protocol's parameters in the URL).

        Not form-encoded: percent-encoding makes a large INSERT DATA half as long again, and
        Oxigraph's server takes at most 128 MB in one request.
        """
        if params:
            url += ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode(params)
        headers = {"Content-Type": f"application/sparql-{what}; charset=utf-8"}
        if accept:
            headers["Accept"] = accept
        return self._request(url, data=text.encode("utf-8"), headers=headers, what=what)

    def _select(self, text: str) -> Result:
        """A SELECT over the store's named graphs as they are (no union default graph)."""
        _, body = self._post(self.query_url, text, what="query", params=[], accept="application/sparql-results+json")
        return self._json_result(body)

    # -- reading
    def query(self, sparql: str) -> Result:
        params = []
        if self.union == "oxigraph":
            params.append(("union-default-graph", ""))
        elif self.union != "server":
            params.append(("default-graph-uri", self.union))
        content_type, body = self._post(
            self.query_url, sparql, what="query", params=params,
            accept="application/sparql-results+json, application/n-triples;q=0.9",
        )
        media = content_type.split(";")[0].strip().lower()
        if media in ("application/sparql-results+json", "application/json"):
            return self._json_result(body)
        try:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            convert = oxterms.Terms()
            triples = [(convert(t.subject), convert(t.predicate), convert(t.object))
                       for t in ox.parse(body, format=fmt)]
        except SyntaxError as exc:
            raise self._cut_short(exc) from None
        return _graph_result(triples)

    def _cut_short(self, exc: Exception) -> StoreError:
        return StoreError(
            f"{self.server} at {self.query_url} sent an answer that does not parse ({exc}) — a server-side "
            "timeout (such as oxigraph serve --timeout-s) ends an answer early without an error"
        )

    def _json_result(self, body: bytes) -> Result:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise self._cut_short(exc) from None
        if "boolean" in data:
            return _ask_result(bool(data["boolean"]))
        seen: dict[tuple, Node] = {}

        def term(value: dict) -> Node:
            key = (value["type"], value["value"], value.get("xml:lang"), value.get("datatype"))
            found = seen.get(key)
            if found is None:
                kind = value["type"]
                if kind == "uri":
                    found = URIRef(value["value"])
                elif kind == "bnode":
                    found = BNode(value["value"])
                elif value.get("xml:lang"):
                    found = Literal(value["value"], lang=value["xml:lang"])
                elif value.get("datatype") and value["datatype"] != _XSD_STRING:
                    found = Literal(value["value"], datatype=URIRef(value["datatype"]))
                else:
                    found = Literal(value["value"])
                seen[key] = found
            return found

        names = data["head"].get("vars", [])
        rows = [{name: term(v) for name, v in binding.items()} for binding in data["results"]["bindings"]]
        return _select_result(names, rows)

    def graphs(self) -> list[URIRef]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row[0] for row in rows if isinstance(row[0], URIRef))  # type: ignore[index]

    def _count_query(self, pattern: str) -> int:
        (row,) = list(self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"))
        return int(row[0])  # type: ignore[index]

    def __len__(self) -> int:
        return self._count_query("GRAPH ?g { ?s ?p ?o }")

    def _count(self, graph: URIRef) -> int:
        return self._count_query(f"GRAPH <{graph}> {{ ?s ?p ?o }}")

    def nquads(self) -> bytes:
        if self.gsp_url is None:
            raise StoreError(f"{self.spec}: no Graph Store Protocol URL — give one with --gsp-url")
        if self.union == "oxigraph":  # Oxigraph serves the whole dataset from GET /store
            _, body = self._request(self.gsp_url, headers={"Accept": "application/n-quads"}, what="graph store request")
            return body
        out = io.BytesIO()
        for graph in self.graphs():
            url = self.gsp_url + ("&" if "?" in self.gsp_url else "?") + urllib.parse.urlencode({"graph": str(graph)})
            _, body = self._request(url, headers={"Accept": "application/n-triples"}, what="graph store request")
            for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                out.write(f"{triple} <{graph}> .\n".encode())
        return out.getvalue()

    # -- writing
    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request (one transaction on Oxigraph, Fuseki and GraphDB)."""
        if self.update_url is None:
            raise StoreError(f"{self.spec}: no update URL — give one with --update-url")
        params = []
        if self.union == "oxigraph":
            params.append(("using-union-graph", ""))
        elif self.union != "server":
            params.append(("using-graph-uri", self.union))
        self._post(self.update_url, sparql, what="update", params=params)

    def _apply(self, graphs, files, *, derive):
        incoming: dict[str, list[str]] = {}
        for name, triples in graphs.items():
            incoming[str(name)] = [f"{_compact(s)} {_compact(p)} {_compact(o)} ." for s, p, o in triples]
        for path in files:  # parse everything first: a bad file changes nothing
            for quad in _read_quads(path):
                incoming.setdefault(quad.graph_name.value, []).append(  # type: ignore[attr-defined]
                    f"{_compact_ox(quad.subject)} {_compact_ox(quad.predicate)} {_compact_ox(quad.object)} ."  # type: ignore[attr-defined]
                )
        prefixes = dict(_COMPACT_PREFIXES)
        parts = []
        for name in sorted(incoming):
            parts.append(f"DROP SILENT GRAPH <{name}> ;\n")
        body = "\n".join(f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}" for name, lines in sorted(incoming.items()))
        if body:
            parts.append(f"INSERT DATA {{\n{body}\n}} ;\n")
        if derive:
            parts.append(f"DROP SILENT GRAPH <{DERIVED_GRAPH}> ;\n")
            for rule in (rule for stage in derivation.stages() for rule in stage):  # a request's operations run in order
                parts.append(_as_insert(rule.text, DERIVED_GRAPH, prefixes) + " ;\n")
            sources = sorted({*map(URIRef, incoming), *self.graphs()} - {DERIVED_GRAPH})
            provenance = derivation.provenance(sources)
            if provenance:
                lines = "\n".join(f"{_nt(s)} {_nt(p)} {_nt(o)} ." for s, p, o in provenance)
                parts.append(f"INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{\n{lines}\n}} }}\n")
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
        self.update(prologue + "".join(parts).rstrip().removesuffix(";"))
        if derive:
            self._number()
        return {name: self._count(URIRef(name)) for name in sorted(incoming)}

    def _number(self) -> None:
        """The order numbers of the derivation, computed here from the store's answers: a second request.

        SPARQL Update cannot number rows, so the numbers follow the update that wrote the rest. Should
        this request fail, the data and the rest of the derived graph are in place, and the paged
        listings are empty until a load succeeds again.
        """
        found = derivation.numbers(self.query)  # over the union of the graphs, as the rules see them
        if not found:
            return
        lines = "\n".join(f"{_compact_iri(s)} {_compact_iri(p)} {n} ." for s, p, n in found)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in _COMPACT_PREFIXES)
        try:
            self.update(f"{prologue}INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{\n{lines}\n}} }}")
        except StoreError as exc:
            raise StoreError(f"{exc} — the data is loaded, but not the order numbers of the listings: "
                             "load again to write them") from None


#: Prefixes that shorten the text of INSERT DATA (the request body of a large load).
_COMPACT_PREFIXES = [("cgid", ids.ID_BASE), *sorted(PREFIXES.items())]


def _compact_iri(iri: str) -> str:
    for prefix, namespace in _COMPACT_PREFIXES:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if _SHORT_IRI.fullmatch(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def _compact(term: Node) -> str:
    return _compact_iri(str(term)) if isinstance(term, URIRef) else _nt(term)


def _compact_ox(term: object) -> str:
    return _compact_iri(term.value) if isinstance(term, ox.NamedNode) else str(term)  # type: ignore[attr-defined]
