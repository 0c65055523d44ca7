"""Sources → dataset: one named graph per source document, and a derived graph from the rules.

This is the one module that adds triples to the dataset; later stages only read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV

from coopgraph import derive as derivation
from coopgraph import ids, progress, resources
from coopgraph.dataset import bind_prefixes
from coopgraph.errors import SourceError
from coopgraph.namespaces import COOP
from coopgraph.resolve import ResolutionError, Resolver
from coopgraph.sources import ReadSource, read_source, source_files

__all__ = ["Build", "build_dataset"]


@dataclass
class Build:
    """A built dataset and where each statement came from.

    Attributes
    ----------
    dataset : one named graph per source, plus :data:`DERIVED_GRAPH`
    sources : what each file said, in the order of their graphs
    lines : (subject, predicate or None) → (file, line) of the statement
    root : the folder file names are given relative to
    """

    dataset: Dataset
    sources: list[ReadSource]
    lines: dict[tuple[URIRef, URIRef | None], tuple[str, int]] = field(default_factory=dict)
    root: Path = Path(".")

    def where(self, subject: URIRef, predicate: URIRef | None = None) -> tuple[str, int | None]:
        """The file and line where ``subject`` (and its ``predicate``) was written."""
        found = self.lines.get((subject, predicate)) or self.lines.get((subject, None))
        if found:
            return found
        return ("(derived)" if subject else "?", None)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def build_dataset(paths: Iterable[str | Path], *, root: str | Path | None = None, rules: bool = True) -> Build:
    """Read every source under ``paths`` into a dataset, one named graph per source document.

    Each graph holds the source's statements, what they entail through the ontology's subclass and
    subproperty axioms (a ``coop:University`` is also a ``schema:CollegeOrUniversity``, a
    ``coop:acronym`` is also a ``skos:altLabel``), a
    ``prov:wasDerivedFrom`` from each entity to the source document, and the graph's own provenance.
    With ``rules``, the CONSTRUCT rules of ``queries/rules/`` then derive the cooperation graph.

    Parameters
    ----------
    paths : files or folders of sources
    root : folder that file names in the provenance are relative to (default: the first folder given)
    rules : whether to run the derivation rules

    Raises
    ------
    SourceError
        for an unreadable file, or an id defined twice
    """
    paths = list(paths)
    files = source_files(paths)
    if root is None:
        first = Path(paths[0]) if paths else Path(".")
        root = first if first.is_dir() else first.parent
    root = Path(root)
    reads = [read_source(f) for f in progress.each(files, "reading sources")]
    _check_unique(reads)
    _resolve_mentions(reads)
    dataset = bind_prefixes(Dataset())
    superclasses = resources.closure(RDFS.subClassOf)
    superproperties = resources.closure(RDFS.subPropertyOf)
    build = Build(dataset=dataset, sources=sorted(reads, key=lambda r: r.source_id), root=root)
    for read in build.sources:
        file_name = _relative(read.path, root)
        for key, line in read.lines.items():
            build.lines.setdefault(key, (str(read.path), line))
        graph = dataset.graph(ids.graph(read.source_id))
        document = ids.entity(read.source_id) if read.defined else URIRef(read.path.resolve().as_uri())
        for subject, predicate, obj in read.graph:
            graph.add((subject, predicate, obj))
            for parent in superproperties.get(predicate, ()):  # type: ignore[arg-type]
                graph.add((subject, parent, obj))
                if (subject, predicate) in read.lines:  # an entailed statement stands where its source does
                    build.lines.setdefault((subject, parent), (str(read.path), read.lines[(subject, predicate)]))
        for subject, cls in list(read.graph.subject_objects(RDF.type)):
            for parent in superclasses.get(cls, ()):  # type: ignore[arg-type]
                graph.add((subject, RDF.type, parent))
            if subject != document and ids.is_entity(subject):
                graph.add((subject, PROV.wasDerivedFrom, document))
        graph.add((graph.identifier, PROV.wasDerivedFrom, document))
        graph.add((graph.identifier, COOP.fileName, Literal(file_name)))
    if rules:
        derive(build)
    return build


def _resolve_mentions(reads: list[ReadSource]) -> None:
    """Replace institutions named in the sources (by name, acronym, ROR or Wikidata URL) by their ids.

    The names are resolved against every institution the sources define; an ambiguous or unknown
    name is a :class:`SourceError` at its line, with the candidates or the closest names.
    """
    if not any(read.mentions for read in reads):
        return
    known = Graph()
    for read in reads:
        for triple in read.graph:
            known.add(triple)
    resolver = Resolver.from_graph(known)
    for read in reads:
        for placeholder, (text, line) in read.mentions.items():
            try:
                target = resolver.resolve_iri(text)
            except ResolutionError as exc:
                message = str(exc) if " — " in str(exc) else f"{exc} — write the institution's id"
                raise SourceError(read.path, line, message) from None
            old = ids.entity(placeholder)
            for s, p, _ in list(read.graph.triples((None, None, old))):
                read.graph.remove((s, p, old))
                read.graph.add((s, p, target))


def _check_unique(reads: list[ReadSource]) -> None:
    seen: dict[str, tuple[Path, int]] = {}
    sources: dict[str, Path] = {}
    for read in reads:
        if read.source_id in sources:
            raise SourceError(
                read.path, None,
                f"source id '{read.source_id}' is also the source of {sources[read.source_id]} — give each source its own id",
            )
        sources[read.source_id] = read.path
        for local, line in read.defined.items():
            if local in seen:
                other, other_line = seen[local]
                raise SourceError(
                    read.path, line,
                    f"duplicate id '{local}' (also defined at {other}:{other_line}) — "
                    "give each entity its own id, or refer to the existing one",
                )
            seen[local] = (read.path, line)


def derive(build: Build) -> None:
    """Run the rules, summaries and orders of ``queries/rules/`` over the sources into the derived graph."""
    derivation.into_dataset(build.dataset)
