"""The query library: every named query's answers (on rdflib and Oxigraph), the derivation rules,
safe parameters, output formats, error messages and the two commands."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.plugins.sparql.results.csvresults import CSVResultParser
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser
from rdflib.query import Result

from conftest import store_of
from coopgraph import derive, export, ids, resources
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.dataset import DERIVED_GRAPH, INDEX_GRAPH, union
from coopgraph.errors import QueryError
from coopgraph.namespaces import COOP
from coopgraph.queries import (
    FORMATS,
    format_result,
    library_listing,
    list_queries,
    load_query,
    parse_query,
    query_sources,
    query_text,
    resolve_institution,
    run_query,
)
from coopgraph.stores import MemoryStore
from coopgraph.validate import validate

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(__file__).resolve().parent / "data"
MULTI = [ROOT / "data" / "registry", TESTDATA / "valid" / "multi-country"]
ECHO = TESTDATA / "queries" / "echo.rq"
INVALID = TESTDATA / "invalid" / "queries"

# Cells that hold lists: the order inside a cell is the engine's, so tests compare them sorted.
LISTS = {"kinds": " ", "sources": " ", "hosts": "; ", "parties": "; ", "providers": "; ", "institutions": "; ",
         "via": "; ", "matches": "; ", "agreementNames": "; "}

LSTU_ARTICLE = "На просторах Поднебесной: Липецкий Политех наращивает сотрудничество на международной арене."
LIAONING_VISIT = "Official visit of the LSTU delegation to universities of Liaoning province"
LIAONING_QUOTE = ("С 11 по 15 сентября делегация в составе и. о. ректора Л.А  Загеевой, заведующего кафедрой обработки "
                  "металлов давлением профессора И.П. Мазура и начальника международного отдела А.И. Поздняковой "
                  "посетила университеты провинции Ляонин.")
ICCIERA = ("International Conference on the Cooperation and Integration of Industry, Education, Research "
           "and Application 2023")
LSTU, USTL, SUT = "Lipetsk State Technical University", "University of Science and Technology Liaoning", \
    "Shenyang University of Technology"
NEU, TPU, HIT, DUT = "Northeastern University", "Tomsk Polytechnic University", "Harbin Institute of Technology", \
    "Dalian University of Technology"
TRIPARTITE = "Agreement on a joint engineering school of TPU, HIT and DUT"
LEGACY = "https://example.org/legacy/tpu-hit-1999"

# (fixture, query, parameters, expected rows in the query's column order; "" is unbound,
# entity IRIs are written as their ids). "shipped" is data/, "multi" the multi-country fixture.
CASES = [
    ("shipped", "partners", {"institution": "lstu"}, [
        ("ustl", USTL, "mobility programme visit", "2020", "2024", "4", "1", "source-lstu-2023-09-18"),
        ("sut", SUT, "agreement visit", "2023", "2023", "2", "0", "source-lstu-2023-09-18"),
        ("neu-shenyang", NEU, "visit", "2023", "2023", "1", "0", "source-lstu-2023-09-18"),
    ]),
    ("shipped", "partners", {"institution": "ustl", "since": "2021"}, [  # the 2020 programme is left out
        ("lstu", LSTU, "mobility visit", "2023", "2024", "3", "1", "source-lstu-2023-09-18"),
    ]),
    ("multi", "partners", {"institution": "tpu", "since": "2022"}, [  # HIT's visits ended in 2021
        ("dut", DUT, "agreement mobility", "2023", "2025", "3", "2", "source-tpu-2024-03"),
        ("hit", HIT, "agreement programme", "2021", "2024", "3", "1", "source-tpu-2021-05 source-tpu-2024-03"),
        ("neu-boston", NEU, "visit", "2024", "2024", "1", "0", "source-tpu-2024-03"),
    ]),
    ("shipped", "cooperation", {}, [
        ("lstu", LSTU, "neu-shenyang", NEU, "visit", "2023", "2023", "1", "0", "source-lstu-2023-09-18", "1"),
        ("lstu", LSTU, "sut", SUT, "agreement", "2023", "2023", "1", "0", "source-lstu-2023-09-18", "2"),
        ("lstu", LSTU, "sut", SUT, "visit", "2023", "2023", "1", "0", "source-lstu-2023-09-18", "3"),
        ("lstu", LSTU, "ustl", USTL, "mobility", "2023", "2024", "2", "1", "source-lstu-2023-09-18", "4"),
        ("lstu", LSTU, "ustl", USTL, "programme", "2020", "2020", "1", "0", "source-lstu-2023-09-18", "5"),
        ("lstu", LSTU, "ustl", USTL, "visit", "2023", "2023", "1", "0", "source-lstu-2023-09-18", "6"),
    ]),
    ("multi", "cooperation", {"kind": "agreement"}, [
        ("dut", DUT, "hit", HIT, "agreement", "2024", "2024", "1", "1", "source-tpu-2024-03", "1"),
        ("dut", DUT, "tpu", TPU, "agreement", "2024", "2024", "1", "1", "source-tpu-2024-03", "2"),
        ("hit", HIT, "tpu", TPU, "agreement", "2021", "2024", "2", "1", "source-tpu-2021-05 source-tpu-2024-03", "5"),
    ]),
    ("shipped", "visits", {}, [
        ("lstu-visit-ustl-2023-09", "LSTU delegation at USTL", "lstu", LSTU, USTL, "2023-09", "",
         "lstu-visit-liaoning-2023-09", "source-lstu-2023-09-18",
         "Первым из них стал Ляонинский университет науки и технологии (г. Аньшань)", "1"),
        ("lstu-visit-liaoning-2023-09", LIAONING_VISIT, "lstu", LSTU, f"{NEU}; {SUT}; {USTL}", "2023-09-11",
         "2023-09-15", "", "source-lstu-2023-09-18", LIAONING_QUOTE, "2"),
    ]),
    ("multi", "visits", {"place": "china"}, [  # a country two levels above the host's city
        # read from an RDF file that names no source: no sources, no quote
        (LEGACY, "TPU delegation in Harbin, 1999", "tpu", TPU, HIT, "1999", "", "", "", "", "1"),
        ("tpu-visit-hit-2021-05", "TPU delegation at HIT", "tpu", TPU, HIT, "2021-05-18", "2021-05-20", "",
         "source-tpu-2021-05", "", "2"),
    ]),
    ("multi", "visits", {"from": "2022", "to": "2024", "place": "usa"}, [
        ("tpu-visit-boston-2024-03", "TPU delegation in Boston", "tpu", TPU, NEU, "2024-03-04", "2024-03-08", "",
         "source-tpu-2024-03", "", "4"),
        ("tpu-visit-boston-lab-2024-03", "TPU delegation at the Northeastern University laboratories", "tpu", TPU,
         NEU, "2024-03-05", "", "tpu-visit-boston-2024-03", "source-tpu-2024-03", "", "5"),
    ]),
    ("shipped", "agreements", {}, [
        ("lstu-sut-agreement-2023", "Cooperation agreement between LSTU and Shenyang University of Technology",
         "CooperationAgreement", f"{LSTU}; {SUT}", "2023-09-14/2023-09-15", "2023", "icciera-2023", ICCIERA,
         "Completed", "source-lstu-2023-09-18",
         "В этом году в их число вошло и соглашение ЛГТУ с Шэньянским технологическим университетом.", "1"),
    ]),
    ("multi", "agreements", {"institution": "hit"}, [
        ("tpu-hit-mou-2021", "Memorandum of understanding between TPU and HIT", "MemorandumOfUnderstanding",
         f"{HIT}; {TPU}", "2021-05-20", "2021", "", "", "Completed",
         "source-tpu-2021-05", "", "1"),
        ("tpu-hit-dut-agreement-2024", TRIPARTITE, "CooperationAgreement", f"{DUT}; {HIT}; {TPU}",
         "2024-06-10/2024-06-12", "2024", "harbin-forum-2024", "Harbin Forum on Engineering Education 2024", "Planned",
         "source-tpu-2024-03", "", "2"),
    ]),
    ("shipped", "programmes", {}, [
        ("lstu-ustl-metallurgy-double-degree", "LSTU–USTL joint double-degree programme in Metallurgy",
         "DoubleDegreeProgramme", f"{LSTU}; {USTL}", "Металлургия", "2020", "", "Ongoing", "source-lstu-2023-09-18",
         "Ляонинский университет науки и технологии (г. Аньшань), где с 2020 года успешно реализуется совместная "
         "образовательная программа по направлению «Металлургия», позволяющая студентам получить двойной диплом.",
         "1"),
    ]),
    ("multi", "programmes", {"institution": "tpu"}, [
        ("tpu-hit-materials-programme", "TPU–HIT joint programme in Materials Science", "JointProgramme",
         f"{HIT}; {TPU}", "Materials Science", "2022", "", "Ongoing", "source-tpu-2024-03", "", "1"),
    ]),
    ("shipped", "delegations", {}, [
        ("lstu-visit-liaoning-2023-09", LIAONING_VISIT, "zageeva", "Liliya Zageeva", "DelegationMember",
         "ActingRector", "lstu", LSTU, "source-lstu-2023-09-18", LIAONING_QUOTE, "2"),
        ("lstu-visit-liaoning-2023-09", LIAONING_VISIT, "mazur", "I. P. Mazur", "DelegationMember",
         "HeadOfDepartment", "lstu-metal-forming-department", "Department of Metal Forming",
         "source-lstu-2023-09-18", LIAONING_QUOTE, "2"),
        ("lstu-visit-liaoning-2023-09", LIAONING_VISIT, "pozdnyakova", "A. I. Pozdnyakova", "DelegationMember",
         "HeadOfInternationalOffice", "lstu-international-office", "International Office",
         "source-lstu-2023-09-18", LIAONING_QUOTE, "2"),
    ]),
    ("multi", "delegations", {"visit": "tpu-visit-hit-2021-05"}, [
        ("tpu-visit-hit-2021-05", "TPU delegation at HIT", "petrov", "Ivan Petrov", "DelegationMember",
         "HeadOfInternationalOffice", "tpu", TPU, "source-tpu-2021-05", "", "2"),
        ("tpu-visit-hit-2021-05", "TPU delegation at HIT", "sidorova", "Анна Сидорова", "DelegationMember",
         "Teacher", "tpu", TPU, "source-tpu-2021-05", "", "2"),
    ]),
    ("shipped", "people-by-visits", {}, [
        ("pozdnyakova", "A. I. Pozdnyakova", "1", "2023-09-11", "2023-09-11", "1"),
        ("mazur", "I. P. Mazur", "1", "2023-09-11", "2023-09-11", "2"),
        ("zageeva", "Liliya Zageeva", "1", "2023-09-11", "2023-09-11", "3"),
    ]),
    ("multi", "people-by-visits", {}, [  # Petrov's Boston trip and its part count once
        ("petrov", "Ivan Petrov", "2", "2021-05-18", "2024-03-04", "1"),
        ("sidorova", "Анна Сидорова", "1", "2021-05-18", "2021-05-18", "2"),
    ]),
    ("shipped", "country-pairs", {}, [  # the Liaoning trip links three pairs and counts once
        ("CN", "RU", "3", "6", "5", "agreement mobility programme visit"),
    ]),
    ("multi", "country-pairs", {}, [
        ("CN", "RU", "3", "6", "8", "agreement mobility programme visit"),
        ("CN", "CN", "1", "1", "1", "agreement"),
        ("RU", "US", "1", "1", "1", "visit"),
    ]),
    ("shipped", "timeline", {}, [  # the USTL sub-visit is not a second visit; meetings take their visit's year
        ("", "ActionPlan", "1", "1"),
        ("2020", "Programme", "1", "0"),
        ("2023", "Agreement", "1", "0"),
        ("2023", "Conference", "1", "0"),
        ("2023", "Meeting", "5", "0"),
        ("2023", "Mobility", "1", "0"),
        ("2023", "SiteVisit", "1", "0"),
        ("2023", "Visit", "1", "0"),
        ("2024", "Mobility", "1", "1"),
    ]),
    ("multi", "timeline", {"from": "2021", "to": "2022"}, [
        ("2021", "Agreement", "1", "0"),
        ("2021", "Meeting", "1", "0"),
        ("2021", "Visit", "1", "0"),
        ("2022", "Programme", "1", "0"),
        ("2022", "Visit", "1", "0"),
    ]),
    ("shipped", "planned", {}, [
        ("lstu-joint-action-plan-2023", "Joint action plan for strengthening inter-university cooperation",
         "ActionPlan", "", f"{NEU}; {SUT}", "source-lstu-2023-09-18",
         "Результатом двусторонней продуктивной работы станет совместный план мероприятий по укреплению межвузовского "
         "взаимодействия."),
        ("ustl-lstu-student-studies-2024", "", "Mobility", "2024", f"{LSTU}; {USTL}", "source-lstu-2023-09-18",
         "на следующий год первые китайские студенты приедут продолжать обучение в Липецкий Политех"),
    ]),
    ("multi", "planned", {}, [
        ("tpu-hit-dut-agreement-2024", TRIPARTITE, "Agreement", "2024", f"{DUT}; {HIT}; {TPU}", "source-tpu-2024-03", ""),
        ("tpu-dut-student-studies-2025", "", "Mobility", "2025", f"{DUT}; {TPU}", "source-tpu-2024-03", ""),
    ]),
    ("shipped", "mobility", {}, [
        ("lstu-ustl-staff-teaching-2023", "lstu", LSTU, "ustl", USTL, "StaffTeaching", "5", "Ongoing", "", "",
         "2023-09", "source-lstu-2023-09-18", "сейчас 5 преподавателей ЛГТУ находятся в Аньшане, где проводят занятия "
         "по закрепленным за нашим университетом дисциплинам", "1"),
        ("ustl-lstu-student-studies-2024", "ustl", USTL, "lstu", LSTU, "StudentStudies", "", "Planned", "2024", "", "",
         "source-lstu-2023-09-18", "на следующий год первые китайские студенты приедут продолжать обучение в Липецкий "
         "Политех", "2"),
    ]),
    ("multi", "mobility", {"institution": "dut"}, [
        ("dut-tpu-staff-training-2023", "dut", DUT, "tpu", TPU, "StaffTraining", "3", "Completed", "2023-10",
         "2023-12", "", "source-tpu-2024-03", "", "1"),
        ("tpu-dut-student-studies-2025", "tpu", TPU, "dut", DUT, "StudentStudies", "10", "Planned", "2025", "", "",
         "source-tpu-2024-03", "", "2"),
    ]),
    ("shipped", "partners-of-partners", {"institution": "ustl"}, [
        ("neu-shenyang", NEU, LSTU, "1"),
        ("sut", SUT, LSTU, "1"),
    ]),
    ("multi", "partners-of-partners", {"institution": "dut"}, [
        ("lstu", LSTU, HIT, "1"),
        ("neu-boston", NEU, TPU, "1"),
    ]),
    ("shipped", "partners-of-partners", {"institution": "lstu"}, []),  # no two-hop partner: no row at all
    ("shipped", "signing-events", {}, [
        ("icciera-2023", ICCIERA, "2023-09-14", "2023-09-15", "shenyang", "Shenyang", "1", "0",
         "Cooperation agreement between LSTU and Shenyang University of Technology", "source-lstu-2023-09-18",
         "С 14 по 15 сентября делегация ЛГТУ приняла участие в работе International Conference on the Cooperation and "
         "Integration of Industry, Education, Research and Application 2023 (г. Шэньян, Китай)."),
    ]),
    ("multi", "signing-events", {}, [
        ("harbin-forum-2024", "Harbin Forum on Engineering Education 2024", "2024-06-10", "2024-06-12", "harbin",
         "Harbin", "1", "1", TRIPARTITE, "source-tpu-2024-03", ""),
    ]),
    ("shipped", "topics", {"institution": "sut"}, [
        ("topic-joint-programmes", "joint programmes", "1", SUT),
        ("topic-joint-research-projects", "joint research projects", "1", SUT),
        ("topic-joint-social-projects", "joint social projects", "1", SUT),
        ("topic-long-term-mobility", "long-term mobility programmes", "1", SUT),
        ("topic-short-term-mobility", "short-term mobility programmes", "1", SUT),
        ("topic-summer-schools", "summer schools", "1", SUT),
    ]),
    ("multi", "topics", {}, [
        ("topic-joint-programmes", "joint programmes", "1", HIT),
        ("topic-joint-research-projects", "joint research projects", "1", NEU),
        ("topic-summer-schools", "summer schools", "1", NEU),
    ]),
    ("shipped", "sources", {"entity": "lstu"}, [  # 2 units, 1 post, 2 visits, agreement, programme, 2 mobility
        ("registry-institutions", "coopgraph institutions registry", "", "states", "1"),
        ("source-lstu-2023-09-18", LSTU_ARTICLE, "2023-09-18T00:22:00", "mentions", "9"),
    ]),
    ("multi", "sources", {"entity": "coop-agreement-hit--tpu"}, [
        ("source-tpu-2021-05", "TPU delegation visits Harbin Institute of Technology", "2021-05-24", "states", "1"),
        ("source-tpu-2024-03", "TPU widens its partnerships", "2024-03-20", "states", "1"),
    ]),
    ("shipped", "find-institution", {"name": "лгту"}, [
        ("lstu", LSTU, "ЛГТУ", "true"),
    ]),
    ("multi", "find-institution", {"name": "NORTHEASTERN"}, [
        ("neu-boston", NEU, NEU, "false"),
        ("neu-shenyang", NEU, NEU, "false"),
    ]),
    ("shipped", "quality-missing-ror", {}, []),
    ("multi", "quality-missing-ror", {}, [
        ("dut", DUT, "", "1"),  # 1: its name comes first among the institutions and people of the fixture
    ]),
    ("shipped", "quality-unsourced-facts", {}, []),
    ("multi", "quality-unsourced-facts", {}, [
        (LEGACY, "TPU delegation in Harbin, 1999", "Visit"),
    ]),
    ("shipped", "quality-missing-english-label", {}, [
        ("ustl-president-2023", "Person", "", ""),
    ]),
    ("multi", "quality-missing-english-label", {}, [
        ("sidorova", "Person", "Анна Сидорова", "ru"),
    ]),
]


def _case_id(case) -> str:
    fixture, name, params, _ = case
    return "-".join([fixture, name] + [f"{k}={v}" for k, v in params.items()])


def _text(value: str | None, column: str) -> str:
    text = "" if value is None else ids.local_id(URIRef(value)) if value.startswith(ids.ID_BASE) else value
    if column in LISTS and text:
        text = LISTS[column].join(sorted(text.split(LISTS[column])))
    return text


def _rows(result: Result) -> list[tuple[str, ...]]:
    columns = [str(v) for v in result.vars or []]
    return [tuple(_text(None if t is None else str(t), c) for t, c in zip(row, columns, strict=True))
            for row in result]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def multi_build():
    return build_dataset(MULTI)


@pytest.fixture(scope="module")
def builds(shipped_build, multi_build):
    return {"shipped": shipped_build, "multi": multi_build}


@pytest.fixture(scope="module")
def memory(shipped_store, multi_build):
    """The same builds as memory stores (what ``run_query`` takes)."""
    return {"shipped": shipped_store, "multi": MemoryStore(multi_build.dataset)}


@pytest.fixture(scope="module")
def stores(builds):
    """The same datasets in Oxigraph, loaded from coopgraph's TriG export."""
    out = {}
    for name, build in builds.items():
        store = ox.Store()
        store.load(export.trig(build.dataset), ox.RdfFormat.TRIG)
        out[name] = store
    return out


