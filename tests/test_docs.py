"""coopgraph.docs: every term documented in English and Russian, with its key and an example; one page, offline."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import matplotlib.image
import pytest
from rdflib import OWL, RDF, RDFS, Dataset, URIRef
from rdflib.namespace import DCTERMS, SKOS

from browser import chromium, open_page
from conftest import DATA, TESTDATA, store_of
from coopgraph import docs, resources
from coopgraph.cli import main

VANN = "http://purl.org/vocab/vann/"


@pytest.fixture(scope="module")
def page(shipped_store) -> str:
    return docs.ontology_html(examples=shipped_store.union())


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start: page.index("</section>", start)]


def test_the_ontology_carries_its_publication_metadata():
    ontology = resources.ontology()
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    for predicate in (OWL.versionInfo, OWL.versionIRI, DCTERMS.license, DCTERMS.creator, DCTERMS.modified,
                      URIRef(VANN + "preferredNamespacePrefix"), URIRef(VANN + "preferredNamespaceUri")):
        assert ontology.value(onto, predicate) is not None, predicate


def test_every_term_has_a_section(page: str):
    ontology = resources.vocabulary()  # coopgraph's terms, and the other vocabularies' terms it has a note on
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDFS.Datatype, SKOS.ConceptScheme)
    terms = {t for kind in kinds for t in ontology.subjects(RDF.type, kind) if isinstance(t, URIRef)}
    anchors = set(re.findall(r'id="([^"]+)"', page))
    missing = [str(t) for t in terms if docs._anchor(t) not in anchors]
    assert not missing
    assert len(terms) > 140


def test_a_class_in_english_and_russian_with_its_key_alignments_and_an_example(page: str):
    visit = _section(page, "Visit")
    for text in ("Visit", "Визит", "A visit of a delegation", "Визит делегации", "<code>Visit</code>",
                 'href="http://schema.org/Event"', 'href="#visitor"', "one of 2 instances",
                 "cgid:lstu-visit-liaoning-2023-09", "coop:visitor cgid:lstu", "not a prov:Activity"):
        assert text in visit, text
    assert 'href="http://www.w3.org/ns/prov#Activity"' not in visit  # every fact is a prov:Entity (prov:wasDerivedFrom)


def test_properties_show_key_domain_range_and_the_reverse_key(page: str):
    member = _section(page, "org-member")
    assert "<code>member</code>" in member and "<code>posts</code>" in member
    assert 'href="#org-Membership"' in member and 'href="#foaf-Person"' in member
    name = _section(page, "skos-prefLabel")
    assert "<code>name</code>" in name and "название" in name
    assert "functional" in _section(page, "status")
    assert "<th>domain</th>" in _section(page, "signedOn") and "<th>range</th>" in _section(page, "signedOn")


def test_terms_of_other_vocabularies_are_notes_on_their_use_not_definitions(page: str):
    used = page[page.index('id="used-terms"'):page.index('id="alignments"')]
    title = _section(page, "dcterms-title")
    assert 'id="dcterms-title"' in used
    for text in ("Title", "Заголовок", "<code>title</code>", "used by coopgraph", "coopgraph does not redefine it",
                 "coop:use-dcterms-title", "expected domain (coopgraph&#x27;s data)", 'href="#SourceDocument"',
                 'href="http://purl.org/dc/terms/"'):
        assert text in title, text
    assert "<th>domain</th>" not in title and "<th>range</th>" not in title
    person = _section(page, "foaf-Person")
    assert "class · used by coopgraph" in person and "<code>Person</code>" in person and "Человек" in person
    assert "Example from the data" in person
    source = _section(page, "SourceDocument")  # a class lists the terms of other vocabularies its instances are given
    assert 'href="#dcterms-title"' in source.split("also given (used by coopgraph)")[1].split("</tr>")[0]
    nav = page[page.index('<nav id="contents">'):page.index("</nav>")]
    assert 'href="#used-terms"' in nav and 'href="#dcterms-title"' in nav


def test_the_page_says_what_changed_and_why(page: str):
    header = page.split("</header>")[0]
    assert "no longer prov:Activity" in header and "no longer redefined" in header and "xsd:gYear" in header
    assert "больше не переопределяются" in header
    assert "(its forms are checked by the shapes" in _section(page, "PartialDate")


def test_concept_schemes_list_their_concepts(page: str):
    roles = _section(page, "roles")
    for text in ("ActingRector", "исполняющий обязанности ректора", "и. о. ректора", 'href="#Rector"'):
        assert text in roles, text
    for scheme in ("statuses", "mobilityKinds", "cooperationKinds"):
        assert 'class="kind">concept scheme' in _section(page, scheme)
    assert "Planned" in _section(page, "statuses") and "запланировано" in _section(page, "statuses")


def test_alignments_and_metadata(page: str):
    alignments = page[page.index('id="alignments"'):]
    assert 'href="#University"' in alignments.split("</table>")[0]
    assert "http://schema.org/CollegeOrUniversity" in alignments.split("</table>")[0]
    for text in ("0.1.0", "https://w3id.org/coopgraph/ns/0.1.0", "https://creativecommons.org/licenses/by/4.0/", "coop"):
        assert text in page.split("</header>")[0], text


def test_examples_from_the_data_are_escaped():
    hostile = Dataset()
    hostile.parse(TESTDATA / "valid" / "publish" / "hostile.trig", format="trig")
    page = docs.ontology_html(examples=store_of(hostile).union())
    assert "</script><script>" not in page and "<img src=x" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(&#x27;visit&#x27;)" in _section(page, "Visit")
    assert "<script" not in page  # the page runs nothing


def test_write_docs_writes_the_page_the_ontology_and_the_context(tmp_path: Path, capsys):
    assert main(["docs", str(DATA), "-o", str(tmp_path / "ns")]) == 0
    assert sorted(p.name for p in (tmp_path / "ns").iterdir()) == sorted(docs.FILES)
    assert (tmp_path / "ns" / "coop.ttl").read_bytes() == resources.ontology_path("coop.ttl").read_bytes()
    assert json.loads((tmp_path / "ns" / "context.jsonld").read_text(encoding="utf-8")) == resources.context()
    assert "wrote" in capsys.readouterr().out
    assert main(["docs", "--no-examples", "-o", str(tmp_path / "bare")]) == 0
    assert "Example from the data" not in (tmp_path / "bare" / "index.html").read_text(encoding="utf-8")


def test_write_docs_draws_its_examples_from_a_store(tmp_path: Path, shipped_store, page: str):
    written = docs.write_docs(tmp_path / "ns", store=shipped_store)
    assert sorted(p.name for p in written) == sorted(docs.FILES)
    assert (tmp_path / "ns" / "index.html").read_text(encoding="utf-8") == page
    docs.write_docs(tmp_path / "bare", store=None)
    assert "Example from the data" in page
    assert "Example from the data" not in (tmp_path / "bare" / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_docs_page_renders_offline(tmp_path: Path, page: str):
    path = tmp_path / "index.html"
    path.write_text(page, encoding="utf-8")
    with chromium() as browser, open_page(browser) as session:
        session.goto(path)
        shot = session.page.screenshot()
        assert float(matplotlib.image.imread(io.BytesIO(shot), format="png")[..., :3].std()) > 0.05
        text = session.page.inner_text("body")
        for expected in ("Visit", "визит", "cgid:lstu-visit-liaoning-2023-09", "Concept schemes", "Alignments"):
            assert expected in text, expected
        session.page.click('nav a[href="#Visit"]')
        assert session.page.locator("#Visit").is_visible()
        assert session.log.problems() == []
        assert session.log.remote_requests() == []
