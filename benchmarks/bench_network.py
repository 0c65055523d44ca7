"""Time the RDF → networkx views and the analytics on synthetic cooperation graphs; print a table.

    python benchmarks/bench_network.py [--sizes 1000 5000] [--runs 3]

Each size n is n institutions in n/10 cities of 20 countries (city → region → country), and 2n derived
cooperations between random pairs, as the rules of ``queries/rules`` write them. Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rdflib import RDF, Dataset, Graph, Literal
from rdflib.namespace import PROV, SKOS, XSD

from coopgraph import analysis, ids, network
from coopgraph.namespaces import COOP, PREFIXES
from coopgraph.stores import MemoryStore, Store

SCHEMA_LOCATION = PREFIXES["schema"] + "location"
SCHEMA_CONTAINED = PREFIXES["schema"] + "containedInPlace"
KINDS = (COOP.VisitCooperation, COOP.AgreementCooperation, COOP.ProgrammeCooperation, COOP.MobilityCooperation)


def synthetic(n: int, *, seed: int = 0) -> Graph:
    from rdflib import URIRef

    rng = random.Random(seed)
    graph = Graph()
    location, contained = URIRef(SCHEMA_LOCATION), URIRef(SCHEMA_CONTAINED)
    countries = [ids.entity(f"country-{i}") for i in range(20)]
    for i, country in enumerate(countries):
        graph.add((country, RDF.type, COOP.Country))
        graph.add((country, COOP.countryCode, Literal(f"C{i:02d}")))
        region = ids.entity(f"region-{i}")
        graph.add((region, RDF.type, COOP.Region))
        graph.add((region, contained, country))
    cities = [ids.entity(f"city-{i}") for i in range(max(1, n // 10))]
    for i, city in enumerate(cities):
        graph.add((city, RDF.type, COOP.City))
        graph.add((city, SKOS.prefLabel, Literal(f"City {i}", lang="en")))
        graph.add((city, contained, ids.entity(f"region-{i % 20}")))
    institutions = [ids.entity(f"inst-{i}") for i in range(n)]
    for i, inst in enumerate(institutions):
        graph.add((inst, RDF.type, COOP.University))
        graph.add((inst, RDF.type, COOP.Institution))
        graph.add((inst, SKOS.prefLabel, Literal(f"University {i}", lang="en")))
        graph.add((inst, SKOS.prefLabel, Literal(f"Университет {i}", lang="ru")))
        graph.add((inst, SKOS.altLabel, Literal(f"U{i}", lang="en")))
        graph.add((inst, location, rng.choice(cities)))
    for j in range(2 * n):
        a, b = rng.sample(institutions, 2)
        cooperation = ids.entity(f"cooperation-{j}")
        first = rng.randint(2000, 2023)
        graph.add((cooperation, RDF.type, COOP.Cooperation))
        graph.add((cooperation, COOP.partner, a))
        graph.add((cooperation, COOP.partner, b))
        graph.add((cooperation, COOP.cooperationKind, rng.choice(KINDS)))
        graph.add((cooperation, COOP.firstYear, Literal(str(first), datatype=XSD.gYear)))
        graph.add((cooperation, COOP.lastYear, Literal(str(first + rng.randint(0, 3)), datatype=XSD.gYear)))
        graph.add((cooperation, COOP.evidenceCount, Literal(rng.randint(1, 4))))
        graph.add((cooperation, PROV.wasDerivedFrom, ids.entity(f"source-{j % 50}")))
    return graph


def as_store(graph: Graph) -> Store:
    """The graph as the one named graph of a memory store (what the views read)."""
    dataset = Dataset()
    named = dataset.graph(ids.graph("bench"))
    for triple in graph:
        named.add(triple)
    return MemoryStore(dataset)


def _median(runs: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'institutions':>12} {'triples':>8} {'edges':>6} {'network s':>9} {'slice s':>8} "
          f"{'full s':>7} {'stats s':>8} {'graphml s':>9}   (median of {args.runs})")
    for n in args.sizes:
        graph = synthetic(n)
        store = as_store(graph)
        t_net, G = _median(args.runs, lambda store=store: network.institution_network(store))
        t_slice, _ = _median(args.runs, lambda store=store: network.institution_network(store, since=2010, until=2015))
        t_full, _ = _median(1, lambda store=store: network.full_graph(store))
        t_stats, _ = _median(1, lambda G=G: analysis.stats(G))
        t_graphml, _ = _median(1, lambda G=G: network.to_graphml(G))
        print(f"{n:>12} {len(graph):>8} {G.number_of_edges():>6} {t_net:>9.2f} {t_slice:>8.2f} "
              f"{t_full:>7.2f} {t_stats:>8.2f} {t_graphml:>9.2f}")


if __name__ == "__main__":
    main()
