"""coopgraph.publish: the VoID/DCAT description counts what the data holds; the report reads well offline."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, VOID

from browser import chromium, open_page
from conftest import DATA, TESTDATA, store_of
from coopgraph import __version__, ids, pipeline, publish, resources
from coopgraph.cli import main
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH, published_union
from coopgraph.errors import SourceError
from coopgraph.namespaces import COOP, PREFIXES

HOSTILE = TESTDATA / "valid" / "publish" / "hostile.trig"
DCAT_AP = TESTDATA / "dcat-ap" / "shapes.ttl"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3: not in rdflib's namespace
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
    d, data = description, published_union(shipped_store.dataset())  # the index graph is not described
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


def _graph_subsets(d: Graph) -> set:
    """The subsets that are named graphs: every subset but the linksets."""
    return {s for s in d.objects(publish.DATASET, VOID.subset) if (s, RDF.type, VOID.Linkset) not in d}


def test_one_subset_per_named_graph_with_its_source(shipped_store, description: Graph):
    d = description
    graphs = {g.identifier: len(g) for g in shipped_store.dataset().graphs() if len(g) and g.identifier != INDEX_GRAPH}
    assert set(graphs) | {INDEX_GRAPH} == set(shipped_store.graphs())
    assert _graph_subsets(d) == set(graphs)
    for name, size in graphs.items():
        assert _int(d, name, VOID.triples) == size
        assert d.value(name, DCTERMS.title) is not None, name
    article = ids.graph("source-lstu-2023-09-18")
    assert str(d.value(article, DCTERMS.title)).startswith("На просторах Поднебесной")
    assert d.value(article, DCTERMS.publisher) == ids.entity("lstu")
    assert d.value(article, DCTERMS.source) == ids.entity("source-lstu-2023-09-18")
    assert str(d.value(article, COOP.fileName)) == "sources/lstu-2023-09-18.yaml"


def test_description_names_rights_vocabularies_and_dumps(description: Graph):
    d = description
    ontology = resources.ontology()
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    assert d.value(publish.DATASET, DCTERMS.license) is None  # no one licence covers quoted news, GeoNames and ROR
    rights = d.value(publish.DATASET, DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in d
    assert str(d.value(rights, RDFS.label)).startswith("Mixed licences; each source graph (void:subset) states its own.")
    assert d.value(publish.DATASET, DCTERMS.conformsTo) == onto
    assert d.value(publish.DATASET, DCTERMS.creator) == ontology.value(onto, DCTERMS.creator)
    assert {d.value(publish.DATASET, DCTERMS.title, any=True)} and (publish.DATASET, RDF.type, DCAT.Dataset) in d
    vocabularies = {str(v) for v in d.objects(publish.DATASET, VOID.vocabulary)}
    assert {PREFIXES[p] for p in ("coop", "org", "foaf", "schema", "prov", "skos", "dcterms", "geo")} <= vocabularies
    dumps = set(d.objects(publish.DATASET, DCAT.distribution))
    assert {str(d.value(x, DCTERMS.title)) for x in dumps} == set(publish.DUMPS)
    assert {d.value(x, DCAT.accessURL) for x in dumps} == {URIRef("https://w3id.org/coopgraph/")}  # the landing page
    assert {d.value(x, DCTERMS.rights) for x in dumps} == {rights}
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
    trig = next(x for x in d.objects(publish.DATASET, DCAT.distribution) if str(d.value(x, DCTERMS.title)) == "coop.trig")
    assert d.value(trig, DCAT.downloadURL) == d.value(trig, DCAT.accessURL) == URIRef("https://example.org/dumps/coop.trig")


def _dcat_ap_problems(description: Graph) -> list[tuple[str, str]]:
    """(focus node, message) of each DCAT-AP 3 violation pySHACL finds in a description."""
    shapes = Graph().parse(DCAT_AP, format="turtle")
    conforms, report, _ = validate(description, shacl_graph=shapes)
    SH = "http://www.w3.org/ns/shacl#"
    problems = sorted((str(report.value(r, URIRef(SH + "focusNode"))), str(report.value(r, URIRef(SH + "resultMessage"))))
                      for r in report.subjects(RDF.type, URIRef(SH + "ValidationResult")))
    assert conforms == (not problems)
    return problems


def test_description_has_dcat_ap_mandatory_properties(description: Graph, hostile):
    assert _dcat_ap_problems(description) == []
    served = publish.describe(hostile, endpoint="http://127.0.0.1:7878/query", download_base="https://example.org/dumps/")
    assert _dcat_ap_problems(served) == []
    assert (publish.DATASET, DCAT.distribution, None) in description and (None, RDF.type, DCAT.DataService) in served
    publisher = description.value(publish.DATASET, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in description


def test_the_dcat_ap_shapes_catch_what_is_missing(description: Graph):
    """The shapes are not vacuous: each mandatory property taken out is reported, on the node that lacks it."""
    def without(*predicates: URIRef) -> Graph:
        g = Graph()
        for triple in description:
            if triple[1] not in predicates:
                g.add(triple)
        return g

    dumps = sorted(str(x) for x in description.objects(publish.DATASET, DCAT.distribution))
    assert _dcat_ap_problems(without(DCAT.accessURL)) == [
        (x, "Distribution.accessURL is mandatory (a resource)") for x in dumps
    ]
    assert _dcat_ap_problems(without(DCTERMS.description, FOAF.name)) == sorted([
        (str(publish.DATASET), "Dataset.description is mandatory (a literal)"),
        (str(description.value(publish.DATASET, DCTERMS.publisher)), "Agent.name is mandatory (a literal)"),
    ])


def _links(store, predicate: URIRef, space: str) -> int:
    """Distinct statements of one predicate from an entity of ours to an IRI in one space, by SPARQL."""
    query = f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{predicate}> ?o }}
        FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{ids.ID_BASE}") && STRSTARTS(STR(?o), "{space}")) }} }}"""
    return int(next(iter(store.dataset().query(query)))[0])


