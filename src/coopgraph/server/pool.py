"""A pool of query worker processes that can be stopped mid-query.

Oxigraph evaluates a query in Rust without checking for interruption, so a query that runs past the
time limit cannot be cancelled from Python: its worker process is ended (SIGKILL) and a fresh one is
started in the background. The other workers keep answering meanwhile, so one slow query never stops
the rest. Updates (only with ``--allow-update``) need the store alone: the readers are stopped, one
writer runs the update, and the readers start again on the new state.

Each worker's memory is capped (``--worker-memory-mb``, :func:`coopgraph.server.engine.limit_memory`):
a query that needs more ends its worker, the client gets 503 saying so, and a fresh worker starts.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coopgraph.server import engine
from coopgraph.server.cache import AnswerCache
from coopgraph.server.engine import Job, Reply, Source

__all__ = ["WorkerPool", "PoolError", "default_worker_memory_mb", "machine_memory_mb"]

#: How long a worker may take to start (open the store) before the pool gives up.
START_TIMEOUT = 120.0
#: The least memory a worker is given by default, in MB.
MIN_WORKER_MB = 1024


def machine_memory_mb() -> int:
    """The memory this process may use, in MB: the machine's, or its control group's when lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path, encoding="ascii") as limit:
                text = limit.read().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total // (1024 * 1024)


