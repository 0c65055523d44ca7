"""coopgraph.publish: the VoID/DCAT description counts what the data holds; the report reads well offline."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image
import pyoxigraph as ox
import pytest
from rdflib import RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, VOID

from browser import chromium, open_page
from conftest import DATA, TESTDATA, store_of
from coopgraph import ids, pipeline, publish, resources
from coopgraph.cli import main
from coopgraph.namespaces import COOP, PREFIXES

HOSTILE = TESTDATA / "valid" / "publish" / "hostile.trig"
pytestmark = pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def main_job_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    pipeline.build([DATA], out=out)
    return out


@pytest.fixture(scope="module")
def description(shipped_store) -> Graph:
    return publish.describe(shipped_store)


@pytest.fixture(scope="module")
def hostile():
    """A store holding the named graphs of a TriG file whose texts are markup."""
    dataset = Dataset()
    dataset.parse(HOSTILE, format="trig")
    return store_of(dataset)


def _int(graph: Graph, subject: URIRef, predicate: URIRef) -> int:
    return int(graph.value(subject, predicate))


def _partition(d: Graph, kind: URIRef, key: URIRef, value: URIRef) -> URIRef:
    return next(p for p in d.objects(publish.DATASET, kind) if d.value(p, key) == value)


# ---------------------------------------------------------------------------------------------
# VoID and DCAT


def test_void_counts_match_the_data(shipped_store, description: Graph):
    d, data = description, shipped_store.union()
    assert _int(d, publish.DATASET, VOID.triples) == len(data)
    visits = _partition(d, VOID.classPartition, VOID["class"], COOP.Visit)
    assert _int(d, visits, VOID.entities) == 2
    for partition in d.objects(publish.DATASET, VOID.classPartition):
        cls = d.value(partition, VOID["class"])
        assert _int(d, partition, VOID.entities) == len(set(data.subjects(RDF.type, cls))), cls
    partitions = list(d.objects(publish.DATASET, VOID.propertyPartition))
    assert sum(_int(d, p, VOID.triples) for p in partitions) == len(data)
    assert _int(d, publish.DATASET, VOID.properties) == len(partitions) == len(set(data.predicates()))
    assert _int(d, publish.DATASET, VOID.distinctSubjects) == len(set(data.subjects()))
    assert _int(d, publish.DATASET, VOID.entities) == len({s for s in data.subjects() if ids.is_entity(s)})


def test_one_subset_per_named_graph_with_its_source(shipped_store, description: Graph):
    d = description
    graphs = {g.identifier: len(g) for g in shipped_store.dataset().graphs() if len(g)}
    assert set(graphs) == set(shipped_store.graphs())
    assert set(d.objects(publish.DATASET, VOID.subset)) == set(graphs)
    for name, size in graphs.items():
        assert _int(d, name, VOID.triples) == size
        assert d.value(name, DCTERMS.title) is not None, name
    article = ids.graph("source-lstu-2023-09-18")
    assert str(d.value(article, DCTERMS.title)).startswith("На просторах Поднебесной")
    assert d.value(article, DCTERMS.publisher) == ids.entity("lstu")
    assert d.value(article, DCTERMS.source) == ids.entity("source-lstu-2023-09-18")
    assert str(d.value(article, COOP.fileName)) == "sources/lstu-2023-09-18.yaml"


def test_description_names_license_vocabularies_and_dumps(description: Graph):
    d = description
    ontology = resources.ontology()
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert d.value(publish.DATASET, DCTERMS.license) == ontology.value(onto, DCTERMS.license)
    assert d.value(publish.DATASET, DCTERMS.conformsTo) == onto
    assert {d.value(publish.DATASET, DCTERMS.title, any=True)} and (publish.DATASET, RDF.type, DCAT.Dataset) in d
    vocabularies = {str(v) for v in d.objects(publish.DATASET, VOID.vocabulary)}
    assert {PREFIXES[p] for p in ("coop", "org", "foaf", "schema", "prov", "skos", "dcterms", "geo")} <= vocabularies
    titles = {str(d.value(x, DCTERMS.title)) for x in d.objects(publish.DATASET, DCAT.distribution)}
    assert titles == set(publish.DUMPS)
    assert d.value(publish.DATASET, VOID.sparqlEndpoint) is None and d.value(None, DCAT.downloadURL) is None


def test_description_is_dated_by_the_data_not_the_clock(shipped_store, hostile):
    shipped = publish.describe(shipped_store)
    assert shipped.value(publish.DATASET, DCTERMS.modified) == Literal("2023-09-18", datatype=XSD.date)
    assert publish.describe(hostile).value(publish.DATASET, DCTERMS.modified) == Literal("2024-01-02", datatype=XSD.date)
    assert publish.void_turtle(hostile) == publish.void_turtle(hostile)


def test_endpoint_and_download_urls_when_given(hostile):
    d = publish.describe(hostile, endpoint="http://127.0.0.1:7878/query", download_base="https://example.org/dumps/")
    assert d.value(publish.DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:7878/query")
    service = d.value(None, DCAT.servesDataset, publish.DATASET)
    assert d.value(service, DCAT.endpointURL) == URIRef("http://127.0.0.1:7878/query")
    assert URIRef("https://example.org/dumps/coop.trig") in set(d.objects(publish.DATASET, VOID.dataDump))


def test_description_leaves_itself_out(shipped_store, description: Graph):
    described = Dataset()
    for triple in description:
        described.add((*triple, publish.DESCRIPTION_GRAPH))
    store = store_of(shipped_store.dataset(), described)
    assert publish.DESCRIPTION_GRAPH in store.graphs()
    again = publish.describe(store)
    assert _int(again, publish.DATASET, VOID.triples) == _int(description, publish.DATASET, VOID.triples)


def test_main_job_writes_void_that_describes_coop_ttl(main_job_out: Path):
    store = ox.Store()
    store.load(path=main_job_out / "void.ttl", format=ox.RdfFormat.TURTLE)
    triples = len(list(ox.parse(path=main_job_out / "coop.ttl", format=ox.RdfFormat.TURTLE)))
    query = f"""PREFIX void: <{VOID}>
        SELECT ?triples ?visits WHERE {{ <{publish.DATASET}> void:triples ?triples ;
            void:classPartition [ void:class <{COOP.Visit}> ; void:entities ?visits ] }}"""
    row = next(iter(store.query(query)))
    assert (int(row["triples"].value), int(row["visits"].value)) == (triples, 2)


def test_export_with_the_description_carries_it_as_a_named_graph(tmp_path: Path, capsys):
    target = tmp_path / "coop.trig"
    assert main(["export", str(DATA), "--describe", "-o", str(target)]) == 0
    store = ox.Store()
    store.load(path=target, format=ox.RdfFormat.TRIG)
    names = {g.value for g in store.named_graphs()}
    assert str(publish.DESCRIPTION_GRAPH) in names and str(ids.graph("derived")) in names
    data = {(q.subject, q.predicate, q.object) for q in store if q.graph_name.value != str(publish.DESCRIPTION_GRAPH)}
    described = next(iter(store.query(f"SELECT ?n WHERE {{ GRAPH ?g {{ <{publish.DATASET}> <{VOID.triples}> ?n }} }}")))
    assert int(described["n"].value) == len(data)


# ---------------------------------------------------------------------------------------------
# the report


def test_report_summarises_the_shipped_data(main_job_out: Path):
    page = (main_job_out / "report.html").read_text(encoding="utf-8")
    for text in ("Institution network", "Timeline", "Sources", "На просторах Поднебесной", "Lipetsk State Technical University",
                 "sources/lstu-2023-09-18.yaml", "coop:Visit", "визит", "2023-09-18 00:22:00"):
        assert text in page, text
    assert 'src="data:image/svg+xml;base64,' in page and "<iframe" in page and 'srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "http://" not in page.split("<body>")[0].replace("http-equiv", "")


def test_report_escapes_every_text_from_the_data(hostile):
    page = publish.report_html(hostile)
    for raw in ("<script>alert", "<img src=x", "</script><script>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; Hostile news" in page
    assert "&lt;img src=x onerror=alert(&#x27;name&#x27;)&gt; University" in page


def _pixels_vary(png: bytes) -> float:
    return float(matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3].std())


@pytest.mark.browser
def test_report_renders_offline_with_the_network_drawn(main_job_out: Path, tmp_path: Path):
    with chromium() as browser, open_page(browser, viewport=(1280, 900)) as session:
        session.goto(main_job_out / "report.html")
        page = session.page
        frame = page.frame_locator("iframe.network")
        frame.locator('html[data-drawn="true"]').wait_for(state="attached", timeout=15_000)
        assert page.frames[1].evaluate("window.coopgraph.nodes.length") == 4
        assert page.evaluate("document.querySelector('img.timeline').naturalWidth") > 100
        text = page.inner_text("body")
        for expected in ("Institution network", "На просторах Поднебесной", "coop:Visit", "визит",
                         "Lipetsk State Technical University"):
            assert expected in text, expected
        shot = page.screenshot(full_page=True)
        (tmp_path / "report.png").write_bytes(shot)
        assert _pixels_vary(shot) > 0.05
        assert _pixels_vary(frame.locator("canvas").first.screenshot()) > 0.01
        assert session.log.problems() == []
        assert session.log.remote_requests() == []


@pytest.mark.browser
def test_report_shows_markup_from_the_data_as_text(tmp_path: Path, hostile):
    path = tmp_path / "report.html"
    path.write_text(publish.report_html(hostile), encoding="utf-8")
    with chromium() as browser, open_page(browser) as session:
        session.goto(path)
        page = session.page
        page.frame_locator("iframe.network").locator('html[data-drawn="true"]').wait_for(state="attached", timeout=15_000)
        text = page.inner_text("body")
        assert "<script>alert('title')</script> Hostile news" in text
        assert "<img src=x onerror=alert('name')> University" in text
        assert page.locator("img").count() == 1  # the timeline, and no image made of a label
        assert session.log.dialogs == [] and session.log.problems() == []


def test_long_lists_are_cut_with_a_count_of_the_rest():
    table = publish._table(["institution"], [[f"u{i}"] for i in range(5)], limit=3)
    assert table.count("<tr>") == 1 + 3 + 1 and "… and 2 more" in table and "u3" not in table