def test_linksets_count_the_links_to_each_linked_dataset(shipped_store, description: Graph):
    d = description
    linksets = {
        (str(d.value(s, VOID.objectsTarget)).rsplit("#linked-", 1)[1], d.value(s, VOID.linkPredicate)): _int(d, s, VOID.triples)
        for s in d.subjects(RDF.type, VOID.Linkset)
    }
    assert linksets == {
        ("ror", OWL.sameAs): 4,  # the four universities
        ("wikidata", OWL.sameAs): 3,  # LSTU has no Wikidata id in the registry
        ("geonames", OWL.sameAs): 7,  # 2 countries, 2 regions, 3 cities
        ("ror", URIRef(PREFIXES["org"] + "hasSubOrganization")): 2,
        ("ror", COOP.withdrawnRor): 1,
        ("ror", PROV.wasDerivedFrom): 8,  # the registries of institutions (4) and places (4) from ROR records
    }
    spaces = {x.key: x.uri_space for x in publish.read_metadata().linked}
    for (key, predicate), count in linksets.items():
        assert _links(shipped_store, predicate, spaces[key]) == count, (key, predicate)
    for linkset in d.subjects(RDF.type, VOID.Linkset):
        assert (publish.DATASET, VOID.subset, linkset) in d
        assert d.value(linkset, VOID.subjectsTarget) == publish.DATASET
        assert set(d.objects(linkset, VOID.target)) == {publish.DATASET, d.value(linkset, VOID.objectsTarget)}
    ror = publish.DESCRIPTION_GRAPH + "#linked-ror"
    assert d.value(URIRef(ror), VOID.uriSpace) == Literal("https://ror.org/")


def test_each_source_graph_has_its_own_licence_or_rights(description: Graph):
    d = description
    linked = {key: URIRef(f"{publish.DESCRIPTION_GRAPH}#linked-{key}") for key in ("ror", "wikidata", "geonames")}
    assert {key: d.value(node, DCTERMS.license) for key, node in linked.items()} == {
        "ror": CC0, "wikidata": CC0, "geonames": CC_BY,
    }
    attribution = d.value(linked["geonames"], DCTERMS.rights)
    assert "GeoNames" in str(d.value(attribution, RDFS.label))
    curated = [ids.graph(g) for g in ("registry-institutions", "registry-places", "registry-topics")] + [DERIVED_GRAPH]
    for graph in curated:
        assert d.value(graph, DCTERMS.license) == CC_BY, graph
    assert set(d.objects(ids.graph("registry-places"), DCTERMS.rights)) == {attribution}
    assert set(d.objects(ids.graph("registry-institutions"), DCTERMS.rights)) == set()
    assert d.value(ids.graph("registry-institutions"), PROV.wasDerivedFrom) == linked["ror"]
    news = ids.graph("source-lstu-2023-09-18")
    assert d.value(news, DCTERMS.license) is None  # the publisher's text: a licence coopgraph cannot grant
    assert d.value(news, DCTERMS.rightsHolder) == ids.entity("lstu")
    quoted = str(d.value(d.value(news, DCTERMS.rights), RDFS.label))
    assert "belongs to its publisher, Lipetsk State Technical University" in quoted and "right of quotation" in quoted


