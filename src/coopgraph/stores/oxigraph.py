"""The Oxigraph store: a persistent pyoxigraph store in a folder, changed all or nothing."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.query import Result

from coopgraph import bulkload, oxterms
from coopgraph import derive as derivation
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH
from coopgraph.errors import StoreError
from coopgraph.stores.base import Store, StoreSyntaxError
from coopgraph.stores.folderlock import FolderLock
from coopgraph.stores.rdffiles import BULK_SUFFIXES, file_graph, graph_names, parse_error
from coopgraph.stores.results import ox_result

__all__ = ["OxigraphStore"]


class OxigraphStore(Store):
    """A persistent Oxigraph store in a folder (created when missing).

    A load is made in a sibling folder ``.DIR.staging`` (a checkpoint of the store, hard links, then
    the change, then the derived graph), which then replaces ``DIR``; ``.DIR.old`` exists only
    during that swap, and a store found without ``DIR`` but with ``.DIR.old`` is put back on open.
    A large N-Quads or N-Triples file is loaded in parts, side by side (:mod:`coopgraph.bulkload`,
    the parts in ``.DIR.parts`` while it lasts).

    The folder's lock (:mod:`coopgraph.stores.folderlock`) is taken first, before anything is
    recovered or opened, and held until :meth:`close`; ``locked=False`` is for a server's workers,
    whose server holds it for them.
    """

    kind = "oxigraph"

    def __init__(self, location: str | Path, *, read_only: bool = False, locked: bool = True) -> None:
        self.location = Path(location)
        super().__init__(f"oxigraph:{self.location}")
        self.read_only = read_only
        self._staging = self.location.parent / f".{self.location.name}.staging"
        self._old = self.location.parent / f".{self.location.name}.old"
        self._parts = self.location.parent / f".{self.location.name}.parts"  # a large file cut for parallel loading
        self._lock = FolderLock(self.location, shared=read_only) if locked else None
        try:
            if read_only:  # beside the process that holds the store (a server's workers): nothing to recover or create
                self._store: ox.Store | None = self._open_read_only(self.location)
                return
            self._recover()  # only now that no other process uses the folder
            self._store = self._open(self.location)
        except BaseException:
            self._unlock()
            raise

    def _unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _open_read_only(self, path: Path) -> ox.Store:
        if not path.is_dir():
            raise StoreError(f"oxigraph:{path}: no such store — load data into it first (coopgraph load data "
                             f"--store oxigraph:{path})")
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"oxigraph:{path}: cannot open the Oxigraph store for reading: {exc}") from None

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
        return ox_result(answer)

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
        if self.read_only:
            raise StoreError(f"{self.spec}: opened for reading only — load with oxigraph:DIR")
        for path in files:
            if not path.is_file():
                raise StoreError(f"{path}: no such file — check the path")
        empty = next(iter(self.store), None) is None
        replaced = {str(g) for g in graphs}
        if files and not empty:
            replaced |= graph_names(files)  # reads the files once: a syntax error stops here
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
                to_graph = None if fmt.supports_datasets else ox.NamedNode(str(file_graph(path)))
                try:
                    bulkload.bulk_load(staging, path, fmt, to_graph=to_graph, parts_dir=self._parts)
                except SyntaxError as exc:
                    raise parse_error(path, exc) from None
                if fmt.supports_datasets:  # triples in a dataset file's default graph go to the file's graph
                    stray = list(staging.quads_for_pattern(None, None, None, ox.DefaultGraph()))
                    if stray:
                        staging.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(file_graph(path))))
                                            for q in stray)
                        staging.clear_graph(ox.DefaultGraph())
                    if empty:
                        replaced |= {g.value for g in staging.named_graphs() if isinstance(g, ox.NamedNode)}
                else:
                    replaced.add(str(file_graph(path)))
            if derive:
                _derive_oxigraph(staging)
            names = sorted(replaced - {str(DERIVED_GRAPH), str(INDEX_GRAPH)} if derive else replaced)
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
        if self._store is not None and not self.read_only:
            self._store.flush()
        self._store = None
        gc.collect()
        self._unlock()


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
    """Recompute the derived and index graphs of an Oxigraph store from its other graphs (see :mod:`coopgraph.derive`)."""
    sources = sorted(URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    derivation.on_oxigraph(store, ox.NamedNode(str(DERIVED_GRAPH)), sources=sources,
                           index=ox.NamedNode(str(INDEX_GRAPH)))
