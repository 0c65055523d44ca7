"""Benchmark the stores on synthetic cooperation graphs; print a table.

    python benchmarks/bench_store.py --triples 1000000 --stores raw oxigraph
    python benchmarks/bench_store.py --triples 100000 --stores memory oxigraph remote --runs 3

For each store (``raw`` is pyoxigraph's own ``bulk_load`` of the same N-Quads, the yardstick for
``oxigraph``), each run is a subprocess of its own, and its peak RSS (``wait4``) is reported:

- ``synth``: ``coopgraph synth --format nq`` of the size (once; cached under ``--cache``);
- ``load``: the N-Quads into an empty store, the derived graph computed (a new store each run);
- ``query NAME``: every library query, on the store of the last load, with parameters that ask the
  most of it (the institution with the most partners, no date range), ``--runs`` times in one
  process: median, and the slowest run;
- ``network``: the institution network (networkx), from the queries of ``queries/network/`` run by the store;
- ``html``: that network written as the self-contained HTML page.

For ``remote``, an ``oxigraph serve`` on 127.0.0.1 is started for each load (its peak RSS is
given apart). For ``memory``, the work process loads the store first (not timed). Not a test:
no asserts; the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve()
#: Targets of issue 5 at 1M triples on oxigraph:DIR (seconds, and bytes of peak RSS).
LOAD_RATIO, QUERY_MEDIAN, QUERY_MAX, PEAK_RSS = 1.5, 0.25, 1.0, 1.5e9


# ------------------------------------------------------------------------------------ child processes


def _emit(**values) -> None:
    print("RESULT " + json.dumps(values), flush=True)


def _child_synth(out: str, triples: int, seed: int) -> None:
    from coopgraph import synth

    report = synth.write(out, triples=triples, seed=seed, format="nq")
    _emit(seconds=report.seconds, triples=report.triples, graphs=report.documents)


def _child_raw(location: str, nq: str) -> None:
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(location)
    store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
    store.flush()
    _emit(seconds=time.perf_counter() - started, triples=len(store))


def _child_load(spec: str, nq: str) -> None:
    from coopgraph.stores import open_store

    started = time.perf_counter()
    with open_store(spec) as store:
        report = store.load_files([nq])
    _emit(seconds=time.perf_counter() - started, triples=report.triples, derived=report.derived)


def _params(store) -> dict[str, dict[str, str]]:
    """Parameters that ask the most of each query: the busiest institution, its busiest visit."""
    from coopgraph.queries import list_queries, parse_query, run_query

    hub = run_query(store, parse_query(
        "SELECT ?i (COUNT(*) AS ?n) WHERE { ?c a coop:Cooperation ; coop:partner ?i } GROUP BY ?i ORDER BY DESC(?n) LIMIT 1"
    ))
    institution = str(next(iter(hub))[0])
    visit = next(iter(run_query(store, parse_query(
        f"SELECT ?v WHERE {{ ?v a coop:Visit ; coop:visitor <{institution}> ; coop:participation ?p }} "
        "GROUP BY ?v ORDER BY DESC(COUNT(?p)) ?v LIMIT 1"
    ))))[0]
    values = {"institution": institution, "entity": institution, "visit": str(visit), "name": "university"}
    return {
        query.name: {p.name: values[p.name] for p in query.params if p.name in values}
        for query in list_queries()
    }


def _child_work(spec: str, nq: str, runs: int, only: list[str]) -> None:
    from coopgraph import network, render
    from coopgraph.queries import list_queries, run_query
    from coopgraph.stores import open_store

    with open_store(spec) as store:
        if spec == "memory":
            store.load_files([nq])
        params = _params(store)
        for query in list_queries():
            if only and query.name not in only:
                continue
            given = params[query.name]
            optional = {p.name for p in query.params if not p.required}
            variants = [("", given)]
            if optional & set(given):  # an optional parameter left out can make it a question about the whole graph
                left_out = sorted(optional & set(given))
                variants.append((f" (no {', '.join(left_out)})", {k: v for k, v in given.items() if k not in optional}))
            for suffix, values in variants:
                times, rows = [], 0
                for _ in range(runs):
                    started = time.perf_counter()
                    result = run_query(store, query, values)
                    rows = len(result) if result.type != "ASK" else 1  # rows are materialised rdflib terms
                    times.append(time.perf_counter() - started)
                _emit(operation=f"query {query.name}{suffix}", times=times, rows=rows, params=values)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            G = network.institution_network(store)  # the store answers queries/network/ itself
            times.append(time.perf_counter() - started)
        _emit(operation="network", times=times, rows=G.number_of_nodes(), edges=G.number_of_edges())
        times = []
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(runs):
                started = time.perf_counter()
                render.render_html(G, Path(folder) / "graph.html", title="coopgraph benchmark")
                times.append(time.perf_counter() - started)
            size = (Path(folder) / "graph.html").stat().st_size
        _emit(operation="html", times=times, rows=G.number_of_nodes(), bytes=size)


# ------------------------------------------------------------------------------------ the parent


def _run(args: list[str], *, timeout: float) -> tuple[list[dict], float, str]:
    """Run a child; its results, its peak RSS in bytes, and how it ended."""
    process = subprocess.Popen([sys.executable, str(HERE), "--child", *args], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    status = "ok"
    while True:
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            pid, code, usage = os.wait4(process.pid, 0)
            status = f"stopped after {timeout:.0f} s"
            break
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(code)
    out = process.stdout.read() if process.stdout else ""
    if status == "ok" and process.returncode != 0:
        status = f"failed ({process.returncode})"
    results = [json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT ")]
    return results, usage.ru_maxrss * 1024, status


class _Rows(list):
    """The table's rows, each also printed to stderr as it comes (long runs show progress)."""

    def append(self, row: tuple[str, ...]) -> None:
        print("  ".join(row), file=sys.stderr, flush=True)
        super().append(row)


