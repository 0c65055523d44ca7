"""RDF files loaded as they are (dumps, ``coopgraph synth``): which, into which graph, parsed by Oxigraph."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from coopgraph import ids
from coopgraph.errors import StoreError

__all__ = ["BULK_SUFFIXES", "bulk_files", "file_graph", "parse_error", "read_quads", "graph_names"]

#: RDF files that :meth:`Store.load_files` reads with Oxigraph's parser, suffix → format.
BULK_SUFFIXES: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
}


def bulk_files(paths: Iterable[str | Path]) -> list[Path]:
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


def file_graph(path: Path) -> URIRef:
    """The graph that the triples of an N-Triples or Turtle file go into."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return ids.graph(re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "rdf")


def parse_error(path: Path, exc: Exception) -> StoreError:
    return StoreError(f"{path}: {exc} — fix the file; the store was not changed")


def read_quads(path: Path) -> Iterator[object]:
    """The quads of a file, those of its default graph moved into the graph named after the file."""
    fmt = BULK_SUFFIXES[path.suffix.lower()]
    default = ox.NamedNode(str(file_graph(path)))
    try:
        for quad in ox.parse(path=path, format=fmt):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, default)
            else:
                yield quad
    except SyntaxError as exc:
        raise parse_error(path, exc) from None


def graph_names(files: Sequence[Path]) -> set[str]:
    """The graphs the files fill (reading them through once)."""
    names: set[str] = set()
    for path in files:
        if BULK_SUFFIXES[path.suffix.lower()] in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            for _ in read_quads(path):  # a syntax error is found before anything is touched
                pass
            names.add(str(file_graph(path)))
            continue
        for quad in read_quads(path):
            names.add(quad.graph_name.value)  # type: ignore[attr-defined]
    return names


# ------------------------------------------------------------------------------------ memory