def default_worker_memory_mb(workers: int) -> int:
    """Half of the machine's memory shared among ``workers``, at least :data:`MIN_WORKER_MB`.

    The other half is left to the server (the answers it holds and keeps), the store's files in the
    page cache, and the rest of the machine.
    """
    return max(MIN_WORKER_MB, machine_memory_mb() // 2 // max(1, workers))


class PoolError(Exception):
    """A worker could not be started (the message says why)."""


def _context() -> Any:
    # forkserver forks workers from a small clean process: faster than spawn, and safe although the
    # server itself runs threads (plain fork is not).
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["coopgraph.server.engine"])
    return context


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any

    def stop(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


class WorkerPool:
    """``size`` worker processes answering from ``spec`` (see :func:`coopgraph.server.engine.open_source`).

    Parameters
    ----------
    spec : the store each reader opens
    size : how many queries run at once
    write_spec : the store a writer opens for an update (None: updates are not possible)
    cache : complete answers kept (None: none)
    memory_mb : the memory cap of each worker (None: none)
    """

    def __init__(self, spec: Source, *, size: int, write_spec: Source | None = None,
                 cache: AnswerCache | None = None, memory_mb: int | None = None) -> None:
        if size < 1:
            raise ValueError(f"a pool needs at least one worker, not {size}")
        self.spec = spec
        self.size = size
        self.write_spec = write_spec
        self.cache = cache
        self.memory_mb = memory_mb
        self._context = _context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._gate = threading.Condition()  # readers in flight; an update waits for none
        self._running = 0
        self._writing = False
        self._closed = False
        self.restarts = 0

    # ---------------------------------------------------------------------------- life cycle

    def start(self) -> None:
        """Start every worker and wait until each has opened the store.

        Raises
        ------
        PoolError
            when a worker cannot open the store (the message is the worker's)
        """
        workers = [self._launch(self.spec) for _ in range(self.size)]
        try:
            for worker in workers:
                self._await_ready(worker)
        except PoolError:
            for worker in workers:
                worker.stop()
            raise
        for worker in workers:
            self._add(worker)

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.stop()

    def _launch(self, spec: Source) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=engine.worker_main, args=(child, spec, self.memory_mb), daemon=True,
                                        name=f"coopgraph-worker-{spec.kind}")
        process.start()
        child.close()
        return _Worker(process, parent)

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(START_TIMEOUT):
            worker.stop()
            raise PoolError(f"a query worker did not open the store within {START_TIMEOUT:.0f} s")
        try:
            status, message = worker.conn.recv()
        except (EOFError, OSError):
            why = " (out of memory: raise --worker-memory-mb)" if self._out_of_memory(worker) else ""
            worker.stop()
            raise PoolError(f"a query worker stopped while opening the store{why}") from None
        if status != "ready":
            worker.stop()
            raise PoolError(f"a query worker cannot open the store: {message}")

    def _add(self, worker: _Worker) -> None:
        with self._lock:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()

    def _replace(self, worker: _Worker) -> None:
        """End a worker and start another in the background."""
        self._discard(worker)
        self.restarts += 1

        def restart() -> None:
            replacement = self._launch(self.spec)
            try:
                self._await_ready(replacement)
            except PoolError as exc:  # the store went away: later requests will say so
                print(f"coopgraph serve: {exc}", file=sys.stderr)
                return
            self._add(replacement)

        if not self._closed:
            threading.Thread(target=restart, name="coopgraph-worker-restart", daemon=True).start()

    # ---------------------------------------------------------------------------- running

    def run(self, job: Job, *, timeout: float) -> Reply:
        """Answer ``job`` in a worker within ``timeout`` seconds (waiting for a free worker included).

        With a cache, a query or the network page asked before is answered from it.
        """
        if self.cache is not None and job.kind in ("query", "named", "page"):
            return self.cache.answer(job, lambda: self._run_gated(job, timeout))
        return self._run_gated(job, timeout)

    def _run_gated(self, job: Job, timeout: float) -> Reply:
        deadline = time.monotonic() + timeout
        with self._gate:
            while self._writing:
                if not self._gate.wait(max(0.0, deadline - time.monotonic())):
                    return _busy(timeout, "an update is running")
            self._running += 1
        try:
            return self._run(job, deadline, timeout)
        finally:
            with self._gate:
                self._running -= 1
                self._gate.notify_all()

    def _run(self, job: Job, deadline: float, timeout: float) -> Reply:
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return _busy(timeout, f"all {self.size} query workers stayed busy")
        return self._ask(worker, job, deadline, timeout, release=self._idle.put)

    def _ask(self, worker: _Worker, job: Job, deadline: float, timeout: float,
             *, release: Callable[[_Worker], None] | None) -> Reply:
        try:
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                if release:
                    self._replace(worker)
                else:
                    worker.stop()
                what = "update" if job.kind == "update" else "query"
                return Reply.message(
                    503,
                    f"the {what} was stopped after {timeout:g} s (the server's --timeout) — narrow it: start "
                    "from a bound node, cap path lengths, add LIMIT",
                    **{"Retry-After": "1"},
                )
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            out_of_memory = self._out_of_memory(worker)
            if release:
                self._replace(worker)
            else:
                worker.stop()
            what = "update" if job.kind == "update" else "query"
            if out_of_memory:
                cap = f" (the server's --worker-memory-mb, {self.memory_mb} MB)" if self.memory_mb else ""
                print(f"coopgraph serve: a query worker ran out of memory{cap}; a fresh one is starting",
                      file=sys.stderr, flush=True)
                return Reply.message(503, f"the {what} ran out of memory: it needs more than a query worker may use"
                                          f"{cap} — narrow it (LIMIT, shorter values, fewer joins)")
            return Reply.message(503, f"the query worker stopped while answering (exit status "
                                      f"{worker.process.exitcode}) — a fresh one is starting; try again")
        if release:
            release(worker)
        return reply

    def _out_of_memory(self, worker: _Worker) -> bool:
        """Whether a worker that stopped answering ended for want of memory: Python's MemoryError (its
        own exit status), a failed allocation in Oxigraph (SIGABRT), or the kernel's OOM killer (SIGKILL,
        which this pool only sends to workers it has given up on)."""
        worker.process.join(5)
        return worker.process.exitcode in (engine.OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL)

    def exclusive(self, job: Job, *, timeout: float) -> Reply:
        """Run an update alone: wait for running queries, stop the readers, write, restart the readers."""
        if self.write_spec is None:
            return Reply.message(403, "this store cannot be written")
        deadline = time.monotonic() + timeout
        with self._gate:
            while self._writing or self._running:
                if not self._gate.wait(max(0.0, deadline - time.monotonic())):
                    return _busy(timeout, "queries or another update kept running")
            self._writing = True
        try:
            readers = []
            while len(readers) < self.size:  # every reader is idle now, or being restarted
                try:
                    readers.append(self._idle.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    for reader in readers:
                        self._idle.put(reader)
                    return _busy(timeout, "the query workers did not become free")
            for reader in readers:
                self._discard(reader)
            writer = self._launch(self.write_spec)
            try:
                self._await_ready(writer)
                reply = self._ask(writer, job, deadline, timeout, release=None)
            except PoolError as exc:
                reply = Reply.message(503, str(exc))
            finally:
                try:
                    writer.conn.send(None)
                    writer.process.join(10)
                except OSError:
                    pass
                writer.stop()
            self.start()
            return reply
        finally:
            if self.cache is not None:
                self.cache.clear()  # the store may have changed
            with self._gate:
                self._writing = False
                self._gate.notify_all()


def _busy(timeout: float, why: str) -> Reply:
    return Reply.message(503, f"no answer within {timeout:g} s (the server's --timeout): {why} — try again later",
                         **{"Retry-After": "1"})
