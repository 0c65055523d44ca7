"""The derived graph's summaries and orders, and the paged listings that read them."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from coopgraph import derive, synth
from coopgraph.cli import main
from coopgraph.namespaces import COOP
from coopgraph.queries import load_query, page_note, parse_query, run_query
from coopgraph.stores import open_store

EX = "https://example.org/"


def _label_orders(triples) -> dict[str, int]:
    return {str(s).removeprefix(EX): int(o) for s, p, o in derive.in_memory(triples) if p == COOP.labelOrder}


def test_label_order_follows_display_names_in_code_point_order():
    triples = [(URIRef(EX + name), RDF.type, COOP.Institution) for name in "abcdf"] + [
        (URIRef(EX + "g"), SKOS.prefLabel, Literal("Aardvark", lang="en")),  # not an institution or a person: no number
        (URIRef(EX + "a"), SKOS.prefLabel, Literal("Beta", lang="en")),
        (URIRef(EX + "a"), SKOS.prefLabel, Literal("Альфа", lang="ru")),  # the English name is the display name
        (URIRef(EX + "b"), SKOS.prefLabel, Literal("Альфа", lang="ru")),  # no English: the first in code point order
        (URIRef(EX + "b"), SKOS.prefLabel, Literal("Яблоко", lang="ru")),
        (URIRef(EX + "c"), SKOS.prefLabel, Literal("alpha", lang="en-GB")),  # en-GB is English too
        (URIRef(EX + "d"), SKOS.prefLabel, Literal("Beta", lang="en")),  # the same name as a: by IRI
        (URIRef(EX + "e"), SKOS.altLabel, Literal("Aardvark", lang="en")),  # not an institution: no number
    ]
    assert _label_orders(triples) == {"f": 1, "a": 2, "d": 3, "c": 4, "b": 5}  # f has no name: first, as SPARQL sorts


def test_each_named_entity_gets_one_display_label_the_english_name_else_the_first():
    names = {
        "a": [Literal("Альфа", lang="ru"), Literal("Beta", lang="en")],  # English first
        "b": [Literal("Яблоко", lang="ru"), Literal("Альфа", lang="ru")],  # no English: the first in code point order
        "c": [Literal("alpha", lang="en-GB"), Literal("Zeta", lang="en")],  # of two English names, the first ('Z' < 'a')
        "d": [Literal("Same", lang="ru"), Literal("Same", lang="de")],  # the same text: by language tag
        "e": [Literal("Beta", lang="en-GB")],  # the tag is kept, in lower case as Oxigraph writes it
    }
    triples = [(URIRef(EX + key), SKOS.prefLabel, name) for key, values in names.items() for name in values]
    triples.append((URIRef(EX + "f"), SKOS.altLabel, Literal("Aardvark", lang="en")))  # no prefLabel: no display label
    found = [(str(s).removeprefix(EX), o) for s, p, o in derive.in_memory(triples) if p == COOP.displayLabel]
    assert sorted((key, str(label), label.language) for key, label in found) == [
        ("a", "Beta", "en"), ("b", "Альфа", "ru"), ("c", "Zeta", "en"), ("d", "Same", "de"), ("e", "Beta", "en-gb"),
    ]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Synthetic data with more than one page of cooperation links and of travellers."""
    folder = tmp_path_factory.mktemp("derive")
    report = synth.write(folder / "synth", triples=60_000, seed=3, format="nq")
    spec = f"oxigraph:{folder / 'store'}"
    with open_store(spec) as store:
        store.load_files(report.files)
    return spec


@pytest.fixture
def store(big):
    with open_store(big) as opened:
        yield opened


def _walk(store, name: str, params: dict[str, str] | None = None) -> tuple[list, list[int]]:
    rows, sizes, after = [], [], 0
    while True:
        page = list(run_query(store, name, {**(params or {}), "after": str(after)}))
        sizes.append(len(page))
        if not page:
            return rows, sizes
        rows += page
        after = int(page[-1].position)


