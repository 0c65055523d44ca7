"""The main job, end to end: sources → store → validation → output files, and its summary.

Every command that reads the graph gets a :class:`~coopgraph.stores.Store` (see
:func:`coopgraph.stores.open_store`); the functions here put the stages together for the commands
that build, check, load or export.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS

from coopgraph import export, ids, network, progress, publish, render, timeline
from coopgraph.build import Build, build_dataset
from coopgraph.dataset import published, union
from coopgraph.errors import CoopgraphError, SourceError, ValidationError
from coopgraph.namespaces import PREFIXES
from coopgraph.sources import READERS
from coopgraph.stores import LoadReport, MemoryStore, Store, open_store
from coopgraph.validate import Problem, validate

__all__ = ["Summary", "check", "build", "load", "valid", "dump", "OUTPUTS", "outputs"]

#: The files the main job writes, in the order they are rendered.
OUTPUTS = (
    "coop.ttl", "coop.trig", "coop.jsonld", "void.ttl", "index.trig", "graph.html", "timeline.png", "timeline.svg",
    "report.html",
)


def outputs(store: Store) -> dict[str, Callable[[], bytes]]:
    """Each output file of the main job, name → function returning its bytes.

    What several files need (the data graphs, their VoID description, the institution network) is
    computed once. The dumps of named graphs (TriG, JSON-LD) carry the description as the graph
    :data:`coopgraph.publish.DESCRIPTION_GRAPH`; the Turtle union holds the data only, described by
    ``void.ttl`` beside it. No dump holds the index graph (:data:`coopgraph.dataset.INDEX_GRAPH`): it is
    ``index.trig``, apart, for whoever runs the library's ``.rq`` files on their own store (load it beside
    ``coop.trig``: the paged listings page by its numbers).
    """
    graphs = [g for g in store.dataset().graphs() if len(g) and published(g.identifier)]  # the index graph left out
    index = [g for g in store.dataset().graphs() if len(g) and not published(g.identifier)]

    @functools.cache
    def description() -> Graph:
        return publish.describe(store)

    @functools.cache
    def institutions() -> str:
        return render.html_document(network.institution_network(store), title="coopgraph: institution network")

    files: dict[str, Callable[[], bytes]] = {
        "coop.ttl": lambda: export.turtle(graphs),
        "coop.trig": lambda: export.trig([*graphs, description()]),
        "coop.jsonld": lambda: export.jsonld([*graphs, description()]),
        "void.ttl": lambda: publish.void_turtle(store, description=description()),
        "index.trig": lambda: export.trig(index),
        "graph.html": lambda: institutions().encode("utf-8"),
        "timeline.png": lambda: timeline.render(store, format="png"),
        "timeline.svg": lambda: timeline.render(store, format="svg"),
        "report.html": lambda: publish.report_html(store, description=description()).encode("utf-8"),
    }
    assert tuple(files) == OUTPUTS
    return files


#: Sources the summary lists one by one; past that it counts the rest.
SOURCES_LISTED = 20


@dataclass
class Summary:
    """What a build holds: triples, entities per class, sources, problems, warnings, files written."""

    triples: int
    classes: dict[str, int]
    sources: list[tuple[str, str, int]]  # (graph id, title or file, triples)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # suspicious, not wrong: printed, the build goes on
    written: list[Path] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    index: int = 0  # triples of the index graph (the library's caches, in no dump)

    def lines(self) -> list[str]:
        """The summary as the lines ``coopgraph build`` prints."""
        out = [f"{self.triples} triples in {len(self.sources)} named graphs"
               + (f" (and an index of {self.index} for the query library, in no dump)" if self.index else "")]
        out.append("sources:")
        shown = self.sources if len(self.sources) <= SOURCES_LISTED else self.sources[: SOURCES_LISTED - 1]
        out += [f"  {graph:<32} {count:>5} triples  {title}" for graph, title, count in shown]
        if len(shown) < len(self.sources):
            rest = self.sources[len(shown):]
            out.append(f"  … and {len(rest)} more sources, {sum(c for _, _, c in rest)} triples "
                       "(out/void.ttl and out/report.html list every one)")
        out.append("entities per class:")
        out += [f"  {name:<28} {count:>5}" for name, count in self.classes.items()]
        verdict = "valid (SHACL shapes and references)" if not self.problems else f"{len(self.problems)} problems"
        if self.warnings:
            verdict += f", {len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}"
        out.append(f"validation: {verdict}")
        out += [f"wrote {path}" for path in self.written]
        out += self.stored
        return out


def _summarise(build: Build, problems: list[Problem]) -> Summary:
    coop = PREFIXES["coop"]
    classes: Counter[str] = Counter()
    triples = index = 0
    sources = []
    for graph in sorted(build.dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph):
            continue
        if not published(graph.identifier):  # the index: the query library's caches, in no dump
            index = len(graph)
            continue
        triples += len(graph)
        for _, cls in graph.subject_objects(RDF.type):
            if str(cls).startswith(coop):
                classes["coop:" + str(cls)[len(coop):]] += 1
            elif str(cls) in (PREFIXES["foaf"] + "Person", PREFIXES["org"] + "Membership", PREFIXES["skos"] + "Concept"):
                prefix = next(p for p, ns in PREFIXES.items() if str(cls).startswith(ns))
                classes[f"{prefix}:{str(cls).rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"] += 1
        local = str(graph.identifier)[len(ids.GRAPH_BASE):]
        titles = sorted(graph.objects(ids.entity(local), DCTERMS.title), key=lambda t: (t.language != "en", str(t)))
        title = str(titles[0]) if titles else _file_of(graph.identifier, build)
        sources.append((local, title, len(graph)))
    return Summary(triples=triples, classes=dict(sorted(classes.items())), sources=sources, problems=problems,
                   index=index)


def _file_of(graph_iri: URIRef, build: Build) -> str:
    for read in build.sources:
        if ids.graph(read.source_id) == graph_iri:
            return read.path.name
    return "derived by queries/rules"


def valid(store: Store) -> Build | None:
    """The build of a memory store made from sources, once it validates; None for any other store.

    Warnings (what the shapes find suspicious, not wrong) do not stop it; :func:`check` and
    :func:`build` report them.

    Raises
    ------
    SourceError
        for a source that cannot be read
    ValidationError
        when the data does not conform (every problem as ``path:line: message``)
    """
    built = store.build if isinstance(store, MemoryStore) else None
    if built is not None:
        _warnings(validate(built))
    return built


def _warnings(problems: list[Problem]) -> list[Problem]:
    """The warnings among ``problems``; raises ValidationError when there is any error (errors first)."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors:
        raise ValidationError([str(p) for p in errors + warnings])
    return warnings


