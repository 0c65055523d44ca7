"""Readers of source files, one per format, chosen by the file's suffix."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from coopgraph.errors import SourceError
from coopgraph.sources.rdf import read_rdf
from coopgraph.sources.yamlld import ReadSource, read_yaml_ld

__all__ = ["READERS", "ReadSource", "read_source", "source_files"]

#: suffix → reader; each reader returns a :class:`ReadSource` or raises :class:`SourceError`.
READERS: dict[str, Callable[[Path], ReadSource]] = {
    ".yaml": read_yaml_ld,
    ".yml": read_yaml_ld,
    ".ttl": read_rdf,
    ".nt": read_rdf,
    ".jsonld": read_rdf,
    ".rdf": read_rdf,
}


def read_source(path: str | Path) -> ReadSource:
    """Read one source file with the reader its suffix names."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise SourceError(path, None, f"unknown kind of source file '{path.suffix}' — coopgraph reads {known}")
    return reader(path)


def source_files(paths: Iterable[str | Path]) -> list[Path]:
    """The source files named by ``paths``: files as given, folders walked for known suffixes, sorted."""
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in READERS)
        elif path.exists():
            found.append(path)
        else:
            raise SourceError(path, None, "no such file or folder — check the path")
    return found
