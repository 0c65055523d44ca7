"""Load `coopgraph serve` with the query library over 127.0.0.1; print throughput and latency.

    python benchmarks/bench_server.py                          # the shipped data (memory store)
    python benchmarks/bench_server.py --synth 1000000          # 1M synthetic triples on Oxigraph
    python benchmarks/bench_server.py --store oxigraph:DIR     # a store loaded already
    python benchmarks/bench_server.py --store oxigraph:DIR --only partners   # one query of the library

The server runs in a process of its own (``coopgraph serve``), as a user would start it. ``--workers``
client threads (default 8) each send ``--requests`` queries (default 500) on one keep-alive connection,
drawn with a fixed seed from the library's named queries (``/queries/NAME?param=value``), with
parameter values taken from the data (each query is first timed alone). Then, while the load runs
again, one client sends a query that runs into the time limit (a four-way cross join): the table says
what it got and how the others fared meanwhile. The server keeps complete answers (its ``--cache-mb``):
the "first" column of the alone table is the uncached cost; ``--cache-mb 0`` loads it with every
request computed. Bounded in count and in time (``--max-seconds``). Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from serving import free_port, start_serve  # benchmarks/serving.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def start(store: str, data: list[str], port: int, *, timeout: float, workers: int | None,
          cache_mb: float | None = None) -> subprocess.Popen:
    options = ["--store", store, "--timeout", str(timeout)]
    if cache_mb is not None:
        options += ["--cache-mb", str(cache_mb)]
    for path in data:
        options += ["--data", path]
    if workers:
        options += ["--workers", str(workers)]
    return start_serve(port, options, wait=600)


def get(connection: http.client.HTTPConnection, path: str, accept: str = "application/sparql-results+json"):
    connection.request("GET", path, headers={"Accept": accept})
    response = connection.getresponse()
    return response.status, response.read()


def sample_values(port: int) -> dict[str, list[str]]:
    """Parameter values that exist in the served data: institution ids, names, visits, places."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    queries = {
        "institution": "SELECT DISTINCT ?v WHERE { ?c a <https://w3id.org/coopgraph/ns#Cooperation> ; "
                       "<https://w3id.org/coopgraph/ns#partner> ?v } LIMIT 200",
        "name": "SELECT ?v WHERE { ?i a <https://w3id.org/coopgraph/ns#Institution> ; "
                "<http://www.w3.org/2004/02/skos/core#prefLabel> ?v } LIMIT 200",
        "visit": "SELECT ?v WHERE { ?v a <https://w3id.org/coopgraph/ns#Visit> } LIMIT 200",
        "place": "SELECT ?v WHERE { ?v a <https://w3id.org/coopgraph/ns#Country> } LIMIT 50",
    }
    values = {}
    for name, text in queries.items():
        status, body = get(connection, "/sparql?" + urllib.parse.urlencode({"query": text}))
        rows = json.loads(body)["results"]["bindings"] if status == 200 else []
        values[name] = [row["v"]["value"] for row in rows] or ["lstu"]
    connection.close()
    return values


def plan(values: dict[str, list[str]], count: int, rng: random.Random, *,
         only: set[str] | None = None) -> list[tuple[str, str]]:
    """``count`` requests (name, path) drawn from the library (or ``only`` these queries), with parameters."""
    status, body = get(http.client.HTTPConnection("127.0.0.1", PORT, timeout=60), "/queries", "application/json")
    library = [q for q in json.loads(body)["queries"] if only is None or q["name"] in only]
    out = []
    for _ in range(count):
        query = rng.choice(library)
        params = {}
        for param in query["params"]:
            if not param["required"] and rng.random() < 0.5:
                continue
            if param["name"] in ("institution", "entity"):
                params[param["name"]] = rng.choice(values["institution"])
            elif param["name"] == "name":
                words = rng.choice(values["name"]).split()
                params["name"] = rng.choice(words) if words else "University"
            elif param["name"] == "visit":
                params["visit"] = rng.choice(values["visit"])
            elif param["name"] == "place":
                params["place"] = rng.choice(values["place"])
            elif param["type"] == "gYear":
                params[param["name"]] = str(rng.randint(2000, 2024) if param["name"] != "to" else 2100)
            elif param["name"] == "kind":
                params["kind"] = rng.choice(["visit", "agreement", "programme", "mobility"])
        path = query["url"] + ("?" + urllib.parse.urlencode(params) if params else "")
        out.append((query["name"], path))
    return out


