"""Time every export format on synthetic datasets; print a table (medians). Not a test: no asserts.

    python benchmarks/bench_export.py [--visits 2000 20000] [--runs 3] [--rdflib-turtle]

Each size is that many visits (each with three parts, a visitor, hosts, a date, labels and a quote)
spread over ten source graphs, plus a registry graph of visits/10 institutions: about 19 statements
per visit. IRIs are flat, as coopgraph mints them. ``--rdflib-turtle`` also times rdflib's own Turtle
writer on the union (what :func:`coopgraph.export.turtle` uses below ``LARGE`` statements).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS, XSD

from coopgraph import export, ids
from coopgraph.dataset import bind_prefixes
from coopgraph.namespaces import COOP, PREFIXES

START = URIRef(PREFIXES["schema"] + "startDate")
PART = URIRef(PREFIXES["schema"] + "subEvent")


def synthetic(visits: int, *, seed: int = 0) -> Dataset:
    rng = random.Random(seed)
    dataset = bind_prefixes(Dataset())
    institutions = [ids.entity(f"inst-{i}") for i in range(max(10, visits // 10))]
    registry = dataset.graph(ids.graph("registry"))
    for i, institution in enumerate(institutions):
        registry.add((institution, RDF.type, COOP.University))
        registry.add((institution, SKOS.prefLabel, Literal(f"University {i}", lang="en")))
        registry.add((institution, SKOS.prefLabel, Literal(f"Университет {i}", lang="ru")))
    for s in range(10):
        graph = dataset.graph(ids.graph(f"source-{s}"))
        source = ids.entity(f"source-{s}")
        for v in range(visits // 10):
            visit = ids.entity(f"visit-{s}-{v}")
            graph.add((visit, RDF.type, COOP.Visit))
            graph.add((visit, COOP.visitor, rng.choice(institutions)))
            graph.add((visit, COOP.host, rng.choice(institutions)))
            graph.add((visit, START, Literal(f"20{rng.randint(10, 23)}-0{rng.randint(1, 9)}", datatype=XSD.gYearMonth)))
            graph.add((visit, SKOS.prefLabel, Literal(f"Visit {s} {v}", lang="en")))
            graph.add((visit, COOP.quote, Literal(f"Делегация {v} посетила «университет»", lang="ru")))
            graph.add((visit, PROV.wasDerivedFrom, source))
            for p in range(3):
                part = ids.entity(f"visit-{s}-{v}-parts-{p}")
                graph.add((visit, PART, part))
                graph.add((part, RDF.type, COOP.Meeting))
                graph.add((part, COOP.host, rng.choice(institutions)))
                graph.add((part, PROV.wasDerivedFrom, source))
    return dataset


def _median(runs: int, work) -> tuple[float, float, int]:
    """Median wall-clock and CPU seconds (CPU time is what other processes on the machine do not inflate)."""
    wall, cpu, size = [], [], 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(work())
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rdflib-turtle", action="store_true", help="also time rdflib's Turtle writer")
    args = parser.parse_args()
    print(f"{'visits':>7} {'quads':>9} {'format':>14} {'wall s':>8} {'cpu s':>8} {'MB':>8}")
    for visits in args.visits:
        dataset = synthetic(visits)
        quads = sum(len(g) for g in dataset.graphs())
        for name in export.FORMATS:
            wall, cpu, size = _median(args.runs, lambda name=name, dataset=dataset: export.serialize(dataset, name))
            print(f"{visits:>7} {quads:>9} {name:>14} {wall:>8.2f} {cpu:>8.2f} {size / 1e6:>8.1f}")
        if args.rdflib_turtle:
            union = bind_prefixes(Graph())
            for s, p, o, _ in dataset.quads((None, None, None, None)):
                union.add((s, p, o))
            wall, cpu, size = _median(1, lambda union=union: union.serialize(format="turtle", encoding="utf-8"))
            print(f"{visits:>7} {quads:>9} {'rdflib turtle':>14} {wall:>8.2f} {cpu:>8.2f} {size / 1e6:>8.1f}")


if __name__ == "__main__":
    main()