def test_publisher_contact_and_version_come_from_the_metadata_file(description: Graph, hostile, tmp_path: Path):
    d = description
    shipped = publish.read_metadata()
    assert d.value(publish.DATASET, DCAT_VERSION) == Literal(__version__) == Literal(shipped.version)
    assert d.value(publish.DATASET, DCAT.landingPage) == URIRef(shipped.homepage)
    assert d.value(d.value(publish.DATASET, DCTERMS.publisher), FOAF.name) == Literal("The coopgraph developers")
    vcard = "http://www.w3.org/2006/vcard/ns#"
    contact = d.value(publish.DATASET, DCAT.contactPoint)
    assert d.value(contact, URIRef(vcard + "hasURL")) == URIRef("https://w3id.org/coopgraph/")
    text = publish.METADATA.read_text(encoding="utf-8")
    text = text.replace("version:\n", "version: 2025.1\n").replace("download:\n", "download: https://example.org/dl\n")
    text = text.replace("  name: The coopgraph developers\n  homepage", "  name: Example University\n  homepage", 1)
    text = text.replace("contact:\n  name: The coopgraph developers\n",
                        "contact:\n  name: Data office\n  email: data@example.org\n")
    (tmp_path / "dataset.yaml").write_text(text, encoding="utf-8")
    own = publish.describe(hostile, metadata=publish.read_metadata(tmp_path / "dataset.yaml"))
    assert own.value(publish.DATASET, DCAT_VERSION) == Literal("2025.1")
    assert own.value(own.value(publish.DATASET, DCTERMS.publisher), FOAF.name) == Literal("Example University")
    contact = own.value(publish.DATASET, DCAT.contactPoint)
    assert own.value(contact, URIRef(vcard + "hasEmail")) == URIRef("mailto:data@example.org")
    assert URIRef("https://example.org/dl/coop.ttl") in set(own.objects(None, DCAT.accessURL))
    assert _dcat_ap_problems(own) == []


@pytest.mark.parametrize(("change", "at", "message"), [
    (("homepage: https", "homepag: https"), "homepag:",
     "unknown key 'homepag' in the dataset metadata — did you mean 'homepage'?"),
    (("homepage: https://w3id.org/coopgraph/\n", "homepage: w3id.org/coopgraph\n"), "homepage:",
     "'w3id.org/coopgraph' is not a URL for 'homepage' — write it whole, e.g. https://example.org/"),
    (("  url: https://w3id.org/coopgraph/\n", ""), "contact:",
     "'contact' has neither 'email' nor 'url' — give one: how to reach you"),
    (("  en: \"coopgraph: a", "  xx: \"coopgraph: a"), "  xx:",
     "unknown language tag 'xx' in 'title' — use one such as en, ru, zh"),
    (("license: https://creativecommons.org/licenses/by/4.0/\n", "license:\n"), "license:",
     "'license' is empty in the dataset metadata — write a URL"),
    (("    uriSpace: https://ror.org/\n", ""), "  ror:", "'linked: ror' has no 'uriSpace' — add it (a URL)"),
])
def test_a_mistake_in_the_metadata_file_names_its_line(tmp_path: Path, change, at, message):
    """``at``: how the line the message must name begins."""
    text = publish.METADATA.read_text(encoding="utf-8")
    assert change[0] in text
    text = text.replace(change[0], change[1], 1)
    line = next(n for n, content in enumerate(text.splitlines(), 1) if content.startswith(at))
    path = tmp_path / "dataset.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        publish.read_metadata(path)
    assert (caught.value.path, caught.value.line, caught.value.message) == (str(path), line, message)


def test_the_description_in_every_dump_reads_back_with_rapper(main_job_out: Path):
    """A second, independent parser: Raptor reads void.ttl and the graph …/graph/void of coop.trig to the
    same statements as rdflib's own reading of void.ttl; pyoxigraph reads the same graph from coop.jsonld."""
    if shutil.which("rapper") is None:
        pytest.skip("rapper not installed (apt-get install raptor2-utils)")
    expected = Graph().parse(main_job_out / "void.ttl", format="turtle")
    found = {}
    for name, syntax in (("void.ttl", "turtle"), ("coop.trig", "trig")):
        result = subprocess.run(["rapper", "-q", "-i", syntax, "-o", "nquads", str(main_job_out / name),
                                 "http://base.invalid/"], capture_output=True, check=True)
        quads = [q for q in ox.parse(result.stdout, ox.RdfFormat.N_QUADS)
                 if name == "void.ttl" or q.graph_name == ox.NamedNode(str(publish.DESCRIPTION_GRAPH))]
        found[name] = quads
    quads = [q for q in ox.parse(path=main_job_out / "coop.jsonld", format=ox.RdfFormat.JSON_LD)
             if q.graph_name == ox.NamedNode(str(publish.DESCRIPTION_GRAPH))]
    found["coop.jsonld"] = quads
    for name, quads in found.items():
        read = Graph()
        read.parse(data="".join(f"{ox.Triple(q.subject, q.predicate, q.object)} .\n" for q in quads), format="nt")
        assert len(read) == len(expected) and isomorphic(read, expected), name


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