# ------------------------------------------------------------------------------------- answers


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_query_answers(case, memory):
    fixture, name, params, expected = case
    result = run_query(memory[fixture], name, params)
    assert [str(v) for v in result.vars] == list(load_query(name).returns)  # the header says what comes back
    assert _rows(result) == expected


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_query_answers_on_oxigraph(case, stores):
    """The text coopgraph binds runs unchanged on Oxigraph (no implicit prefixes) with the same answers."""
    fixture, name, params, expected = case
    query = load_query(name)
    solutions = stores[fixture].query(query_text(query, params), use_default_graph_as_union=True)
    columns = [v.value for v in solutions.variables]
    rows = [tuple(_text(None if s[c] is None else s[c].value, c) for c in columns) for s in solutions]
    assert rows == expected


def test_every_query_has_answers_under_test():
    assert {name for _, name, _, _ in CASES} == {q.name for q in list_queries()}


def test_every_query_has_a_summary():
    assert all(query.summary for query in list_queries())


def _sparql_files() -> list[Path]:
    folder = resources.queries_dir()
    return sorted(folder.glob("*.rq")) + sorted((folder / "rules").glob("*.rq"))


@pytest.mark.parametrize("path", _sparql_files(), ids=lambda p: p.name)
def test_no_property_path_of_unbounded_length(path):
    """`p+` and `p*` compute a closure before any LIMIT (190 s on Oxigraph at 1M triples)."""
    from coopgraph.sparqltext import strip_comments

    body = re.sub(r'"[^"\n]*"|<[^>\s]*>', "", strip_comments(path.read_text(encoding="utf-8")))
    assert not re.search(r"(?<=[\w>)])[*+](?=[\s?$<(/|^.;,])", body)


