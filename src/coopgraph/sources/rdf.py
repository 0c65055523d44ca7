"""Read any RDF file as it is: its triples become one source's named graph."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph

from coopgraph.errors import SourceError
from coopgraph.sources import guard
from coopgraph.sources.yamlld import ReadSource

__all__ = ["read_rdf"]

#: suffix → rdflib parser. N-Triples is read by the Turtle parser (N-Triples is a subset of Turtle):
#: rdflib's own N-Triples parser rescans its buffer for every 2 KiB it reads, so one long line costs
#: time in its square (a 2 MiB line: half a minute; the Turtle parser: under a second).
_FORMATS = {".ttl": "turtle", ".nt": "turtle", ".jsonld": "json-ld", ".rdf": "xml"}


def read_rdf(path: str | Path, *, max_bytes: int | None = None) -> ReadSource:
    """Parse an RDF file that is not trusted; a syntax error keeps the parser's line.

    The graph's id is the file's stem (``partners-2024.ttl`` → ``partners-2024``). Nothing outside
    the file is fetched, and what could make the parser run away is refused first (see
    :mod:`coopgraph.sources.guard`).

    Parameters
    ----------
    path : a ``.ttl``, ``.nt``, ``.jsonld`` or ``.rdf`` (RDF/XML) file
    max_bytes : the largest file read (default: :func:`~coopgraph.sources.guard.max_rdf_bytes`, 16 MiB)

    Raises
    ------
    SourceError
        for a file that is too large, holds control characters, nests too deep, names a remote
        JSON-LD context or an XML entity that could expand without bound, or does not parse
    """
    path = Path(path)
    limit = guard.max_rdf_bytes() if max_bytes is None else max_bytes
    text = guard.read_rdf_text(path, max_bytes=limit)
    if not text.strip():
        raise SourceError(path, 1, "the file is empty — remove it or add triples")
    kind = _FORMATS[path.suffix.lower()]
    data: str | dict = text
    if kind == "json-ld":
        document = guard.json_ld_document(path, text)
        if isinstance(document, dict):
            data = document  # parsed once; rdflib takes a dict as it is
    elif kind == "xml":
        guard.check_xml_entities(path, text, max_bytes=limit)
    graph = Graph()
    try:
        graph.parse(data=data, format=kind, publicID=path.resolve().as_uri())
    except RecursionError:
        raise SourceError(
            path, None, "nests deeper than the parser can follow (blank nodes or lists inside each other) — flatten them"
        ) from None
    except Exception as exc:  # rdflib raises many types; all mean "this file does not parse"
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise SourceError(path, line, f"does not parse as RDF: {guard.visible(message)} — fix the syntax") from None
    guard.check_blank_node_nesting(path, graph)
    source_id = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "rdf"
    return ReadSource(path=path, source_id=source_id, graph=graph)
