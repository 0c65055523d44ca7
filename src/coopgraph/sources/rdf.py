"""Read any RDF file as it is: its triples become one source's named graph."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from coopgraph.errors import SourceError
from coopgraph.sources.text import read_text
from coopgraph.sources.yamlld import ReadSource

__all__ = ["read_rdf"]

_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}


def read_rdf(path: Path) -> ReadSource:
    """Parse an RDF file; a syntax error keeps the parser's line.

    The graph's id is the file's stem (``partners-2024.ttl`` → ``partners-2024``).
    """
    text = read_text(path)
    if not text.strip():
        raise SourceError(path, 1, "the file is empty — remove it or add triples")
    graph = Graph()
    try:
        graph.parse(data=text, format=_FORMATS[path.suffix.lower()], publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types; all mean "this file does not parse"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise SourceError(path, line, f"does not parse as RDF: {message} — fix the syntax") from None
    source_id = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "rdf"
    return ReadSource(path=path, source_id=source_id, graph=graph)