def test_a_store_answers_over_the_union_of_its_named_graphs(shipped_store):
    """The data in one graph or spread over one graph per source (and the derived graph): the same answers."""
    assert len(shipped_store.graphs()) > 1
    one_graph = store_of(shipped_store.union())
    assert len(one_graph.graphs()) == 1
    assert _rows(run_query(one_graph, "partners", {"institution": "lstu"})) == CASES[0][3]
    assert _rows(run_query(shipped_store, "partners", {"institution": "lstu"})) == CASES[0][3]


# ------------------------------------------------------------------------------------- derived cooperation


def _cooperations(dataset: Dataset) -> set[tuple]:
    """The derived links, with their evidence counts from the index graph."""
    graph, index = dataset.graph(DERIVED_GRAPH), dataset.graph(INDEX_GRAPH)
    out = set()
    for node in graph.subjects(None, COOP.Cooperation):
        out.add((
            ids.local_id(node),
            str(graph.value(node, COOP.cooperationKind)).rsplit("#", 1)[1],
            tuple(sorted(ids.local_id(p) for p in graph.objects(node, COOP.partner))),
            graph.value(node, COOP.firstYear),
            graph.value(node, COOP.lastYear),
            index.value(node, COOP.evidenceCount),
            tuple(sorted(ids.local_id(e) for e in graph.objects(node, COOP.evidence))),
            tuple(sorted(ids.local_id(s) for s in graph.objects(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")))),
        ))
    return out


def _year(text: str) -> Literal:
    return Literal(text, datatype=XSD.gYear)


def test_derived_cooperation_on_the_shipped_data(shipped_build):
    derived = shipped_build.dataset
    article = ("source-lstu-2023-09-18",)
    trip = ("lstu-visit-liaoning-2023-09",)  # the USTL sub-visit is part of this trip: not counted again
    assert _cooperations(derived) == {
        ("coop-programme-lstu--ustl", "ProgrammeCooperation", ("lstu", "ustl"), _year("2020"), _year("2020"),
         Literal(1), ("lstu-ustl-metallurgy-double-degree",), article),
        ("coop-visit-lstu--ustl", "VisitCooperation", ("lstu", "ustl"), _year("2023"), _year("2023"), Literal(1),
         trip, article),
        ("coop-mobility-lstu--ustl", "MobilityCooperation", ("lstu", "ustl"), _year("2023"), _year("2024"),
         Literal(2), ("lstu-ustl-staff-teaching-2023", "ustl-lstu-student-studies-2024"), article),
        ("coop-agreement-lstu--sut", "AgreementCooperation", ("lstu", "sut"), _year("2023"), _year("2023"),
         Literal(1), ("lstu-sut-agreement-2023",), article),
        ("coop-visit-lstu--sut", "VisitCooperation", ("lstu", "sut"), _year("2023"), _year("2023"), Literal(1),
         trip, article),
        ("coop-visit-lstu--neu-shenyang", "VisitCooperation", ("lstu", "neu-shenyang"), _year("2023"),
         _year("2023"), Literal(1), trip, article),
    }


def test_derived_cooperation_keeps_facts_without_source_or_year(multi_build):
    visits = {c for c in _cooperations(multi_build.dataset) if c[0] == "coop-visit-hit--tpu"}
    assert visits == {("coop-visit-hit--tpu", "VisitCooperation", ("hit", "tpu"), _year("1999"), _year("2021"),
                       Literal(2), (LEGACY, "tpu-visit-hit-2021-05"), ("source-tpu-2021-05",))}


def test_a_pair_without_any_year_gets_no_years(tmp_path):
    source = tmp_path / "undated.ttl"
    source.write_text(
        "@prefix cgid: <https://w3id.org/coopgraph/id/> . @prefix coop: <https://w3id.org/coopgraph/ns#> .\n"
        "cgid:undated-mou a coop:Agreement ; coop:party cgid:lstu , cgid:ustl .\n",
        encoding="utf-8",
    )
    build = build_dataset([ROOT / "data" / "registry", source])
    (cooperation,) = _cooperations(build.dataset)
    assert cooperation[:6] == ("coop-agreement-lstu--ustl", "AgreementCooperation", ("lstu", "ustl"), None, None,
                               Literal(1))


@pytest.mark.parametrize("fixture", ["shipped", "multi"])
def test_rules_derive_the_same_graph_on_oxigraph(fixture, builds, stores):
    """The build (derivation in memory) and an Oxigraph store as `coopgraph load` derives it (side by
    side, numbers counted while the second stage runs) derive the same graph: links, summaries and numbers."""
    store = ox.Store()
    derived = ox.NamedNode(str(DERIVED_GRAPH))
    store.extend(quad for quad in stores[fixture] if quad.graph_name != derived)
    derive.on_oxigraph(store, derived)
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, derived)
             if q.subject != ox.NamedNode(str(DERIVED_GRAPH))]  # what the graph says of itself differs: no sources given here
    triples = Graph().parse(data="\n".join(lines), format="nt")
    rdflib_derived = Graph()
    for s, p, o in builds[fixture].dataset.graph(DERIVED_GRAPH):
        if s != DERIVED_GRAPH:
            rdflib_derived.add((s, p, o))
    assert len(triples) > 100
    assert isomorphic(triples, rdflib_derived)


def test_the_multi_country_fixture_is_valid(multi_build):
    """The shipped data's validity, derived graph included, is tested by the build tests."""
    assert validate(multi_build) == []


# ------------------------------------------------------------------------------------- parameters


HOSTILE = ["> } ; DROP ALL #", 'x" } ; DROP ALL #', "x' } ; DROP ALL #", '"""', "'''", "a\\", "line\nbreak",
           "tab\tand \\n", "bell\x07 and \x7f", "?institution", "} UNION { ?s ?p ?o }",
           "<https://w3id.org/coopgraph/id/lstu>"]


def test_an_institution_iri_is_taken_as_it_is_and_an_unknown_one_gets_the_closest_names(shipped_build):
    from coopgraph import resolve

    store = MemoryStore(shipped_build.dataset)  # a store no resolver has seen yet
    assert resolve_institution("https://w3id.org/coopgraph/id/lstu", store) == URIRef(ids.entity("lstu"))
    assert resolve_institution("cgid:ustl", store) == URIRef(ids.entity("ustl"))
    assert store not in resolve._BY_STORE  # no resolver built: the names of the store were not gathered
    with pytest.raises(ValueError, match="lstu"):
        resolve_institution("https://w3id.org/coopgraph/id/lstuu", store)  # not an institution: the resolver says which are close
    assert store in resolve._BY_STORE  # that one needed the resolver
    assert resolve_institution("https://ror.org/006fh5g40", store) == URIRef(ids.entity("lstu"))  # a ROR IRI: resolved


@pytest.mark.parametrize("value", HOSTILE + ["Липецкий Политех", "辽宁"])
def test_a_hostile_value_is_only_a_value(value, shipped_store):
    before = len(union(shipped_store.dataset()))
    query = load_query(ECHO)
    assert _rows(run_query(shipped_store, query, {"text": value})) == [(value, str(len(value)))]
    text = query_text(query, {"text": value})
    block = re.search(r" VALUES \(\?text\) \{ \((.*)\) \} ", text, re.S)
    assert text.replace(block.group(0), "") == query.text  # the rest of the text is as written
    assert len(union(shipped_store.dataset())) == before


@pytest.mark.parametrize("value", HOSTILE + ["Липецкий Политех", "辽宁"])
def test_a_hostile_value_is_only_a_value_on_oxigraph(value, stores):
    solutions = stores["shipped"].query(query_text(load_query(ECHO), {"text": value}))
    assert [(s["text"].value, s["length"].value) for s in solutions] == [(value, str(len(value)))]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_name_finds_nothing_and_changes_nothing(value, shipped_store):
    before = set(shipped_store.dataset().quads())
    assert _rows(run_query(shipped_store, "find-institution", {"name": value})) == []
    assert set(shipped_store.dataset().quads()) == before


@pytest.mark.parametrize("value", ["> } ; DROP ALL #", "lstu> } #", "lstu\n} #", "a b", "<lstu> <x>", 'x"y'])
def test_a_hostile_iri_is_refused(value):
    with pytest.raises(QueryError, match=r"(?s)query partners: parameter institution: .* is not an id"):
        query_text(load_query("partners"), {"institution": value})


@pytest.mark.parametrize(("value", "term"), [
    ("lstu", URIRef("https://w3id.org/coopgraph/id/lstu")),
    ("cgid:lstu", URIRef("https://w3id.org/coopgraph/id/lstu")),
    ("https://w3id.org/coopgraph/id/lstu", URIRef("https://w3id.org/coopgraph/id/lstu")),
    ("<https://ror.org/006fh5g40>", URIRef("https://ror.org/006fh5g40")),
])
def test_iri_parameters_take_ids_prefixed_names_and_iris(value, term):
    assert f"VALUES (?institution ?since) {{ ({term.n3()} " in query_text(load_query("partners"), {"institution": value})


def test_parameters_are_bound_where_they_are_used():
    text = query_text(load_query("agreements"), {"institution": "hit"})
    assert text.count("VALUES (?institution ?after)") == 1  # the page's subquery
    assert text.count("VALUES (?institution)") == 2  # the two one-row-or-empty subqueries, not the outer query


def test_an_optional_parameter_without_default_stays_unbound():
    text = query_text(load_query("visits"), {})
    assert "VALUES (?from ?to) { (" in text  # the defaults are bound
    assert text.count("VALUES (?place) { (UNDEF) }") == text.count("?place) {") > 0  # place: unbound in every group using it


@pytest.mark.parametrize(("params", "message"), [
    ({"institution": "lstu", "since": "2020s"}, "parameter since: '2020s' is not a year (YYYY)"),
    ({"institution": "lstu", "since": "20"}, "parameter since: '20' is not a year (YYYY)"),
])
def test_values_must_fit_their_type(params, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        query_text(load_query("partners"), params)


# ------------------------------------------------------------------------------------- formats


@pytest.fixture(scope="module")
def agreements(memory):
    """A result with IRIs, language-tagged and typed literals, a comma and unbound cells."""
    return run_query(memory["multi"], "agreements", {})


def _terms(result) -> list[tuple]:
    return [tuple(row) for row in result]


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_results_formats_parse_back_to_the_same_terms(fmt, agreements):
    data = format_result(agreements, fmt)
    assert isinstance(data, bytes)
    if fmt == "tsv":
        parsed = TSVResultParser().parse(io.StringIO(data.decode("utf-8")))
    else:
        parsed = Result.parse(io.BytesIO(data), format=fmt)
    assert [str(v) for v in parsed.vars] == [str(v) for v in agreements.vars]
    assert _terms(parsed) == _terms(agreements)


def test_csv_parses_back_to_the_same_text(agreements):
    data = format_result(agreements, "csv")
    parsed = CSVResultParser().parse(io.StringIO(data.decode("utf-8")))
    assert [tuple("" if t is None else str(t) for t in row) for row in parsed] == \
        [tuple("" if t is None else str(t) for t in row) for row in agreements]
    assert next(csv.reader(io.StringIO(data.decode("utf-8"))))[0] == "agreement"


def test_tsv_escapes_what_would_break_a_line(shipped_store):
    result = run_query(shipped_store, load_query(ECHO), {"text": 'a\tb\nc"d'})
    data = format_result(result, "tsv")
    assert data == b'?text\t?length\n"a\\tb\\nc\\"d"\t"7"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
    (row,) = TSVResultParser().parse(io.StringIO(data.decode("utf-8")))
    assert str(row[0]) == 'a\tb\nc"d'


@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", "turtle"), ("jsonld", "json-ld")])
def test_graph_formats_parse_back_to_the_same_graph(fmt, rdf_format, shipped_store):
    result = run_query(shipped_store, "rules/cooperation-visits", {})
    data = format_result(result, fmt)
    parsed = Graph().parse(data=data, format=rdf_format)
    assert len(parsed) == 18  # 3 visit pairs × 6 statements (their trips: cooperation-visits-evidence; counts: the index)
    assert isomorphic(parsed, result.graph)


def test_the_table_is_for_reading(shipped_store):
    table = format_result(run_query(shipped_store, "partners", {"institution": "ustl"}), "table")
    assert table == (
        "partner    partnerLabel                        kinds                     firstYear  lastYear  evidence  planned"
        "  sources\n"
        "---------  ----------------------------------  ------------------------  ---------  --------  --------  -------"
        "  ----------------------\n"
        f"cgid:lstu  Lipetsk State Technical University  {_kinds(table)}  2020       2024      4         1        "
        "source-lstu-2023-09-18\n"
        "(1 row)\n"
    )


def _kinds(table: str) -> str:
    found = re.search(r"(?:mobility|programme|visit)(?: (?:mobility|programme|visit)){2}", table)
    assert found and sorted(found.group().split()) == ["mobility", "programme", "visit"]
    return found.group()


def test_the_table_aligns_wide_characters_and_cuts_long_cells(shipped_store):
    table = format_result(run_query(shipped_store, "find-institution", {"name": "辽宁"}), "table")
    assert table == (
        "institution  institutionLabel                               matches       exact\n"
        "-----------  ---------------------------------------------  ------------  -----\n"
        "cgid:ustl    University of Science and Technology Liaoning  辽宁科技大学  false\n"
        "(1 row)\n"
    )
    cut = format_result(run_query(shipped_store, "sources", {"entity": "lstu"}), "table")
    assert "  На просторах Поднебесной: Липецкий Политех наращивает сотру…  " in cut


def test_ask_results(shipped_store):
    query = parse_query("PREFIX coop: <https://w3id.org/coopgraph/ns#>\nASK { ?v a coop:Visit }")
    result = run_query(shipped_store, query)
    assert format_result(result, "table") == "true\n"
    assert json.loads(format_result(result, "json"))["boolean"] is True


@pytest.mark.parametrize(("query", "fmt", "message"), [
    ("rules/cooperation-visits", "csv", "a CONSTRUCT query returns a graph — use --format turtle or jsonld"),
    ("partners", "turtle", "a SELECT query returns a table — use --format table, json, xml, csv or tsv"),
    ("partners", "yaml", "unknown format 'yaml'"),
])
def test_a_format_that_does_not_fit_is_an_error(query, fmt, message, shipped_store):
    params = {"institution": "lstu"} if query == "partners" else {}
    with pytest.raises(QueryError, match=re.escape(message)):
        format_result(run_query(shipped_store, query, params), fmt, name=query)


# ------------------------------------------------------------------------------------- errors


def test_a_syntax_error_names_the_query_line_and_column():
    path = INVALID / "syntax-error.rq"
    with pytest.raises(QueryError) as caught:
        run_query(MemoryStore(), load_query(path))
    message = str(caught.value)
    assert message.startswith(f"query {path}: SPARQL syntax error at line 8, column 3, near 'FILTER(?visit > )'")
    assert message.endswith(f"({path}:8:3)")


def test_a_syntax_error_in_inline_sparql_keeps_its_position():
    with pytest.raises(QueryError, match=r"^query -e: SPARQL syntax error at line 3, column 3, near 'OPTINAL"):
        run_query(MemoryStore(), parse_query("SELECT ?v WHERE {\n  ?v ?p ?o .\n  OPTINAL { ?v ?q ?w }\n}"))


def test_a_syntax_error_is_reported_where_the_text_was_written_even_with_parameters():
    query = parse_query("#+ params: name (string, required)\nSELECT ?name WHERE {\n  ?x ?y ?name\n  FILTER(?name > )\n}")
    with pytest.raises(QueryError, match=r"line 4, column 3"):
        run_query(MemoryStore(), query, {"name": "x"})


def test_an_undeclared_prefix_is_named():
    with pytest.raises(QueryError, match=r"query -e: Unknown namespace prefix : nope — declare it with PREFIX"):
        run_query(MemoryStore(), parse_query("SELECT ?v WHERE { ?v a nope:Visit }"))


def test_an_unknown_parameter_names_the_query_and_its_parameters():
    with pytest.raises(QueryError) as caught:
        query_text(load_query("partners"), {"instituion": "lstu"})
    assert str(caught.value) == (
        "query partners: unknown parameter 'instituion' — did you mean 'institution'? "
        "(parameters: institution (institution, required); since (gYear, optional, default 1900))"
    )


def test_a_missing_parameter_names_the_query_and_its_parameters():
    with pytest.raises(QueryError) as caught:
        query_text(load_query("partners-of-partners"), {})
    assert str(caught.value) == (
        "query partners-of-partners: missing parameter 'institution' — give it with --param institution=VALUE "
        "(parameters: institution (institution, required))"
    )


def test_parameters_of_a_query_without_any():
    with pytest.raises(QueryError, match=r"unknown parameter 'since' \(parameters: none\)"):
        query_text(load_query("country-pairs"), {"since": "2020"})


@pytest.mark.parametrize(("name", "message"), [
    ("partner", "query partner: no such query — did you mean 'partners', 'planned' or 'partners-of-partners'?"),
    ("vists", "query vists: no such query — did you mean 'visits'?"),
    ("zzz", "query zzz: no such query — 'coopgraph queries' lists the library"),
    ("../pyproject", "query ../pyproject: no such query"),
    ("missing.rq", "query missing.rq: no such file — check the path"),
])
def test_an_unknown_query_suggests_the_closest(name, message):
    with pytest.raises(QueryError) as caught:
        load_query(name)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("file", "message"), [
    ("unknown-header-key.rq", "line 3: cannot read header line '#+ parms: institution (IRI, required)' — did you mean 'params'?"),
    ("param-not-a-variable.rq", "parameter 'country' is not a variable of the query"),
    ("unknown-param-type.rq", "parameter 'since' has unknown type 'year' — did you mean 'gYear'?"),
    ("bad-default.rq", "parameter since: 'soon' is not a year (YYYY)"),
])
def test_a_header_that_cannot_be_read_is_an_error(file, message):
    first_line = (INVALID / file).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("#")
    with pytest.raises(QueryError) as caught:
        load_query(INVALID / file)
    assert str(caught.value).startswith(f"query {INVALID / file}: ")
    assert message in str(caught.value)


# ------------------------------------------------------------------------------------- the commands


def test_query_command_writes_the_standard_formats(capsysbinary):
    assert main(["query", "partners", "--param", "institution=lstu", "--format", "csv", "--data", str(ROOT / "data")]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert out.splitlines()[0] == "partner,partnerLabel,kinds,firstYear,lastYear,evidence,planned,sources"
    assert len(out.splitlines()) == 4


def test_query_command_runs_a_file_and_inline_sparql(capsys):
    registry = str(ROOT / "data" / "registry")
    assert main(["query", str(ECHO), "-p", "text=hello", "--data", registry]) == 0
    assert capsys.readouterr().out.splitlines()[2].split() == ["hello", "5"]
    assert main(["query", "-e", "SELECT (COUNT(*) AS ?institutions) WHERE { ?i a coop:Institution }",
                 "--data", registry]) == 0
    assert capsys.readouterr().out == "institutions\n------------\n4\n(1 row)\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["query", "partner"], "coopgraph: query partner: no such query — did you mean 'partners'"),
    (["query", "partners"], "coopgraph: query partners: missing parameter 'institution'"),
    (["query", "partners", "-p", "institution=lstu", "-f", "turtle"], "coopgraph: query partners: a SELECT query"),
])
def test_query_command_fails_with_one_line(argv, message, capsys):
    assert main(argv + ["--data", str(TESTDATA / "nothing-here")]) == 1  # fails before reading any source
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["query"], ["query", "partners", "-e", "ASK {}"], ["query", "partners", "-p", "lstu"]])
def test_query_command_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2