def check(paths: Iterable[str | Path], *, store: Store | None = None) -> Summary:
    """Build and validate the sources under ``paths`` without writing anything.

    With a ``store`` (other than memory), the sources are validated with what it already holds about
    the entities they refer to, as :func:`load` would check them; nothing is loaded.

    Raises
    ------
    SourceError
        for a file that cannot be read
    ValidationError
        when the data does not conform (every problem as ``path:line: message``)
    """
    if store is not None and not isinstance(store, MemoryStore):
        built = build_dataset(paths)
        warnings = _warnings(_problems_in_context(built, store))
    else:
        built = open_store("memory", sources=paths).build
        assert built is not None
        warnings = _warnings(validate(built))
    summary = _summarise(built, [])
    summary.warnings = warnings
    return summary


def build(paths: Iterable[str | Path], *, out: str | Path = "out", store: Store | None = None) -> Summary:
    """The main job: build, validate, then write every output into ``out`` at once.

    Nothing is written unless the data reads and validates; files are replaced atomically. With a
    ``store`` other than memory (``oxigraph:DIR`` or an endpoint), the sources' graphs then replace
    those of the same name in the store, and the store derives its cooperation graph anew.

    Raises
    ------
    SourceError, ValidationError
        as :func:`check`; the output folder is then left as it was
    """
    built_store = open_store("memory", sources=paths)
    built = built_store.build
    assert built is not None
    warnings = _warnings(validate(built))
    summary = _summarise(built, [])
    summary.warnings = warnings
    summary.written = export.write_files(out, progress.each_call(outputs(built_store), "writing outputs"))
    if store is not None and not isinstance(store, MemoryStore):
        report = store.load(built.dataset)
        report.spec = store.spec
        summary.stored = [f"store {report.spec}: " + report.lines()[0]] + report.lines()[-2:]
    return summary


