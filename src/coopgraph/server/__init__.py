"""``coopgraph serve``: a SPARQL 1.1 endpoint over the graph, with the query library and the pages.

Read-only and bounded by default: updates, ``LOAD`` and ``SERVICE`` are refused, each query is stopped
at a time limit and each worker at a memory cap, answers are capped in rows and bytes, request bodies
are limited, a request must arrive within seconds, and an update is only taken from this server's own
names and pages. Python's ``http.server`` answers HTTP; queries run in worker processes on Oxigraph
(see :mod:`coopgraph.server.pool`). The limits and their defaults: ``docs/serve-limits.md``.

Stores:

- ``memory`` (the default): the sources under ``data`` are built (rules included, as
  ``coopgraph query`` builds them) and bulk-loaded into an Oxigraph store in a temporary folder, which
  every worker opens read-only; it is removed when the server stops;
- ``oxigraph:DIR``: an Oxigraph store on disk, opened read-only by every worker (no other process
  may write it meanwhile);
- ``http://…`` or ``https://…``: another SPARQL 1.1 endpoint. The server is then a thin proxy that
  keeps this server's rules (read-only, time and size limits, no SERVICE, the named queries and the
  pages) in front of it; a client that needs none of that can talk to the other endpoint directly.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError, StoreError
from coopgraph.server.cache import AnswerCache
from coopgraph.server.engine import Source
from coopgraph.server.pool import PoolError, WorkerPool, default_worker_memory_mb
from coopgraph.server.web import EndpointServer, Settings
from coopgraph.stores import MemoryStore, OxigraphStore, RemoteStore, Store, open_store, parse_spec
from coopgraph.stores.folderlock import FolderLock

__all__ = ["Server", "Settings", "StoreSpec", "prepare_store", "start_server", "serve"]


@dataclass
class StoreSpec:
    """Where the workers read (and, for an update, write), what it holds, and what to remove or let go after.

    ``lock`` is the shared lock on an Oxigraph folder this server serves: while it is held, a
    ``coopgraph load`` into the folder is refused (see :mod:`coopgraph.stores.folderlock`).
    """

    read: Source
    write: Source | None
    description: str
    temporary: Path | None = None
    lock: FolderLock | None = None

    def cleanup(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None


def _load_memory(store: MemoryStore, data: Sequence[str | Path]) -> StoreSpec:
    """Copy a memory store (built from the sources, as ``coopgraph query`` builds them) into an Oxigraph
    folder the workers share."""
    graphs = [g for g in store.dataset().graphs() if len(g)]
    triples = sum(len(g) for g in graphs)
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-serve-"))
    try:
        copy = ox.Store(str(folder))
        copy.bulk_load(store.nquads(), format=ox.RdfFormat.N_QUADS)
        copy.flush()
        del copy  # pyoxigraph closes a store with its last reference: the workers open it read-only
        gc.collect()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    names = ", ".join(str(p) for p in data)
    spec = f"oxigraph:{folder}"
    return StoreSpec(Source(spec), Source(spec, write=True),
                     f"{triples} triples in {len(graphs)} named graphs, built from {names}", folder)


def prepare_store(store: str | Store | None = None, *, data: Sequence[str | Path] = ("data",),
                  update_url: str | None = None) -> StoreSpec:
    """Make a store ready for the workers: a :class:`~coopgraph.stores.Store`, or a spec that
    :func:`coopgraph.stores.open_store` reads.

    ``memory`` builds the sources under ``data`` (a memory store given is copied as it is);
    ``oxigraph:DIR`` must hold a store already (``coopgraph load``); an ``http(s)://`` endpoint is asked
    where :mod:`coopgraph.stores` would ask it (its updates at ``update_url`` when given).

    Raises
    ------
    StoreError
        for a store of no known kind, a missing Oxigraph folder, or one another process holds
    SourceError
        for a source that cannot be read (``memory``)
    """
    if not isinstance(store, Store):
        read = parse_spec(store)
        if read.kind == "oxigraph":
            return _shared_oxigraph(read.folder)
        store = open_store(read, sources=data, update_url=update_url)
    if isinstance(store, MemoryStore):
        return _load_memory(store, data)
    if isinstance(store, RemoteStore):
        remote = Source(store.spec, update_url=store.update_url, union=store.union)
        return StoreSpec(remote, remote, f"the {store.server} at {store.query_url} (proxied)")
    if isinstance(store, OxigraphStore):
        store.close()  # the workers open it: this process must not hold it
        return _shared_oxigraph(store.location)
    raise StoreError(f"{store.spec}: coopgraph serve cannot serve this store")


def _shared_oxigraph(folder: Path) -> StoreSpec:
    """An Oxigraph folder that holds a store, for the workers to open."""
    spec = f"oxigraph:{folder}"
    if not folder.is_dir():
        raise StoreError(f"{spec}: no such store — load data into it first (coopgraph load data --store {spec}), "
                         "or serve the sources themselves (--store memory --data PATH)")
    with open_store(spec) as opened:  # puts back a store a cut-short load left aside; checks the lock
        description = f"{len(opened)} triples in {len(opened.graphs())} named graphs in {folder}"
    gc.collect()
    return StoreSpec(Source(spec), Source(spec, write=True), description, lock=FolderLock(folder, shared=True))


@dataclass
class Server:
    """A running endpoint. ``url`` is its home page; ``close()`` stops it and its workers."""

    url: str
    httpd: EndpointServer
    pool: WorkerPool
    store: StoreSpec
    thread: threading.Thread | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint's URL."""
        return self.url + "sparql"

    def serve_forever(self) -> None:
        """Answer requests in this thread until interrupted (Ctrl-C) or closed."""
        self.httpd.serve_forever(poll_interval=0.2)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.thread is not None:  # serve_forever runs in another thread: ask it to stop
            self.httpd.shutdown()
        self.httpd.server_close()
        self.pool.close()
        self.store.cleanup()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_server(
    *,
    store: str | Store | None = None,
    data: Sequence[str | Path] = ("data",),
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 30.0,
    max_results: int = 100_000,
    max_body: int = 1_000_000,
    workers: int | None = None,
    allow_update: bool = False,
    update_url: str | None = None,
    max_connections: int = 64,
    cache_mb: float = 256,
    max_answer_mb: float = 128,
    worker_memory_mb: int | None = None,
    header_timeout: float = 5.0,
    idle_timeout: float = 5.0,
    max_idle: int = 256,
    allow_hosts: Sequence[str] = (),
    log: TextIO | None = None,
    background: bool = True,
) -> Server:
    """Start the endpoint; with ``background`` it answers in a thread of its own.

    Parameters
    ----------
    store : an open store, or ``memory`` (build the sources under ``data``), ``oxigraph:DIR`` or an
        ``http(s)://`` endpoint; default ``$COOPGRAPH_STORE``, else ``memory``
    data : source files or folders, for ``memory``
    host, port : where to listen (port 0: any free port; see ``Server.url``)
    timeout : seconds a query may run before it is stopped (503)
    max_results : the most rows (or triples) an answer may hold (413 beyond)
    max_body : the largest request body accepted, in bytes (413 beyond)
    workers : queries that run at once (default: the number of CPUs, at least 2)
    allow_update : accept SPARQL Update (POST update=...)
    update_url : for an endpoint, where its updates go when not where its layout puts them
    max_connections : requests answered at once (503 beyond)
    cache_mb : megabytes of complete answers kept, for a store that only the server changes
        (:mod:`coopgraph.server.cache`; 0: none; never for a remote endpoint)
    max_answer_mb : the largest answer, in megabytes (413 beyond)
    worker_memory_mb : the memory each query worker may use, in megabytes (503 beyond, and the worker
        is replaced); default: half the machine's memory shared among the workers, at least 1024; 0: no cap
    header_timeout : seconds a request's line and headers may take to arrive (408 beyond); a body gets
        a second more per 64 kB
    idle_timeout : seconds a kept-alive connection may wait for its next request
    max_idle : connections waiting for a request at once; a new one beyond closes the longest-waiting
    allow_hosts : names of this server besides localhost, its address and IP addresses: an update sent
        to any other ``Host`` is refused (DNS rebinding)
    log : where to write one line per request (None: nowhere)

    Returns
    -------
    Server

    Raises
    ------
    StoreError
        for a store that cannot be opened
    CoopgraphError
        when the address is taken

    Examples
    --------
    >>> with start_server(port=0) as server:  # doctest: +SKIP
    ...     print(server.endpoint)
    http://127.0.0.1:41234/sparql
    """
    for name, value in (("timeout", timeout), ("max_results", max_results), ("max_body", max_body),
                        ("max_answer_mb", max_answer_mb), ("header_timeout", header_timeout),
                        ("idle_timeout", idle_timeout), ("max_idle", max_idle), ("max_connections", max_connections)):
        if value <= 0:
            raise ValueError(f"{name} must be more than 0, not {value}")
    if worker_memory_mb is not None and worker_memory_mb < 0:
        raise ValueError(f"worker_memory_mb must be 0 (no cap) or more, not {worker_memory_mb}")
    size = workers or max(2, os.cpu_count() or 2)
    memory_mb = default_worker_memory_mb(size) if worker_memory_mb is None else worker_memory_mb or None
    spec = prepare_store(store, data=data, update_url=update_url)
    cache = AnswerCache(int(cache_mb * 1024 * 1024)) if cache_mb > 0 and not spec.read.remote else None
    pool = WorkerPool(spec.read, size=size, write_spec=spec.write if allow_update else None, cache=cache,
                      memory_mb=memory_mb)
    try:
        pool.start()
    except PoolError as exc:
        spec.cleanup()
        raise StoreError(f"{spec.read.spec}: {exc}") from None
    settings = Settings(timeout=timeout, max_results=max_results, max_body=max_body, allow_update=allow_update,
                        max_connections=max_connections, description=spec.description, max_answer_mb=max_answer_mb,
                        header_timeout=header_timeout, idle_timeout=idle_timeout, max_idle=max_idle,
                        allow_hosts=tuple(allow_hosts))
    try:
        httpd = EndpointServer((host, port), pool, settings, log=log)
    except BaseException as exc:
        pool.close()
        spec.cleanup()
        if isinstance(exc, OSError):
            raise CoopgraphError(f"cannot listen on {host}:{port}: {exc.strerror or exc} — choose another --port "
                                 "(or stop what uses it)") from None
        raise
    bound_host, bound_port = httpd.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    server = Server(url=f"http://{shown}:{bound_port}/", httpd=httpd, pool=pool, store=spec)
    if background:
        server.thread = threading.Thread(target=server.serve_forever, name="coopgraph-serve", daemon=True)
        server.thread.start()
    return server


def serve(*, out: TextIO = sys.stdout, **options: object) -> None:
    """Run the endpoint until Ctrl-C; print where it listens first (options as :func:`start_server`)."""
    server = start_server(background=False, **options)  # type: ignore[arg-type]
    settings = server.httpd.settings
    print(f"coopgraph: serving {settings.description}", file=out)
    print(f"  query editor      {server.url}", file=out)
    print(f"  SPARQL endpoint   {server.endpoint}", file=out)
    print(f"  named queries     {server.url}queries", file=out)
    print(f"  network           {server.url}graph", file=out)
    mode = "read-write (--allow-update)" if settings.allow_update else "read-only"
    memory = f"{server.pool.memory_mb} MB each" if server.pool.memory_mb else "no memory cap"
    print(f"  {mode}; queries stop after {settings.timeout:g} s; answers hold at most {settings.max_results} rows"
          f" and {settings.max_answer_mb:g} MB; {server.pool.size} workers ({memory}). Ctrl-C stops.", file=out, flush=True)
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (kill, systemd, timeout) stops the server as Ctrl-C does

    previous = signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()  # the workers, and the temporary store of --store memory
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
