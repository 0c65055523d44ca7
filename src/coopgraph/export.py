"""Dumps of the dataset: the union as Turtle, the named graphs as TriG — deterministic bytes.

Every file is written to a temporary file beside it and renamed into place only when all of them
are written, so a failed command leaves every output as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset

from coopgraph.build import bind_prefixes, union

__all__ = ["turtle", "trig", "write_files", "atomic_files"]


def turtle(dataset: Dataset) -> bytes:
    """The union of every graph as Turtle (the same bytes for the same triples)."""
    return union(dataset).serialize(format="turtle", encoding="utf-8")


def trig(dataset: Dataset) -> bytes:
    """Each named graph in TriG, in the order of the graphs' IRIs, empty graphs left out.

    rdflib writes a dataset's graphs in an order that can change from run to run, so each graph is
    written on its own and the pieces are joined under one prefix header.
    """
    graphs = sorted((g for g in dataset.graphs() if len(g)), key=lambda g: str(g.identifier))
    header: list[bytes] = []
    bodies: list[bytes] = []
    for graph in graphs:
        single = bind_prefixes(Dataset())
        named = single.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
        lines = single.serialize(format="trig", encoding="utf-8").split(b"\n")
        cut = 0
        while cut < len(lines) and (lines[cut].startswith(b"@prefix") or not lines[cut].strip()):
            if lines[cut].startswith(b"@prefix") and lines[cut] not in header:
                header.append(lines[cut])
            cut += 1
        bodies.append(b"\n".join(lines[cut:]).rstrip(b"\n") + b"\n")
    return b"\n".join(sorted(header)) + b"\n\n" + b"\n".join(bodies)


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
