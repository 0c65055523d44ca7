"""Answers kept for a store that does not change while it is served.

A served Oxigraph store is opened read-only, and the memory store is built once when the server
starts: the same request gets the same answer until an update (``--allow-update``) changes the store,
which empties the cache. So a whole-graph listing that takes Oxigraph a second or two at a million
triples is computed once, not once per client. A remote endpoint may change under the server: its
answers are never kept.

- Only complete answers (HTTP 200) are kept; a refusal, a time-out or an error is asked again.
- Requests for the same answer while it is being computed wait for that one computation
  (single flight), instead of each taking a worker.
- The cache holds at most ``max_bytes`` of answer bodies; the least recently used go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from coopgraph.server.engine import Job, Reply

__all__ = ["AnswerCache", "job_key"]


def job_key(job: Job) -> Hashable:
    """Everything of a job that its answer depends on."""
    return (job.kind, job.text, job.accept, job.formats, job.default_graphs, job.named_graphs, job.max_results,
            job.max_bytes, tuple(sorted(job.prefixes.items())), job.params, job.text_only)


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: Reply | None = None


class AnswerCache:
    """Complete answers by request, up to ``max_bytes`` of bodies (least recently used dropped first)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[Hashable, Reply] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self._size = 0
        self._generation = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def answer(self, job: Job, compute: Callable[[], Reply]) -> Reply:
        """The kept answer to ``job``, or the one ``compute`` gives (kept when it is complete)."""
        key = job_key(job)
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return _marked(kept, "hit")
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
                generation = self._generation
            self.misses += 1
        assert flight is not None
        if not leader:
            flight.done.wait()
            if flight.reply is not None:
                return _marked(flight.reply, "shared")
            return compute()  # the first computation failed: this request asks for itself
        reply = None
        try:
            reply = compute()
            return _marked(reply, "miss")
        finally:
            complete = reply is not None and reply.status == 200
            with self._lock:
                del self._flights[key]
                if complete and generation == self._generation and len(reply.body) <= self.max_bytes:
                    self._keep(key, reply)
            flight.reply = reply if complete else None
            flight.done.set()

    def clear(self) -> None:
        """Forget every answer (the store has changed); answers being computed are not kept."""
        with self._lock:
            self._answers.clear()
            self._size = 0
            self._generation += 1

    def _keep(self, key: Hashable, reply: Reply) -> None:
        self._answers[key] = reply
        self._size += len(reply.body)
        while self._size > self.max_bytes and self._answers:
            _, dropped = self._answers.popitem(last=False)
            self._size -= len(dropped.body)


def _marked(reply: Reply, how: str) -> Reply:
    """The reply with an ``X-Coopgraph-Cache`` header saying where it came from (the kept one untouched)."""
    return Reply(reply.status, reply.body, reply.content_type, {**reply.headers, "X-Coopgraph-Cache": how})