def _count(store, pattern: str) -> int:
    result = run_query(store, parse_query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"))
    return int(next(iter(result))[0])


def _key(text) -> tuple:
    return (0, "") if text is None else (1, str(text))  # SPARQL's ORDER BY: unbound first


def test_cooperation_pages_cover_every_link_once_in_name_order(store):
    rows, sizes = _walk(store, "cooperation")
    assert sizes[0] == 1000 and sizes[-1] == 0
    assert len(rows) == _count(store, "?c a coop:Cooperation") > 1000
    positions = [int(row.position) for row in rows]
    assert positions == sorted(set(positions))  # increasing: no link twice, none skipped between pages
    keys = [(_key(r.institutionALabel), _key(r.institutionBLabel), str(r.cooperationKind)) for r in rows]
    assert keys == sorted(keys)
    assert all(str(r.institutionA) < str(r.institutionB) for r in rows)


def test_a_kind_pages_through_its_own_links(store):
    rows, _ = _walk(store, "cooperation", {"kind": "visit"})
    assert {str(r.cooperationKind) for r in rows} == {"visit"}
    assert len(rows) == _count(store, "?c coop:cooperationKind coop:VisitCooperation")


def test_people_pages_rank_by_trips_then_name(store):
    rows, sizes = _walk(store, "people-by-visits")
    assert sizes[0] == 1000 and len(rows) > 1000
    assert len(rows) == _count(store, "?p coop:tripCount ?n")
    keys = [(-int(r.visits), _key(r.personLabel)) for r in rows]
    assert keys == sorted(keys)
    assert all(str(r.firstVisit) <= str(r.lastVisit) for r in rows)


def test_visit_pages_follow_start_dates(store):
    rows, _ = _walk(store, "visits")
    assert len({str(r.visit) for r in rows}) == _count(store, "SELECT DISTINCT ?v WHERE { ?v a coop:Visit ; coop:host ?h ; "
                                                            "<http://schema.org/startDate> ?d }")
    starts = [str(r.startDate) for r in rows]
    assert starts == sorted(starts)


def test_a_full_page_says_how_to_ask_for_the_next(big, capsys):
    with open_store(big) as store:
        page = run_query(store, "cooperation")
        last = max(int(row.position) for row in page)
        assert page_note(load_query("cooperation"), page) == (
            f"cooperation: a full page (1000 rows) — for the next, add --param after={last}")
        assert page_note(load_query("cooperation"), run_query(store, "cooperation", {"after": str(last)})) is None
    assert main(["query", "cooperation", "--store", big, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"cooperation: a full page (1000 rows) — for the next, add --param after={last}"
    assert len(captured.out.strip().splitlines()) == 1001  # the header and the page


def test_summaries_count_what_the_facts_say(store):
    timeline = list(run_query(store, "timeline"))
    assert sum(int(r.facts) for r in timeline if str(r.kind) == "Agreement") == _count(store, "?a a coop:Agreement")
    pairs = list(run_query(store, "country-pairs"))
    assert all(str(r.countryA) <= str(r.countryB) for r in pairs)
    assert all(r.kinds.split() == sorted(set(r.kinds.split())) for r in pairs)  # alphabetical, each once
    assert sum(int(r.cooperations) for r in pairs) <= _count(store, "?c a coop:Cooperation")


def test_a_query_that_gives_its_first_rows_only_says_there_may_be_more(store):
    capped = parse_query("SELECT ?x WHERE { VALUES ?x { 1 2 3 } } ORDER BY ?x LIMIT 2")
    said = page_note(capped, run_query(store, capped))
    assert said == "-e: the first 2 rows — there may be more: narrow the question"  # -e: the name of SPARQL text
    roomy = parse_query("SELECT ?x WHERE { VALUES ?x { 1 2 3 } } ORDER BY ?x LIMIT 5")
    assert page_note(roomy, run_query(store, roomy)) is None


def test_institutions_without_ror_come_by_name_in_pages(store):
    rows, _ = _walk(store, "quality-missing-ror")
    without = "?i a coop:Institution FILTER NOT EXISTS { ?i owl:sameAs ?r FILTER(STRSTARTS(STR(?r), 'https://ror.org/')) }"
    assert len(rows) == _count(store, without) > 0
    keys = [_key(r.institutionLabel) for r in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("name", "every"), [
    ("agreements", "SELECT DISTINCT ?x ?d WHERE { ?x a coop:Agreement ; coop:party ?p OPTIONAL { ?x coop:signedOn ?d } }"),
    ("programmes", "SELECT DISTINCT ?x WHERE { ?x a schema:EducationalOccupationalProgram ; schema:provider ?p }"),
    ("mobility", "SELECT ?x ?s ?r WHERE { ?x a coop:Mobility ; coop:sender ?s ; coop:receiver ?r }"),
])
def test_fact_listings_page_through_every_fact_once(store, name, every):
    rows, sizes = _walk(store, name)
    assert sizes[-1] == 0
    positions = [int(r.position) for r in rows]
    assert positions == sorted(set(positions))  # one row a fact here: none twice, none skipped between pages
    assert len(rows) == len(list(run_query(store, parse_query(every)))) > 0
    if name == "agreements":
        dates = [_key(r.date) for r in rows]
        assert dates == sorted(dates)
    if name == "mobility":
        keys = [(_key(r.senderLabel), _key(r.receiverLabel), str(r.kind)) for r in rows]
        assert keys == sorted(keys)
    one = rows[len(rows) // 2]  # an institution's listing starts from it, in the same order
    party = one.sender if name == "mobility" else None
    if party is not None:
        own, _ = _walk(store, name, {"institution": str(party)})
        assert [int(r.position) for r in own] == sorted(int(r.position) for r in rows
                                                        if party in (r.sender, r.receiver))


def test_delegation_pages_hold_whole_visits_by_start_date(store):
    rows, sizes = _walk(store, "delegations")
    assert sizes[-1] == 0
    assert len(rows) == _count(store, "?v a coop:Visit ; coop:participation ?p . ?p coop:participant ?who")
    visits = [str(r.visit) for r in rows]
    runs = [v for i, v in enumerate(visits) if i == 0 or visits[i - 1] != v]
    assert len(runs) == len(set(runs))  # a visit's participations together, on one page
    positions = [int(r.position) for r in rows]
    assert positions == sorted(positions)
    starts = dict(run_query(store, parse_query("SELECT ?v ?d WHERE { ?v a coop:Visit ; <http://schema.org/startDate> ?d }")))
    dates = [str(starts[URIRef(v)]) for v in runs]
    assert dates == sorted(dates)
    one = runs[len(runs) // 2]
    assert [r.person for r in _walk(store, "delegations", {"visit": one})[0]] == [r.person for r in rows if str(r.visit) == one]
