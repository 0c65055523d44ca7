"""Slow clients against `coopgraph serve`: legitimate requests answered while N slow sockets are open.

    python benchmarks/bench_slowloris.py                          # N = 0, 64, 256, 1024; 15 s each
    python benchmarks/bench_slowloris.py --slow 0 64 --seconds 10
    python benchmarks/bench_slowloris.py --server-arg=--max-idle --server-arg=64

The server runs in a process of its own (``coopgraph serve`` on the shipped data, with its own
defaults unless ``--server-arg`` says otherwise), on 127.0.0.1 only. For each N, one thread holds N
slow sockets (slowloris): half send a request line and then one header byte every ``--interval``
seconds, never finishing the headers; the other half send nothing at all. A socket the server closes
is opened again at the next tick, as an attacker would. Meanwhile ``--clients`` threads send
legitimate requests for the query library (``/queries/NAME``), each on a new connection, as fresh
clients do. The table says how many were sent, answered (200), refused (503) or failed (no answer
within ``--request-timeout``, or the connection refused or reset), their latency, and how many slow
sockets the server closed. Bounded in count (``--slow`` at most 4000) and in time (``--seconds`` per
N); it stops by itself. Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import threading
import time
from pathlib import Path

from serving import free_port, start_serve, stop_serve  # benchmarks/serving.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
MAX_SLOW = 4000


def start(port: int, extra: list[str]) -> subprocess.Popen:
    return start_serve(port, ["--data", str(ROOT / "data"), *extra])


def library_paths(port: int) -> list[str]:
    """The library's queries, with a parameter value from the shipped data where one is required."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", "/queries", headers={"Accept": "application/json"})
    listing = json.loads(connection.getresponse().read())["queries"]
    connection.close()
    values = {"institution": "lstu", "entity": "lstu", "name": "Lipetsk"}
    paths = []
    for query in listing:
        required = [p["name"] for p in query["params"] if p["required"]]
        if all(name in values for name in required):
            paths.append(query["url"] + ("?" + "&".join(f"{n}={values[n]}" for n in required) if required else ""))
    return paths


class Slowloris(threading.Thread):
    """Holds ``count`` slow sockets open until ``stop`` is set; counts those the server closed."""

    def __init__(self, port: int, count: int, interval: float, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.count = count
        self.interval = interval
        self.stop = stop
        self.closed_by_server = 0
        self.open_failures = 0
        self.sockets: list[socket.socket | None] = [None] * count
        self.ready = threading.Event()

    def _open(self, index: int) -> None:
        try:
            conn = socket.create_connection((HOST, self.port), timeout=2)
            conn.setblocking(False)
            if index % 2:  # a dribbler: the request line, then headers a byte at a time
                conn.send(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets[index] = conn
        except OSError:
            self.open_failures += 1
            self.sockets[index] = None

    def _closed(self, conn: socket.socket) -> bool:
        try:
            return conn.recv(4096, socket.MSG_PEEK) is not None  # data (a 408) or b"" (closed): the server is done
        except BlockingIOError:
            return False
        except OSError:
            return True

    def run(self) -> None:
        for index in range(self.count):
            self._open(index)
        self.ready.set()
        while not self.stop.wait(self.interval):
            for index, conn in enumerate(self.sockets):
                if self.stop.is_set():
                    break
                if conn is None:
                    self._open(index)
                    continue
                closed = self._closed(conn)
                if not closed and index % 2:
                    try:
                        conn.send(b"X")
                    except OSError:
                        closed = True
                if closed:
                    self.closed_by_server += 1
                    conn.close()
                    self._open(index)
        for conn in self.sockets:
            if conn is not None:
                conn.close()


def legitimate(port: int, paths: list[str], until: float, timeout: float, seed: int) -> list[tuple[int, float]]:
    """Requests on fresh connections until ``until``: (status, seconds) each; status 0 for no answer."""
    rng = random.Random(seed)
    results = []
    while time.monotonic() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            response.read()
            status = response.status
            connection.close()
        except OSError:
            status = 0
        took = time.perf_counter() - started
        results.append((status, took))
        if status != 200:
            time.sleep(0.05)  # a refused client waits a little before trying again
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slow", type=int, nargs="+", default=[0, 64, 256, 1024], metavar="N",
                        help=f"slow sockets to hold open, one run each (default: 0 64 256 1024; at most {MAX_SLOW})")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each run lasts (default: 15)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a slow socket's bytes (default: 1)")
    parser.add_argument("--clients", type=int, default=4, help="threads sending legitimate requests (default: 4)")
    parser.add_argument("--request-timeout", type=float, default=10.0,
                        help="seconds a legitimate client waits for an answer (default: 10)")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="an argument for coopgraph serve (repeatable), e.g. --server-arg=--max-idle --server-arg=64")
    args = parser.parse_args()
    if any(n < 0 or n > MAX_SLOW for n in args.slow):
        parser.error(f"--slow takes 0 to {MAX_SLOW} sockets")
    args.seconds = min(args.seconds, 120.0)

    port = free_port()
    process = start(port, args.server_arg)
    try:
        paths = library_paths(port)
        print(f"coopgraph serve on {HOST}:{port} {' '.join(args.server_arg) or '(its defaults)'}; "
              f"{len(paths)} library queries; {args.clients} clients; {args.seconds:g} s per run; "
              f"a slow socket acts every {args.interval:g} s; CPUs {os.cpu_count()}")
        print(f"{'slow sockets':>12} {'sent':>6} {'answered':>9} {'503':>6} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'slow closed by server':>22}")
        for count in args.slow:
            stop = threading.Event()
            attacker = Slowloris(port, count, args.interval, stop)
            attacker.start()
            attacker.ready.wait(60)
            time.sleep(min(2.0, args.interval * 2))  # the slow sockets settle in
            until = time.monotonic() + args.seconds
            outcomes: list[list[tuple[int, float]]] = [[] for _ in range(args.clients)]

            def client(i: int, until: float = until, outcomes: list = outcomes) -> None:
                outcomes[i].extend(legitimate(port, paths, until, args.request_timeout, seed=i))

            clients = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            stop.set()
            attacker.join(30)
            results = [r for rs in outcomes for r in rs]
            answered = [t for s, t in results if s == 200]
            refused = sum(1 for s, _ in results if s == 503)
            failed = sum(1 for s, _ in results if s not in (200, 503))
            p50 = f"{percentile(answered, 50) * 1000:.1f}" if answered else "-"
            p99 = f"{percentile(answered, 99) * 1000:.1f}" if answered else "-"
            print(f"{count:>12} {len(results):>6} {len(answered):>9} {refused:>6} {failed:>7} {p50:>8} {p99:>8} "
                  f"{attacker.closed_by_server:>22}", flush=True)
            time.sleep(1.0)  # the server lets the last slow sockets go
    finally:
        stop_serve(process)


if __name__ == "__main__":
    main()
