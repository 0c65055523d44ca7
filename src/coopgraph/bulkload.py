"""Bulk-load a large N-Quads or N-Triples file into Oxigraph on every core.

pyoxigraph's ``Store.bulk_load`` parses a file on one thread, and parsing is what takes the
time (Oxigraph's own bulk loader says as much: "data parsing is in most of the case slower than
ingestion"). It releases the GIL, so a line-based file cut at line boundaries into one part per
core, each part bulk-loaded from a thread of its own into the same store, loads in about
1/cores of the time (measured at 1M triples on 2 cores: 9.0 s → 4.7 s; ``benchmarks/bench_store.py``).

What stays as one load:

- Turtle and TriG (a statement may span lines; prefixes are declared once);
- a file with a blank node (``_:`` anywhere in it, even inside a literal): Oxigraph gives each
  load its own blank nodes, so ``_:b1`` in two parts would become two nodes;
- a small file (below :data:`SPLIT_FROM` bytes), where threads would cost more than they save.

The parts are written beside the store (``PARTS/part-N.nq``) and removed afterwards. A syntax error
in a part is reported as the whole file would report it: the file is parsed once more, alone,
to find the error with its real line number.
"""

from __future__ import annotations

import itertools
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

#: Files smaller than this are loaded in one piece.
SPLIT_FROM = 32 * 1024 * 1024
_LINE_BASED = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
_BLOCK = 8 * 1024 * 1024


def bulk_load(store: ox.Store, path: Path, fmt: ox.RdfFormat, *, to_graph: ox.NamedNode | None,
              parts_dir: Path, workers: int | None = None, split_from: int = SPLIT_FROM) -> None:
    """Load ``path`` into ``store`` (not atomic: the caller loads into a store of its own).

    Raises
    ------
    SyntaxError
        as ``Store.bulk_load`` raises it for the whole file (line numbers of the file)
    """
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2 or fmt not in _LINE_BASED or path.stat().st_size < split_from:
        store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
        return
    parts = _cut(path, parts_dir, workers)
    try:
        if parts is None:  # a blank node: one load keeps it one node
            store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
            return
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            failures = [f.exception() for f in [pool.submit(store.bulk_load, path=str(part), format=fmt, to_graph=to_graph)
                                                for part in parts]]
        if any(isinstance(failure, SyntaxError) for failure in failures):
            _first_syntax_error(path, fmt)
        for failure in failures:
            if failure is not None:
                raise failure
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)


def _cut(path: Path, parts_dir: Path, workers: int) -> list[Path] | None:
    """Write ``path`` as ``workers`` files cut at line ends; ``None`` (and nothing left) for a file with ``_:``."""
    size = path.stat().st_size
    parts_dir.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    last = b""
    with path.open("rb") as source:
        for index in range(workers):
            part = parts_dir / f"part-{index}{path.suffix.lower()}"
            final = index == workers - 1
            goal = size if final else size * (index + 1) // workers
            blank = False
            with part.open("wb") as out:
                while (wanted := goal - source.tell()) > 0 or final:
                    chunk = source.read(_BLOCK if final else min(_BLOCK, wanted))
                    if not final and source.tell() >= goal:
                        chunk += source.readline()  # end the part at the end of a line
                    blank = _blank(last, chunk)
                    if not chunk or blank:
                        break
                    out.write(chunk)
                    last = chunk
            if blank:
                shutil.rmtree(parts_dir, ignore_errors=True)
                return None
            parts.append(part)
    return [part for part in parts if part.stat().st_size]


def _blank(before: bytes, chunk: bytes) -> bool:
    """Whether ``chunk`` (read after ``before``) holds ``_:``, also across the boundary."""
    return b"_:" in chunk or (before[-1:] == b"_" and chunk[:1] == b":")


def _first_syntax_error(path: Path, fmt: ox.RdfFormat) -> None:
    """Raise the SyntaxError that parsing the whole file gives (with the file's line numbers)."""
    for _ in ox.parse(path=str(path), format=fmt):
        pass


def bulk_load_bytes(store: ox.Store, data: bytes, *, to_graph: ox.NamedNode, workers: int | None = None) -> None:
    """Load N-Triples held in memory (what coopgraph itself wrote, such as the rules' answers) into
    ``to_graph``, cut at line ends into one part per core like a file; one load when it has ``_:``.

    Cut from a smaller size than a file (no part files to write): from 8 MiB, which at 1M triples
    is the order numbers and summaries (about 10 MB) as well as the rules' links (about 40 MB)."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2 or len(data) < _BLOCK or b"_:" in data:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=to_graph)
        return
    cuts = [0]
    for index in range(1, workers):
        end = data.find(b"\n", max(len(data) * index // workers, cuts[-1]))
        cuts.append(len(data) if end < 0 else end + 1)
    cuts.append(len(data))
    parts = [data[a:b] for a, b in itertools.pairwise(cuts) if b > a]
    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        for done in [pool.submit(store.bulk_load, part, format=ox.RdfFormat.N_TRIPLES, to_graph=to_graph) for part in parts]:
            done.result()
