"""Benchmark coopgraph.render: write time, file size, first drawing in headless Chromium, peak RSS.

Run ``python benchmarks/bench_render.py [--sizes 1000,10000,100000] [--runs 3]``. Prints a table; not
a test. The graphs are synthetic cooperation networks (preferential attachment, about two edges per
node, seeded) carrying the attributes the network module produces.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from coopgraph.render import render_html

KINDS = ["University", "Institute", "Person", "Visit", "Agreement", "Programme", "Event"]
COUNTRIES = [
    "CN",
    "RU",
    "KZ",
    "BY",
    "UZ",
    "DE",
    "FR",
    "IT",
    "ES",
    "US",
    "GB",
    "IN",
    "JP",
    "KR",
    "VN",
    "MN",
    "TR",
    "IR",
    "EG",
    "BR",
    "AR",
    "MX",
    "CA",
    "AU",
    "ZA",
    "NG",
    "PL",
    "CZ",
    "RS",
    None,
]
EDGE_KINDS = ["agreement", "visit", "programme", "mobility", "event"]
CITIES = ["Lipetsk", "Shenyang", "Anshan", "Dalian", "Moscow", "Harbin", "Almaty", "Minsk", None]


def synthetic_network(nodes: int, *, seed: int = 1) -> nx.Graph:
    """A seeded cooperation-like network with about two edges per node."""
    rng = random.Random(seed)
    base = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    G = nx.Graph()
    iri = [f"https://coopgraph.example.org/id/{KINDS[i % len(KINDS)].lower()}-{i}" for i in range(nodes)]
    for i in range(nodes):
        kind = rng.choice(KINDS)
        G.add_node(
            iri[i],
            label=f"{kind} {i}",
            kind=kind,
            country=rng.choice(COUNTRIES),
            city=rng.choice(CITIES),
            names={"en": f"{kind} number {i}", "ru": f"Организация {i}", "zh": f"机构{i}号"},
            sources=[f"https://news.example.org/{rng.randrange(1000)}"],
        )
    for u, v in base.edges:
        first = rng.randrange(2000, 2024)
        G.add_edge(
            iri[u],
            iri[v],
            weight=rng.choice([1, 1, 1, 2, 3, 5, 8]),
            kinds=rng.sample(EDGE_KINDS, rng.choice([1, 1, 2])),
            first_year=first,
            last_year=rng.choice([first, first + rng.randrange(6), None]),
            sources=[f"https://news.example.org/{rng.randrange(1000)}"],
        )
    return G


def time_write(G: nx.Graph, path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render_html(G, path, title=f"{G.number_of_nodes()} nodes")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_drawing(path: Path, runs: int, browser) -> tuple[float, list[str]]:
    """Median milliseconds from navigation start to the end of vis-network's first drawing."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import open_page

    times, problems = [], []
    for _ in range(runs):
        with open_page(browser) as session:
            session.goto(path, wait_until="commit")
            session.page.wait_for_selector("html[data-drawn]", state="attached", timeout=300_000)
            times.append(session.page.evaluate("window.coopgraphFirstDrawing") / 1000)
            nodes = session.page.evaluate("coopgraph.network.body.nodeIndices.length")
            if nodes != session.page.evaluate("coopgraph.data.nodes.length"):
                problems.append(f"only {nodes} nodes in the network")
            problems += session.log.problems()
    return statistics.median(times), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="node counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium drawing time")
    args = parser.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser import chromium

    header = f"{'nodes':>8} {'edges':>8} {'write s':>8} {'MB':>7} {'draw s':>7} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        browser_cm = None if args.no_browser else chromium()
        browser = browser_cm.__enter__() if browser_cm else None
        try:
            for n in sizes:
                G = synthetic_network(n)
                path = Path(folder) / f"net-{n}.html"
                write = time_write(G, path, args.runs)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                size = path.stat().st_size / 1e6
                draw, problems = (float("nan"), []) if browser is None else time_drawing(path, args.runs, browser)
                print(f"{n:>8} {G.number_of_edges():>8} {write:>8.2f} {size:>7.1f} {draw:>7.2f} {rss:>12.0f}")
                for problem in problems[:5]:
                    print(f"   ! {problem}")
        finally:
            if browser_cm:
                browser_cm.__exit__(None, None, None)
    print("write: median of render_html; draw: navigation start to vis-network's first afterDrawing;")
    print("peak RSS: this Python process's high-water mark so far (sizes run in increasing order).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
