"""Hostile queries against `coopgraph serve`: peak memory of its query workers, and what the client gets.

    python benchmarks/bench_worker_memory.py                          # workers capped at 2048 MB
    python benchmarks/bench_worker_memory.py --worker-memory-mb 2048 --doublings 20 24 27
    python benchmarks/bench_worker_memory.py --worker-memory-mb server  # the server's own default cap

The server runs in a process of its own (``coopgraph serve`` on the shipped data, 127.0.0.1 only).
The probes of issue 16:

- ``memory 2^k``: a 16-character string doubled k times by chained ``BIND(CONCAT(...))``, answered as
  its length (one small number): the string and its halves take ~2 x 16 x 2^k bytes in the worker
  (k = 29 reached 8.2 GB before the cap);
- ``answer 256 MB``: the same string for k = 24, answered whole: one row of 256 MB (a 335 MB one-row
  answer was served before ``--max-answer-mb``);
- ``cell 20 MB (json)``: a 20 MB value asked as JSON (a 500 with a traceback before).

Each probe is sent once; meanwhile every process under the server is sampled (``VmRSS`` from /proc)
every 10 ms, and the table shows the most resident memory a worker held during the probe, the status
and the first line of the answer. Bounded: k at most 28, ``--timeout`` per probe. Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from serving import free_port, start_serve, stop_serve  # benchmarks/serving.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
MAX_DOUBLINGS = 28


def doubled(times: int, *, select: str = "?v", tail: str = "") -> str:
    binds = ['BIND("0123456789abcdef" AS ?v0)']
    binds += [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(times)]
    last = tail.replace("LAST", f"?v{times}") if tail else f"?v{times}"
    return f"SELECT {select} WHERE {{ {' '.join(binds)} BIND({last} AS ?v) }}"


def start(port: int, extra: list[str], log) -> subprocess.Popen:
    return start_serve(port, ["--data", str(ROOT / "data"), *extra], log=log)


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (the workers are children of multiprocessing's fork server)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        todo += children
    return found


def resident_kb(pid: int) -> int:
    """The process's resident memory now (VmRSS), in kB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Samples the resident memory of every process under the server until stopped."""

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.stop = threading.Event()
        self.peak = 0

    def run(self) -> None:
        pids = descendants(self.server_pid)
        last_scan = time.monotonic()
        while not self.stop.wait(0.01):
            if time.monotonic() - last_scan > 0.5:  # a fresh worker replaced one
                pids = descendants(self.server_pid)
                last_scan = time.monotonic()
            for pid in pids:
                self.peak = max(self.peak, resident_kb(pid))

    def peak_mb(self) -> float:
        """The most resident memory a process under the server (a worker) held while sampled."""
        return self.peak / 1024


def probe(port: int, server_pid: int, query: str, fmt: str, timeout: float) -> tuple[int, float, float, str]:
    sampler = Sampler(server_pid)
    sampler.start()
    time.sleep(0.1)
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query, "format": fmt}))
        response = connection.getresponse()
        status, body = response.status, response.read()
        connection.close()
    except OSError as exc:
        status, body = 0, f"no answer: {exc}".encode()
    took = time.perf_counter() - started
    time.sleep(0.1)
    sampler.stop.set()
    sampler.join()
    if status == 200 and len(body) > 200:
        shown = f"<{len(body) / 2**20:.1f} MB of {fmt}>"
    else:
        text = body.decode("utf-8", "replace").strip()
        lines = text.splitlines()
        shown = (lines[0] if lines else "") + (f"  [+{len(lines) - 1} more lines]" if len(lines) > 1 else "")
    return status, took, sampler.peak_mb(), shown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker-memory-mb", default="2048", metavar="MB",
                        help="the server's --worker-memory-mb (default: 2048; 'server': do not pass it)")
    parser.add_argument("--doublings", type=int, nargs="+", default=[20, 24, 26, 27], metavar="K",
                        help=f"sizes of the memory probe, 16 x 2^K characters (default: 20 24 26 27; K at most {MAX_DOUBLINGS})")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each answer (default: 120)")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="another argument for coopgraph serve (repeatable)")
    args = parser.parse_args()
    if any(not 0 <= k <= MAX_DOUBLINGS for k in args.doublings):
        parser.error(f"--doublings takes 0 to {MAX_DOUBLINGS}")
    extra = list(args.server_arg)
    if args.worker_memory_mb != "server":
        extra += ["--worker-memory-mb", args.worker_memory_mb]

    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = start(port, extra, log)
        try:
            print(f"coopgraph serve on {HOST}:{port} {' '.join(extra) or '(its defaults)'}; CPUs {os.cpu_count()}")
            print(f"{'probe':<22} {'status':>6} {'seconds':>8} {'peak worker RSS MB':>19}  answer")
            probes = [(f"memory 2^{k} ({16 << k >> 20} MB)", doubled(k, select="(STRLEN(?v) AS ?n)"), "json")
                      for k in args.doublings]
            probes += [("answer 256 MB", doubled(24), "tsv"),
                       ("cell 20 MB (json)", doubled(20, tail="CONCAT(LAST, SUBSTR(LAST, 1, 4194304))"), "json")]
            for name, query, fmt in probes:
                status, took, peak, shown = probe(port, process.pid, query, fmt, args.timeout)
                print(f"{name:<22} {status:>6} {took:>8.1f} {peak:>19.0f}  {shown[:150]}", flush=True)
                time.sleep(1.0)  # a replaced worker starts again
        finally:
            stop_serve(process)
        log.seek(0)
        logged = [line.rstrip() for line in log if line.strip()]
    if logged:
        print("\nthe server's log:")
        for line in logged[-12:]:
            print(f"  {line[:200]}")


if __name__ == "__main__":
    main()