def dump(store: Store, *, format: str = "turtle", with_description: bool = False) -> bytes:
    """What a store holds in one RDF format (``coopgraph export``); a memory store built from sources
    is validated first.

    Raises
    ------
    SourceError, ValidationError
        for sources that cannot be read, or data that does not conform
    CoopgraphError
        for an unknown format
    """
    if format not in export.FORMATS:
        raise CoopgraphError(f"unknown RDF format '{format}' — use one of {', '.join(export.FORMATS)}")
    valid(store)
    return publish.dump(store, format=format, with_description=with_description)


#: Files loaded as they are, never through the authoring readers (they carry their own named graphs).
_DATASET_SUFFIXES = {".nq", ".trig"}
#: Files loaded as they are when validation is off, and validated like any source when it is on.
_TRIPLE_SUFFIXES = {".nt", ".ttl"}


def load(
    paths: Iterable[str | Path],
    *,
    store: Store,
    validate: bool = True,
    root: str | Path | None = None,
) -> LoadReport:
    """Validate sources, then put them into a store: each source's graph replaces the graph of its name.

    The authoring sources (YAML, Turtle, N-Triples, JSON-LD, RDF/XML) are built as ``coopgraph build``
    builds them and validated together with what the store already holds about the entities they
    refer to; N-Quads and TriG files (dumps, ``coopgraph synth --format nq``) are loaded as they are,
    checked for syntax only. Graphs the sources do not name stay as they were; the store then derives
    its cooperation graph anew. Nothing is written unless everything reads and validates, and a
    failure while writing leaves the store as it was.

    Parameters
    ----------
    paths : source files or folders
    store : the store to write (Oxigraph, an endpoint, or memory)
    validate : check shapes and references (off: N-Triples and Turtle are loaded as they are, too)
    root : folder that file names in the provenance are relative to (default: the first folder given,
        as for ``coopgraph build``; give the same root when reloading one source of a folder)

    Returns
    -------
    LoadReport

    Raises
    ------
    SourceError, ValidationError
        before the store is touched
    StoreError
        when the store cannot be written (it then holds what it held before)
    """
    paths = [Path(p) for p in paths]
    if root is None:
        first = paths[0] if paths else Path(".")
        root = first if first.is_dir() else first.parent
    authoring, bulk = [], []
    for path in paths:
        if not path.exists():
            raise SourceError(path, None, "no such file or folder — check the path")
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in found:
            suffix = file.suffix.lower()
            if suffix in _DATASET_SUFFIXES or (not validate and suffix in _TRIPLE_SUFFIXES):
                bulk.append(file)
            elif suffix in READERS or not path.is_dir():
                authoring.append(file)
    built = build_dataset(authoring, root=root, rules=False) if authoring else None

    warnings = _warnings(_problems_in_context(built, store)) if built is not None and validate else []
    report = store.load(built.dataset if built else None, files=bulk)
    report.spec = store.spec
    report.notes.extend(str(w) for w in warnings)
    if built is not None:
        how = "shapes and references, with what the store holds" if validate else "not validated (--no-validate)"
        report.notes.append(f"{len(built.sources)} source files built: {how}")
    if bulk:
        report.notes.append(f"{len(bulk)} RDF files loaded as they are (syntax checked)")
    return report


def _problems_in_context(built: Build, store: Store) -> list[Problem]:
    """Validation problems of ``built``, with the store's statements about the entities it refers to."""
    defined = {s for s in union(built.dataset).subjects(RDF.type, None)}
    referenced = {o for _, _, o, _ in built.dataset.quads((None, None, None, None))
                  if ids.is_entity(o) and o not in defined}
    replaced = [g.identifier for g in built.dataset.graphs() if len(g)]
    context = store.describe(referenced, outside=replaced)  # type: ignore[arg-type]
    if not len(context):
        return validate(built)
    checked = Build(dataset=Dataset(), sources=built.sources, lines=built.lines, root=built.root)
    for quad in built.dataset.quads((None, None, None, None)):
        checked.dataset.add(quad)  # type: ignore[arg-type]
    target = checked.dataset.graph(ids.graph("store-context"))
    for triple in context:
        target.add(triple)
    files = {str(read.path) for read in built.sources}
    return [p for p in validate(checked) if p.path in files]  # not the store's own problems