def test_queries_command_lists_the_library(capsys):
    assert main(["queries"]) == 0
    out = capsys.readouterr().out
    assert out == library_listing()
    for query in list_queries():
        assert re.search(rf"^{re.escape(query.name)} +\S", out, re.M)
    assert "params: institution (institution, required); since (gYear, optional, default 1900)" in out


def test_query_sources_checks_before_building(tmp_path):
    from coopgraph.errors import SourceError
    from coopgraph.stores import open_store

    store = open_store("memory", sources=[tmp_path / "nothing-here"])  # built when first read, and that fails
    with pytest.raises(QueryError, match="unknown parameter"):
        query_sources("partners", store=store, params={"x": "1"})
    with pytest.raises(QueryError, match="unknown format"):
        query_sources("partners", store=store, params={"institution": "lstu"}, fmt="html")
    with pytest.raises(SourceError):
        query_sources("partners", store=store, params={"institution": "lstu"})  # only a good query reads the store


def test_formats_are_the_documented_ones():
    assert FORMATS == ("table", "json", "xml", "csv", "tsv", "turtle", "jsonld")


# ------------------------------------------------------------------------------------- named institutions

NAMED = [
    ("ЛГТУ", "lstu"),
    ("Липецкого Политеха", "lstu"),
    ("LSTU", "lstu"),
    ("https://ror.org/006fh5g40", "lstu"),
    ("Ляонинским университетом науки и технологии", "ustl"),
    ("ror.org/03grx7119", "ustl"),
    ("Q1363559", "neu-shenyang"),
    ("Shenyang University of Technology", "sut"),
]


