"""Where the graph lives: in memory (rdflib), on disk (Oxigraph), or behind a SPARQL 1.1 endpoint.

Every stage after the build receives a :class:`Store`; :func:`open_store` is the one way to get
one, from a spec (``--store SPEC``, or the environment variable ``COOPGRAPH_STORE``):

``memory``
    an rdflib :class:`~rdflib.Dataset` in this process, built from the sources (``sources=``) when
    first read; nothing to start, nothing kept.
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

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopgraph.stores.spec import STORE_ENV, Spec, parse_spec, store_spec

if TYPE_CHECKING:
    from coopgraph.stores.base import LoadReport, Store, StoreSyntaxError
    from coopgraph.stores.memory import MemoryStore
    from coopgraph.stores.oxigraph import OxigraphStore
    from coopgraph.stores.rdffiles import BULK_SUFFIXES
    from coopgraph.stores.remote import Endpoint, EndpointError, RemoteStore

__all__ = [
    "STORE_ENV",
    "BULK_SUFFIXES",
    "Store",
    "MemoryStore",
    "OxigraphStore",
    "RemoteStore",
    "Endpoint",
    "EndpointError",
    "LoadReport",
    "StoreSyntaxError",
    "Spec",
    "open_store",
    "parse_spec",
    "store_spec",
]


#: Where each name lives: imported when first asked for, so that reading a spec (the command line's
#: start) does not import rdflib and pyoxigraph.
_LAZY = {
    "Store": "base", "LoadReport": "base", "StoreSyntaxError": "base", "MemoryStore": "memory",
    "OxigraphStore": "oxigraph", "RemoteStore": "remote", "Endpoint": "remote", "EndpointError": "remote",
    "BULK_SUFFIXES": "rdffiles",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"coopgraph.stores.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'coopgraph.stores' has no attribute {name!r}")


def open_store(
    spec: str | Spec | None = None,
    *,
    sources: Iterable[str | Path] | None = None,
    root: str | Path | None = None,
    read_only: bool = False,
    locked: bool = True,
    update_url: str | None = None,
    gsp_url: str | None = None,
    union: str | None = None,
) -> Store:
    """Open the store a spec names: ``memory``, ``oxigraph:DIR`` or ``http(s)://...``.

    Parameters
    ----------
    spec : the store; default ``$COOPGRAPH_STORE``, else ``memory``
    sources : for ``memory``, the source files or folders it is built from (rules included), when it is
        first read; without them the memory store starts empty
    root : for ``memory`` with ``sources``, the folder file names in the provenance are relative to
    read_only : for ``oxigraph:DIR``, open it for reading only, beside a process that holds it (a
        server's workers); the folder must hold a store already
    locked : for ``oxigraph:DIR``, hold the folder's lock while open (see
        :mod:`coopgraph.stores.folderlock`); False only for a server's workers, whose server holds it
    update_url, gsp_url : for an endpoint, its SPARQL Update and Graph Store Protocol URLs when they
        are not where the query URL's layout puts them
    union : for an endpoint, how a query reaches the union of the named graphs (see :class:`Endpoint`)

    Returns
    -------
    Store

    Raises
    ------
    StoreError
        for a spec of no known kind, or a store that cannot be opened
    SourceError
        (when a memory store is first read) for a source that cannot be read

    Examples
    --------
    >>> with open_store("memory") as store:
    ...     store.graphs()
    []
    >>> store = open_store("memory", sources=["data"])
    >>> len(store.graphs())
    5
    """
    from coopgraph.stores.memory import MemoryStore
    from coopgraph.stores.oxigraph import OxigraphStore
    from coopgraph.stores.remote import RemoteStore

    read = parse_spec(spec)
    if read.kind == "memory":
        if sources is None:
            return MemoryStore()
        paths = list(sources)

        def build():  # the one door from the stores to the builder: a memory store is built from sources
            from coopgraph.build import build_dataset

            return build_dataset(paths, root=root)

        return MemoryStore(sources=build)
    if read.kind == "oxigraph":
        return OxigraphStore(read.folder, read_only=read_only, locked=locked)
    return RemoteStore(read.location, update_url=update_url, gsp_url=gsp_url, union=union)