class _Server:
    def __init__(self, folder: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(["oxigraph", "serve", "--location", str(folder), "--bind", f"127.0.0.1:{self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def peak_rss(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--stores", nargs="+", default=["raw", "oxigraph"], choices=("raw", "oxigraph", "memory", "remote"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", nargs="*", default=[], help="only these library queries")
    parser.add_argument("--no-work", action="store_true", help="loads only (no queries, network, html)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "coopgraph-bench"))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a child process is stopped")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "synth":
            _child_synth(rest[0], int(rest[1]), int(rest[2]))
        elif mode == "raw":
            _child_raw(*rest)
        elif mode == "load":
            _child_load(*rest)
        else:
            _child_work(rest[0], rest[1], int(rest[2]), rest[3:])
        return

    rows = _Rows()
    cache = Path(args.cache) / f"synth-{args.triples}-seed{args.seed}"
    nq = cache / "synth.nq"
    if not nq.is_file():
        results, rss, status = _run(["synth", str(cache), str(args.triples), str(args.seed)], timeout=args.timeout)
        size = results[0] if results else {}
        rows.append(("synth", "nq", f"{size.get('seconds', 0):.1f}", "", "", _mb(rss),
                     f"{size.get('triples', 0):,} triples, {size.get('graphs', 0):,} graphs; {status}"))
    scratch = Path(tempfile.mkdtemp(prefix="bench-store-", dir=args.cache))
    raw_median = None
    try:
        for kind in args.stores:
            loads, rss_list, extra, server = [], [], "", None
            for run in range(args.runs):
                target = scratch / f"{kind}-{run}"
                if kind == "raw":
                    results, rss, status = _run(["raw", str(target), str(nq)], timeout=args.timeout)
                else:
                    if server is not None:
                        server.stop()
                    if kind == "remote":
                        server = _Server(target)
                    spec = {"oxigraph": f"oxigraph:{target}", "memory": "memory", "remote": server.url if server else ""}[kind]
                    results, rss, status = _run(["load", spec, str(nq)], timeout=args.timeout)
                    extra = f"server peak {_mb(server.peak_rss())}; " if server is not None else ""
                if results:
                    loads.append(results[0]["seconds"])
                    found = results[0]
                    extra = extra if kind == "remote" else ""
                    extra += f"{found['triples']:,} triples" + (f" ({found['derived']:,} derived)" if "derived" in found else "")
                rss_list.append(rss)
                if status != "ok":
                    extra += f" {status}"
                if run < args.runs - 1 and kind != "remote":
                    shutil.rmtree(target, ignore_errors=True)
            median = statistics.median(loads) if loads else float("nan")
            if kind == "raw":
                raw_median = median
            ratio = f"{median / raw_median:.2f}× raw" if raw_median and kind == "oxigraph" else ""
            rate = f"{args.triples / median:,.0f} triples/s" if loads else ""
            rows.append((kind, "load", f"{median:.2f}", f"{max(loads):.2f}" if loads else "", ratio or rate,
                         _mb(max(rss_list)), extra.strip()))
            if kind == "raw" or args.no_work:
                if server is not None:
                    server.stop()
                continue
            spec = {"oxigraph": f"oxigraph:{scratch / f'{kind}-{args.runs - 1}'}", "memory": "memory",
                    "remote": server.url if server else ""}[kind]
            results, rss, status = _run(["work", spec, str(nq), str(args.runs), *args.queries], timeout=args.timeout)
            if server is not None:
                extra = f"server peak {_mb(server.peak_rss())}"
                server.stop()
            for result in results:
                times = result["times"]
                note = ""
                if result["operation"].startswith("query"):
                    slow = statistics.median(times) > QUERY_MEDIAN or max(times) > QUERY_MAX
                    note = f"{result['rows']:,} rows" + (" (over target)" if slow and kind == "oxigraph" else "")
                elif result["operation"] == "network":
                    note = f"{result['rows']:,} nodes, {result['edges']:,} edges"
                else:
                    note = f"{result['bytes'] / 1e6:.1f} MB page"
                rows.append((kind, result["operation"], f"{statistics.median(times):.3f}", f"{max(times):.3f}", "",
                             "", note))
            rows.append((kind, "work process", "", "", "", _mb(rss), f"{status}; " + (extra if kind == "remote" else "")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nstores at {args.triples:,} triples (synthetic, seed {args.seed}); median of {args.runs} runs, seconds")
    header = ("store", "operation", "median", "max", "rate", "peak RSS", "notes")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        cells = [str(c).ljust(w) if i in (0, 1, 6) else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        print("  ".join(cells).rstrip())
    print(f"targets at 1M on oxigraph: load ≤ {LOAD_RATIO}× raw bulk_load; each query median ≤ {QUERY_MEDIAN} s, "
          f"max ≤ {QUERY_MAX} s; peak RSS ≤ {PEAK_RSS / 1e9:.1f} GB")


if __name__ == "__main__":
    main()
