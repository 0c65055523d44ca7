"""Analytics on textbook graphs with known answers: a triangle, a path, two cliques joined by a bridge."""

from __future__ import annotations

import doctest
import json

import networkx as nx
import pytest
from rdflib import Graph

from conftest import TESTDATA, store_of
from coopgraph import analysis, network, timeline
from coopgraph.analysis import (
    betweenness,
    bridges,
    communities,
    community_bridges,
    country_network,
    simple_graph,
    stats,
    weighted_degree,
)

FIXTURE = TESTDATA / "valid" / "network" / "cooperation.ttl"


def _cliques_with_bridge() -> nx.Graph:
    """Two K4 (0–3 and 4–7) joined by the bridge 3–4."""
    return nx.barbell_graph(4, 0)


@pytest.mark.parametrize("module", [analysis, network, timeline], ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_triangle_is_one_community_without_bridges():
    G = nx.complete_graph(3)
    assert weighted_degree(G) == {0: 2, 1: 2, 2: 2}
    assert betweenness(G) == {0: 0.0, 1: 0.0, 2: 0.0}
    assert communities(G) == [frozenset({0, 1, 2})]
    assert bridges(G) == []
    assert community_bridges(G, communities(G)) == []


def test_path_middle_nodes_carry_every_path_and_every_edge_is_a_bridge():
    G = nx.path_graph(4)
    assert betweenness(G) == pytest.approx({0: 0.0, 1: 2 / 3, 2: 2 / 3, 3: 0.0})
    assert betweenness(G, normalized=False) == pytest.approx({0: 0.0, 1: 2.0, 2: 2.0, 3: 0.0})
    assert bridges(G) == [(0, 1), (1, 2), (2, 3)]


def test_two_cliques_joined_by_a_bridge():
    G = _cliques_with_bridge()
    between = betweenness(G)
    # 3 × 4 pairs cross the bridge through each of its ends; 21 pairs in all without the node itself.
    assert between[3] == pytest.approx(12 / 21)
    assert between[4] == pytest.approx(12 / 21)
    assert all(between[n] == 0.0 for n in (0, 1, 2, 5, 6, 7))
    parts = communities(G)
    assert parts == [frozenset({0, 1, 2, 3}), frozenset({4, 5, 6, 7})]
    assert communities(G, method="greedy") == parts
    assert community_bridges(G, parts) == [(3, 4)]
    assert bridges(G) == [(3, 4)]


def test_weighted_degree_sums_weights_and_counts_unweighted_links_once():
    G = nx.Graph()
    G.add_edge("a", "b", weight=3)
    G.add_edge("b", "c", weight=2)
    G.add_edge("c", "d")
    assert weighted_degree(G) == {"a": 3, "b": 5, "c": 3, "d": 1}
    assert weighted_degree(G, weight=None) == {"a": 1, "b": 2, "c": 2, "d": 1}


def test_betweenness_samples_above_the_threshold_and_is_seeded():
    G = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=7)
    exact = betweenness(G)
    sampled = betweenness(G, exact_up_to=50, k=20, seed=3)
    assert sampled == betweenness(G, exact_up_to=50, k=20, seed=3)
    assert sampled.keys() == exact.keys()
    assert sampled != exact  # an estimate, not the exact answer
    assert betweenness(G, exact_up_to=60) == exact


def test_louvain_is_reproducible_with_a_seed():
    G = nx.connected_caveman_graph(5, 6)
    assert communities(G, seed=1) == communities(G, seed=1)
    assert len(communities(G, seed=1)) == 5


def test_unknown_community_method_is_refused():
    with pytest.raises(ValueError, match="'louvain' or 'greedy'"):
        communities(nx.path_graph(3), method="magic")


def test_multigraphs_are_read_as_simple_undirected_graphs():
    M = nx.MultiDiGraph()
    M.add_edge("a", "b", key="coop:host")
    M.add_edge("b", "a", key="coop:visitor")
    M.add_edge("b", "c", key="coop:party")
    simple = simple_graph(M)
    assert not simple.is_directed() and not simple.is_multigraph()
    assert simple.edges["a", "b"]["weight"] == 2
    assert bridges(M) == [("a", "b"), ("b", "c")]
    assert betweenness(M) == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.0})


def test_empty_and_edgeless_graphs():
    assert communities(nx.Graph()) == []
    assert communities(nx.empty_graph(2)) == [frozenset({0}), frozenset({1})]
    assert stats(nx.Graph()).nodes == 0


def test_cooperation_aggregated_by_country_pair():
    G = network.institution_network(store_of(Graph().parse(FIXTURE)))
    countries = country_network(G)
    links = {tuple(sorted((u, v))): d for u, v, d in countries.edges(data=True)}
    assert set(links) == {("CN", "RU"), ("CN", "CN"), ("DE", "RU")}
    assert links["CN", "RU"] == {
        "weight": 3, "pairs": 1, "kinds": ["agreement", "visit"], "first_year": 2019, "last_year": 2021,
    }
    assert links["CN", "CN"]["kinds"] == ["programme"]
    assert links["DE", "RU"]["weight"] == 3
    assert countries.nodes["CN"]["institutions"] == 3  # beta, gamma, zeta
    assert countries.nodes["?"]["institutions"] == 1  # epsilon has no location


def test_stats_report_of_the_fixture():
    G = network.institution_network(store_of(Graph().parse(FIXTURE)))
    report = stats(G, top=3)
    assert (report.nodes, report.edges, report.components) == (6, 3, 3)
    assert [row["id"] for row in report.ranking] == ["alpha", "beta", "delta"]
    assert report.ranking[0] | {"betweenness": None} == {
        "id": "alpha", "label": "Alpha University", "country": "RU", "degree": 2,
        "weighted_degree": 6, "betweenness": None, "community": report.ranking[0]["community"],
    }
    assert report.ranking[0]["betweenness"] == pytest.approx(2 / 10)  # beta–delta runs through alpha
    assert sorted(report.bridges) == [("alpha", "beta"), ("alpha", "delta"), ("beta", "gamma")]
    assert [row["countries"] for row in report.countries] == ["CN–RU", "DE–RU", "CN"]
    text = "\n".join(report.lines())
    assert "alpha" in text and "CN–RU" in text and "communities:" in text
    assert json.loads(json.dumps(report.as_dict()))["ranking"][0]["id"] == "alpha"