@pytest.mark.parametrize(("mention", "expected"), NAMED)
def test_an_institution_parameter_may_be_a_name_acronym_or_identifier(mention, expected, shipped_build, shipped_store,
                                                                     tmp_path):
    from coopgraph.stores import open_store

    direct = _rows(run_query(shipped_store, "partners", {"institution": expected}))
    assert direct  # every institution of the article has partners
    assert _rows(run_query(shipped_store, "partners", {"institution": mention})) == direct
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    try:
        store.load(shipped_build.dataset)
        assert sorted(_rows(run_query(store, "partners", {"institution": mention}))) == sorted(direct)
    finally:
        store.close()


def test_the_institution_type_resolves_a_name_whatever_the_parameter_is_called(shipped_store):
    query = parse_query(
        "#+ params: partner (institution, required)\n"
        "SELECT ?acronym WHERE { ?partner coop:acronym ?acronym . FILTER(LANG(?acronym) = 'en') }"
    )
    assert _rows(run_query(shipped_store, query, {"partner": "Липецкого Политеха"})) == [("LSTU",)]
    assert "VALUES (?partner) { (<https://w3id.org/coopgraph/id/ustl>) }" in query_text(query, {"partner": "ustl"})


def test_a_parameter_called_institution_but_typed_iri_is_not_resolved_by_name(shipped_store):
    query = parse_query("#+ params: institution (IRI, required)\nSELECT ?institution WHERE { ?institution a coop:Institution }")
    assert _rows(run_query(shipped_store, query, {"institution": "lstu"})) == [("lstu",)]
    with pytest.raises(QueryError) as error:
        run_query(shipped_store, query, {"institution": "Липецкого Политеха"})
    assert str(error.value) == (
        "query -e: parameter institution: 'Липецкого Политеха' is not an id (lstu), a prefixed name (cgid:lstu) "
        "or an IRI (https://...)"
    )


def test_an_unknown_institution_name_is_a_query_error_with_the_closest_names(shipped_store):
    with pytest.raises(QueryError) as error:
        run_query(shipped_store, "partners", {"institution": "Lipetsk State Technical Univ"})
    assert "query partners: parameter institution:" in str(error.value)
    assert "Lipetsk State Technical University" in str(error.value)