def load(requests: list[list[tuple[str, str]]], *, max_seconds: float):
    """Send each list on its own connection, all at once; (name, status, seconds) per request, wall time.

    No request is sent after ``max_seconds``; those under way are waited for (status 0: no answer).
    """
    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop = time.monotonic() + max_seconds

    def client(todo: list[tuple[str, str]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=SOCKET_TIMEOUT)
        mine = []
        for name, path in todo:
            if time.monotonic() > stop:
                break
            started = time.perf_counter()
            try:
                status, _ = get(connection, path)
            except OSError:
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=SOCKET_TIMEOUT)
            mine.append((name, status, time.perf_counter() - started))
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(todo,)) for todo in requests]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(title: str, results: list[tuple[str, int, float]], wall: float, *, per_query: bool) -> None:
    times = [t for _, status, t in results if status == 200]
    errors = [status for _, status, _ in results if status != 200]
    print(f"\n{title}")
    print(f"  requests {len(results)}, errors {len(errors)}" + (f" {sorted(set(errors))}" if errors else "")
          + f", wall {wall:.1f} s, throughput {len(results) / wall:.0f} req/s")
    if times:
        print(f"  latency ms: p50 {percentile(times, 50) * 1000:.1f}  p95 {percentile(times, 95) * 1000:.1f}  "
              f"p99 {percentile(times, 99) * 1000:.1f}  max {max(times) * 1000:.1f}")
    if per_query:
        by_name: dict[str, list[float]] = defaultdict(list)
        for name, status, t in results:
            if status == 200:
                by_name[name].append(t)
        print(f"  {'query':<30} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for name, values in sorted(by_name.items(), key=lambda item: -statistics.median(item[1])):
            print(f"  {name:<30} {len(values):>5} {percentile(values, 50) * 1000:>8.1f} "
                  f"{percentile(values, 99) * 1000:>8.1f} {max(values) * 1000:>8.1f}")


def alone(values: dict[str, list[str]], rng: random.Random, *, max_seconds: float) -> dict[str, float]:
    """Each query of the library by itself, three times in a row on one connection: its own cost."""
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, path in plan(values, 2000, rng):
        if len(by_name[name]) < 3:
            by_name[name].append((name, path))
    results, wall = load([[item for name in sorted(by_name) for item in by_name[name]]], max_seconds=max_seconds)
    print("\neach query alone (3 runs each, one client; 503 = stopped at the time limit; 'first' is the first"
          " request, never answered from the server's cache)")
    print(f"  {'query':<30} {'first ms':>10} {'median ms':>10} {'statuses':>12}")
    grouped: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for name, status, seconds in results:
        grouped[name].append((status, seconds))
    for name, runs in sorted(grouped.items(), key=lambda item: -item[1][0][1]):
        statuses = " ".join(str(status) for status, _ in runs)
        print(f"  {name:<30} {runs[0][1] * 1000:>10.1f} {statistics.median(t for _, t in runs) * 1000:>10.1f} {statuses:>12}")
    return {name: runs[0][1] for name, runs in grouped.items()}


def synthesize(triples: int, folder: Path) -> str:
    from coopgraph import synth
    from coopgraph.stores import open_store

    started = time.perf_counter()
    written = synth.write(folder / "synth", triples=triples, format="nq")
    print(f"synthesized {written.triples} triples in {written.documents} graphs ({written.seconds:.1f} s)")
    spec = f"oxigraph:{folder / 'store'}"
    with open_store(spec) as store:
        loaded = store.load_files(written.files)
    print(f"loaded into {spec}: {loaded.triples} triples, derived {loaded.derived} "
          f"({time.perf_counter() - started:.1f} s in all)")
    return spec


PORT = 0
SOCKET_TIMEOUT = 120.0


def main() -> None:
    global PORT, SOCKET_TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="memory", help="memory (default), oxigraph:DIR or http(s)://")
    parser.add_argument("--data", action="append", help="sources for the memory store (default: data)")
    parser.add_argument("--synth", type=int, metavar="TRIPLES", help="serve this many synthetic triples on Oxigraph")
    parser.add_argument("--workers", type=int, default=8, help="client threads (default: 8)")
    parser.add_argument("--requests", type=int, default=500, help="requests per client thread (default: 500)")
    parser.add_argument("--server-workers", type=int, help="the server's --workers (default: its own)")
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's --timeout (default: 10)")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="stop each phase after this long")
    parser.add_argument("--fast-under", type=float, default=500.0, metavar="MS",
                        help="also load only the queries that take less than this alone (default: 500)")
    parser.add_argument("--only", action="append", metavar="NAME", help="load only this query (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache-mb", type=float, help="the server's --cache-mb (0: every request computed; default: its own)")
    args = parser.parse_args()
    SOCKET_TIMEOUT = args.timeout + 60

    temporary = Path(tempfile.mkdtemp(prefix="bench-server-"))
    store = args.store
    try:
        if args.synth:
            store = synthesize(args.synth, temporary)
        PORT = free_port()
        started = time.perf_counter()
        process = start(store, args.data or [str(ROOT / "data")], PORT, timeout=args.timeout,
                        workers=args.server_workers, cache_mb=args.cache_mb)
        print(f"server up in {time.perf_counter() - started:.1f} s: {store}, CPUs {os.cpu_count()}, "
              f"{args.workers} clients x {args.requests} requests, server --timeout {args.timeout:g}, "
              f"--cache-mb {'default' if args.cache_mb is None else f'{args.cache_mb:g}'}")
        try:
            rng = random.Random(args.seed)
            values = sample_values(PORT)
            medians = alone(values, rng, max_seconds=args.max_seconds)
            warm = plan(values, 50, rng)
            load([warm], max_seconds=args.max_seconds)  # first runs fill caches; not counted
            only = set(args.only) if args.only else None
            requests = [plan(values, args.requests, rng, only=only) for _ in range(args.workers)]
            results, wall = load(requests, max_seconds=args.max_seconds)
            report("library queries under load" + (f" (only {', '.join(sorted(only))})" if only else ""), results, wall,
                   per_query=True)
            fast = {name for name, seconds in medians.items() if seconds * 1000 < args.fast_under}
            if fast and len(fast) < len(medians):
                requests = [plan(values, args.requests, rng, only=fast) for _ in range(args.workers)]
                results, wall = load(requests, max_seconds=args.max_seconds)
                report(f"only the {len(fast)} queries that take under {args.fast_under:g} ms alone, under load",
                       results, wall, per_query=False)

            slow: dict[str, object] = {}

            def run_slow() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=args.timeout + 60)
                t0 = time.perf_counter()
                slow["status"], slow["body"] = get(connection, "/sparql?" + urllib.parse.urlencode({"query": CROSS_JOIN}))
                slow["seconds"] = time.perf_counter() - t0

            during = [plan(values, max(20, args.requests // 5), rng, only=only) for _ in range(args.workers - 1)]
            thread = threading.Thread(target=run_slow)
            thread.start()
            results, wall = load(during, max_seconds=min(args.max_seconds, args.timeout))  # sent while it runs
            thread.join()
            report(f"while one query runs into the time limit ({args.timeout:g} s)", results, wall, per_query=False)
            body = slow.get("body", b"")
            print(f"  the slow query: {slow.get('status')} after {slow.get('seconds', 0):.1f} s: "
                  f"{body.decode('utf-8', 'replace').strip()[:120] if isinstance(body, bytes) else body}")
        finally:
            process.terminate()
            process.wait(30)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
