"""RDF → networkx views, time slices, ego networks, exports re-read, the timeline picture, the main job."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import matplotlib.image
import networkx as nx
import pytest
from rdflib import RDF, Dataset, Graph, Literal
from rdflib.namespace import SKOS

from browser import chromium, open_page
from conftest import DATA, TESTDATA, store_of
from coopgraph import cli, ids, network, pipeline, timeline
from coopgraph.dataset import DERIVED_GRAPH
from coopgraph.errors import CoopgraphError
from coopgraph.namespaces import COOP
from coopgraph.stores import MemoryStore, parse_spec

FIXTURE = TESTDATA / "valid" / "network" / "cooperation.ttl"


@pytest.fixture(scope="module")
def fixture_graph() -> Graph:
    return Graph().parse(FIXTURE)


@pytest.fixture(scope="module")
def fixture_store(fixture_graph):
    """The fixture as a store (one named graph)."""
    return store_of(fixture_graph)


@pytest.fixture(scope="module")
def institutions(fixture_store) -> nx.Graph:
    return network.institution_network(fixture_store)


@pytest.fixture(scope="module")
def shipped(shipped_store):
    """The shipped data, built once, as a store."""
    return shipped_store


def _edges(G: nx.Graph) -> dict[tuple[str, str], dict]:
    return {tuple(sorted((u, v))): data for u, v, data in G.edges(data=True)}


# ---------------------------------------------------------------- the institution network


def test_one_node_per_institution_with_country_city_and_kind(institutions):
    found = {n: (d["country"], d["city"], d["kind"], d["label"]) for n, d in institutions.nodes(data=True)}
    assert found == {
        "alpha": ("RU", "Alpha City", "university", "Alpha University"),  # city → region → country
        "beta": ("CN", "Beta City", "university", "Beta University"),  # city → country
        "gamma": ("CN", None, "institution", "Gamma Institute"),  # a region → country, no city
        "delta": ("DE", "Delta City", "university", "Delta Universität"),  # three hops up
        "epsilon": (None, None, "institution", "Epsilon Academy"),  # no location
        "zeta": ("CN", None, "institution", "Zeta College"),  # located in the country itself
    }


def test_names_in_every_language_and_aliases(institutions):
    alpha = institutions.nodes["alpha"]
    assert alpha["names"] == {"en": "Alpha University", "ru": "Университет Альфа"}
    assert alpha["aliases"] == {"en": ["AU"], "ru": ["УА"]}
    assert alpha["iri"] == str(ids.entity("alpha"))
    assert alpha["sources"] == ["registry"]
    assert institutions.nodes["beta"]["names"]["zh"] == "贝塔大学"
    assert institutions.nodes["delta"]["label"] == "Delta Universität"  # no English name: the first one


def test_one_edge_per_pair_aggregating_its_cooperations(institutions):
    edges = _edges(institutions)
    assert set(edges) == {("alpha", "beta"), ("alpha", "delta"), ("beta", "gamma")}
    assert edges["alpha", "beta"] == {
        "weight": 3,
        "kinds": ["agreement", "visit"],
        "first_year": 2019,
        "last_year": 2021,
        "sources": ["s1", "s2"],
        "evidence": ["agreement-1", "visit-1", "visit-2"],
        "cooperations": 2,
        "evidence_by_kind": {"agreement": 1, "visit": 2},
    }
    assert (edges["beta", "gamma"]["first_year"], edges["beta", "gamma"]["last_year"]) == (2015, 2018)
    assert edges["alpha", "delta"]["weight"] == 3


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (None, None, {("alpha", "beta"): 3, ("alpha", "delta"): 3, ("beta", "gamma"): 1}),
        (2020, None, {("alpha", "beta"): 1, ("alpha", "delta"): 3}),  # the 2021 agreement only
        (None, 2018, {("beta", "gamma"): 1}),
        (2019, 2019, {("alpha", "beta"): 2}),  # the 2019 visits only
        (2016, 2016, {("beta", "gamma"): 1}),  # inside a programme's 2015–2018 span
        (2023, 2030, {("alpha", "delta"): 3}),
        (2024, None, {}),
    ],
)
def test_time_slice_keeps_cooperations_overlapping_it(fixture_store, since, until, expected):
    G = network.institution_network(fixture_store, since=since, until=until)
    assert {pair: data["weight"] for pair, data in _edges(G).items()} == expected
    assert G.number_of_nodes() == 6  # every institution stays, as an isolate if need be
    assert (G.graph["since"], G.graph["until"]) == (since, until)


def test_time_slice_without_isolates(fixture_store):
    G = network.institution_network(fixture_store, since=2020, isolates=False)
    assert sorted(G) == ["alpha", "beta", "delta"]


def test_a_store_reads_as_the_union_of_its_named_graphs(fixture_graph, institutions):
    dataset = Dataset()
    derived = dataset.graph(DERIVED_GRAPH)
    facts = dataset.graph(ids.graph("facts"))
    for triple in fixture_graph:
        (derived if (triple[0], None, COOP.Cooperation) in fixture_graph else facts).add(triple)
    store = store_of(dataset)
    assert store.graphs() == sorted([DERIVED_GRAPH, ids.graph("facts")])  # the facts and the cooperations apart
    G = network.institution_network(store)
    assert nx.utils.graphs_equal(G, institutions)


def test_shipped_institutions(shipped):
    G = network.institution_network(shipped)
    assert {n: G.nodes[n]["country"] for n in G} == {"lstu": "RU", "ustl": "CN", "sut": "CN", "neu-shenyang": "CN"}
    assert G.nodes["ustl"]["names"] == {
        "en": "University of Science and Technology Liaoning",
        "ru": "Ляонинский университет науки и технологии",
        "zh": "辽宁科技大学",
    }
    assert {"ЛГТУ", "Липецкий Политех"} <= set(G.nodes["lstu"]["aliases"]["ru"])
    assert G.nodes["lstu"]["city"] == "Lipetsk"


def test_shipped_cooperation_follows_the_article(shipped):
    edges = _edges(network.institution_network(shipped))
    assert set(edges) == {("lstu", "ustl"), ("lstu", "sut"), ("lstu", "neu-shenyang")}
    assert {"programme", "mobility", "visit"} <= set(edges["lstu", "ustl"]["kinds"])
    assert {"agreement", "visit"} <= set(edges["lstu", "sut"]["kinds"])
    assert edges["lstu", "sut"]["last_year"] == 2023
    assert edges["lstu", "ustl"]["first_year"] == 2020
    assert all(data["sources"] for data in edges.values())


# ---------------------------------------------------------------- the full graph


def test_full_graph_types_every_entity_and_keeps_literals_as_attributes(shipped):
    G = network.full_graph(shipped)
    assert isinstance(G, nx.MultiDiGraph)
    assert G.nodes["lstu"]["kind"] == "university"
    assert G.nodes["lstu-visit-liaoning-2023-09"]["kind"] == "visit"
    assert G.nodes["zageeva-acting-rector-lstu"]["kind"] == "post"
    assert G.nodes["lstu-visit-liaoning-2023-09-participation-1"]["kind"] == "participation"
    assert all(data["kind"] for _, data in G.nodes(data=True))
    # the nodes are exactly the typed entities: literals are attributes, never nodes
    assert {data["iri"] for _, data in G.nodes(data=True)} == {str(s) for s in shipped.union().subjects(RDF.type)}
    assert G.nodes["icciera-2023"]["schema:startDate"] == "2023-09-14"
    assert G.nodes["lstu-ustl-staff-teaching-2023"]["coop:participantCount"] == "5"
    assert G.nodes["sut"]["owl:sameAs"] == ["http://www.wikidata.org/entity/Q11138930", "https://ror.org/00d7f8730"]
    assert G.nodes["zageeva-acting-rector-lstu"]["org:role"] == "coop:ActingRector"
    assert G.nodes["lstu-visit-liaoning-2023-09"]["coop:quote"]["ru"].startswith("С 11 по 15 сентября")
    assert G.nodes["lstu-visit-liaoning-2023-09"]["sources"] == ["source-lstu-2023-09-18"]
    # edges are labelled by property, directed from subject to object
    visit = "lstu-visit-liaoning-2023-09"
    assert G.has_edge(visit, "lstu", key="coop:visitor")
    assert {v for _, v, k in G.out_edges(visit, keys=True) if k == "coop:host"} == {"ustl", "sut", "neu-shenyang"}
    assert G.edges[visit, "lstu", "coop:visitor"]["label"] == "coop:visitor"
    assert G.edges[visit, "lstu", "coop:visitor"]["kinds"] == ["visiting institution"]
    assert G.edges["lstu", "lipetsk", "schema:location"]["kinds"] == ["location"]
    # provenance is an attribute, not a hub
    assert not any(k == "prov:wasDerivedFrom" for *_, k in G.edges(keys=True))


def test_ego_network(institutions, fixture_store):
    assert sorted(network.ego_network(institutions, "alpha")) == ["alpha", "beta", "delta"]
    assert sorted(network.ego_network(institutions, "alpha", depth=2)) == ["alpha", "beta", "delta", "gamma"]
    assert sorted(network.ego_network(institutions, "alpha", depth=0)) == ["alpha"]
    assert network.ego_network(institutions, str(ids.entity("alpha"))).graph["focus"] == "alpha"  # or its IRI
    ego = network.view(fixture_store, focus="уа")  # an alias, any case: the view asks the store's resolver
    assert ego.graph["focus"] == "alpha"
    assert _edges(ego)["alpha", "beta"]["weight"] == 3


def test_ego_network_of_the_full_graph_follows_links_both_ways(shipped):
    ego = network.ego_network(network.full_graph(shipped), "lstu")
    assert {"lstu-visit-liaoning-2023-09", "lipetsk", "lstu-sut-agreement-2023"} <= set(ego)


def test_unknown_focus_suggests_names(institutions):
    with pytest.raises(CoopgraphError, match=r"no node 'alpah' in the network — did you mean 'alpha'"):
        network.ego_network(institutions, "alpah")


def test_ambiguous_focus_lists_the_candidates():
    two = Graph()
    for key in ("neu-shenyang", "neu-boston"):
        two.add((ids.entity(key), RDF.type, COOP.Institution))
        two.add((ids.entity(key), SKOS.prefLabel, Literal("Northeastern University", lang="en")))
    store = store_of(two)
    with pytest.raises(CoopgraphError, match="matches 2 institutions .*neu-boston.*neu-shenyang.* use the id"):
        network.view(store, focus="northeastern university")
    G = network.institution_network(store)
    with pytest.raises(CoopgraphError, match="no node 'northeastern university'"):
        network.find_node(G, "northeastern university")  # a node by its key or IRI only: names are the resolver's
    assert network.view(store, focus="neu-boston").graph["focus"] == "neu-boston"


def test_view_refuses_a_time_slice_of_the_full_graph(shipped):
    with pytest.raises(CoopgraphError, match="--since/--until slice the institution view only"):
        network.view(shipped, view="full", since=2020)


# ---------------------------------------------------------------- exports


def _views(fixture_store, shipped):
    return {"institutions": network.institution_network(fixture_store), "full": network.full_graph(shipped)}


def _edge_multiset(G: nx.Graph) -> Counter:
    if G.is_directed():
        return Counter((str(u), str(v)) for u, v in G.edges())
    return Counter(tuple(sorted((str(u), str(v)))) for u, v in G.edges())


@pytest.mark.parametrize("view", ["institutions", "full"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_exports_read_back_to_the_same_nodes_and_edges(tmp_path: Path, fixture_store, shipped, view, fmt):
    G = _views(fixture_store, shipped)[view]
    files = network.export_files(G, tmp_path / f"{view}.{fmt}")
    for path, data in files.items():
        path.write_bytes(data)
    if fmt == "graphml":
        back = nx.read_graphml(tmp_path / f"{view}.graphml", force_multigraph=G.is_multigraph())
        nodes, edges = set(back), _edge_multiset(back)
        attrs = back.nodes
    elif fmt == "gexf":
        back = nx.read_gexf(tmp_path / f"{view}.gexf")
        nodes, edges = set(back), _edge_multiset(back)
        attrs = back.nodes
    else:
        with open(tmp_path / f"{view}-nodes.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with open(tmp_path / f"{view}-edges.csv", encoding="utf-8", newline="") as handle:
            edge_rows = list(csv.DictReader(handle))
        nodes = {row["id"] for row in rows}
        pairs = [(row["source"], row["target"]) for row in edge_rows]
        edges = Counter(pairs if G.is_directed() else [tuple(sorted(p)) for p in pairs])
        attrs = {row["id"]: row for row in rows}
    assert nodes == {str(n) for n in G}
    assert edges == _edge_multiset(G)
    node = "alpha" if view == "institutions" else "ustl"
    assert json.loads(attrs[node]["names"]) == G.nodes[node]["names"]
    assert attrs[node]["kind"] == G.nodes[node]["kind"]


def test_export_attributes_are_scalars_lists_joined_dicts_as_json(institutions):
    back = nx.parse_graphml(network.to_graphml(institutions).decode("utf-8"))
    edge = back.edges["alpha", "beta"]
    assert edge["weight"] == 3 and edge["first_year"] == 2019
    assert edge["kinds"] == "agreement; visit"
    assert json.loads(edge["evidence_by_kind"]) == {"agreement": 1, "visit": 2}
    assert "country" not in back.nodes["epsilon"]  # None is left out, not written as "None"


def test_exports_are_deterministic(institutions):
    assert network.to_gexf(institutions) == network.to_gexf(institutions)
    assert b"lastmodifieddate" not in network.to_gexf(institutions)
    assert network.to_graphml(institutions) == network.to_graphml(institutions)


def test_export_format_from_suffix_or_refused(tmp_path: Path):
    G = nx.path_graph(2)
    assert list(network.export_files(G, tmp_path / "p.gexf")) == [tmp_path / "p.gexf"]
    assert sorted(p.name for p in network.export_files(G, tmp_path / "p", format="csv")) == [
        "p-edges.csv", "p-nodes.csv",
    ]
    with pytest.raises(CoopgraphError, match="cannot tell the format of .*use --format graphml|gexf|csv"):
        network.export_files(G, tmp_path / "p.xlsx")


# ---------------------------------------------------------------- the timeline


def test_timeline_events_of_the_article(shipped):
    found = [(e.id, e.kind, e.year, e.planned) for e in timeline.events(shipped)]
    assert found == [
        ("lstu-ustl-metallurgy-double-degree", "programme", 2020, False),
        ("lstu-sut-agreement-2023", "agreement", 2023, False),  # dated by the conference it was signed at
        ("lstu-ustl-staff-teaching-2023", "mobility", 2023, False),  # dated by its status ("сейчас")
        ("lstu-visit-liaoning-2023-09", "visit", 2023, False),  # its part at USTL is not counted again
        ("ustl-lstu-student-studies-2024", "mobility", 2024, True),  # "next year": planned
    ]
    table = timeline.counts(timeline.events(shipped))
    assert list(table) == [2020, 2021, 2022, 2023, 2024]
    assert sum(table[2023].values()) == 3 and not table[2021]


def _pixels_vary(png: bytes) -> float:
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    return float(image[..., :3].std())


def test_timeline_png_and_svg_are_valid_non_trivial_and_deterministic(tmp_path: Path, shipped):
    files = timeline.timeline_files(shipped, tmp_path / "timeline")
    assert sorted(p.name for p in files) == ["timeline.png", "timeline.svg"]
    png, svg = files[tmp_path / "timeline.png"], files[tmp_path / "timeline.svg"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert _pixels_vary(png) > 0.05
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 20
    assert b"<dc:date>" not in svg
    assert timeline.render(shipped, format="png") == png
    assert timeline.render(shipped, format="svg") == svg


def test_timeline_without_events_still_draws():
    png = timeline.render(MemoryStore(), format="png")
    assert _pixels_vary(png) > 0.01


def test_timeline_refuses_other_formats(tmp_path: Path, shipped):
    with pytest.raises(CoopgraphError, match=r"name a \.png or \.svg file"):
        timeline.timeline_files(shipped, tmp_path / "timeline.pdf")


# ---------------------------------------------------------------- the command line


@pytest.fixture()
def built_once(monkeypatch, shipped_build):
    """The command line reads the shipped data from the session's build instead of building it again: its
    memory store, built from the sources when first read, gets that build."""
    from coopgraph import stores

    def open_store(spec=None, *, sources=None, **options):
        assert parse_spec(spec).kind == "memory" and [Path(p) for p in sources] == [DATA]
        return MemoryStore(sources=lambda: shipped_build)

    monkeypatch.setattr(stores, "open_store", open_store)


def test_cli_stats_json(built_once, capsys):
    assert cli.main(["stats", str(DATA), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["nodes"], report["edges"]) == (4, 3)
    assert report["ranking"][0]["id"] == "lstu"
    assert report["countries"][0]["countries"] == "CN–RU"


def test_cli_network_and_timeline_write_files(built_once, tmp_path: Path, capsys):
    assert cli.main(["network", str(DATA), "--view", "full", "-o", str(tmp_path / "full.graphml")]) == 0
    assert nx.read_graphml(tmp_path / "full.graphml", force_multigraph=True).number_of_nodes() > 40
    assert cli.main(["network", str(DATA), "--focus", "ЛГТУ", "-o", str(tmp_path / "lstu.csv")]) == 0
    assert (tmp_path / "lstu-nodes.csv").read_text(encoding="utf-8").splitlines()[1].startswith("lstu,")
    assert cli.main(["viz", str(DATA), "--view", "full", "--focus", "lstu", "-o", str(tmp_path / "g.html")]) == 0
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "<title>coopgraph: the full graph around Lipetsk State Technical University</title>" in page
    assert cli.main(["timeline", str(DATA), "-o", str(tmp_path / "t.svg")]) == 0
    assert (tmp_path / "t.svg").read_bytes().startswith(b"<?xml")
    assert f"wrote {tmp_path / 't.svg'}" in capsys.readouterr().out


def test_cli_usage_errors_and_bad_focus(built_once, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["stats", str(DATA), "--since", "2025", "--until", "2020"])
    assert exit_info.value.code == 2
    assert "--since 2025 is after --until 2020" in capsys.readouterr().err
    assert cli.main(["network", str(DATA), "--focus", "nowhere", "-o", str(tmp_path / "x.gexf")]) == 1
    assert capsys.readouterr().err.startswith("coopgraph: 'nowhere' matches no institution;")  # the resolver's word
    assert not (tmp_path / "x.gexf").exists()


# ---------------------------------------------------------------- the main job: graph.html and the timeline


@pytest.fixture(scope="module")
def main_job_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    pipeline.build([DATA], out=out)
    return out


def test_main_job_writes_the_graph_page_and_the_timeline(main_job_out: Path):
    names = {path.name for path in main_job_out.iterdir()}
    assert {"graph.html", "timeline.png", "timeline.svg"} <= names
    page = (main_job_out / "graph.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "neu-shenyang" in page
    assert _pixels_vary((main_job_out / "timeline.png").read_bytes()) > 0.05
    assert ET.parse(main_job_out / "timeline.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.browser
def test_graph_page_of_the_shipped_data_draws_offline(main_job_out: Path):
    with chromium() as browser, open_page(browser) as session:
        session.goto(main_job_out / "graph.html")
        page = session.page
        page.wait_for_selector('html[data-drawn="true"]', state="attached", timeout=15_000)
        assert page.evaluate("window.coopgraph.nodes.length") == 4
        shot = page.locator("canvas").first.screenshot()
        assert _pixels_vary(shot) > 0.01
        assert session.log.problems() == []
        assert session.log.remote_requests() == []
