"""Institution identity: ROR import, names in every language, resolving mentions without false merges.

Runs over every file in ../shared/data/ror (CI copies shared/ beside the clone). Without it the tests
are skipped, except under CI, where its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, Graph, URIRef
from rdflib.namespace import ORG

from coopgraph import ids, pipeline
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.dataset import union
from coopgraph.errors import SourceError
from coopgraph.namespaces import COOP
from coopgraph.resolve import AmbiguousInstitution, Resolver, UnknownInstitution, name_key
from coopgraph.sources.rdfcheck import check_rdf
from coopgraph.sources.registry import import_ror, load_resolver
from coopgraph.sources.ror import is_grid, isni, read_ror, read_ror_records, ror_id

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
ROR_DIR = SHARED / "data" / "ror"
THIRD_PARTY = ROR_DIR / "third_party_rdf"
ARTICLE_RECORDS = [
    "00s6tnr74__v1.16.json",
    "03grx7119__v1.54.json",
    "03grx7119__v1.54_schema_v1.json",
    "00d7f8730__v1.54.json",
    "00d7f8730__v1.54_schema_v1.json",
    "03awzbc87__v1.41.json",
    "03awzbc87__v1.54.json",
    "03awzbc87__v1.54_schema_v1.json",
]

if not ROR_DIR.is_dir():
    if os.environ.get("CI"):
        pytest.fail(f"shared ROR records not found at {ROR_DIR}: CI must copy shared/ beside the clone", pytrace=False)
    pytest.skip(f"shared ROR records not found at {ROR_DIR} (shared/ is not beside the repository)", allow_module_level=True)

ROR_FILES = sorted(ROR_DIR.glob("*.json"))


def ror(short: str) -> str:
    return "https://ror.org/" + short


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def full_data(tmp_path_factory) -> Path:
    """A copy of data/ with every shared ROR record imported into its registry."""
    target = tmp_path_factory.mktemp("full") / "data"
    shutil.copytree(ROOT / "data", target)
    report = import_ror([ROR_DIR], registry=target / "registry" / "institutions.yaml")
    assert not report.warnings, [str(w) for w in report.warnings]
    return target


@pytest.fixture(scope="module")
def full(full_data: Path) -> Resolver:
    return load_resolver(full_data / "registry")


@pytest.fixture(scope="module")
def shipped() -> Resolver:
    return load_resolver(ROOT / "data" / "registry")


@pytest.fixture(scope="module")
def full_graph(full_data: Path) -> Graph:
    return union(build_dataset([full_data], rules=False).dataset)


@pytest.fixture()
def registry_copy(tmp_path: Path) -> Path:
    target = tmp_path / "registry"
    shutil.copytree(ROOT / "data" / "registry", target)
    return target / "institutions.yaml"


# ---------------------------------------------------------------- reading records


@pytest.mark.parametrize("path", ROR_FILES, ids=lambda p: p.name)
def test_every_shared_record_reads(path: Path):
    record = read_ror(path)
    assert ror_id(record.ror) == path.name[:9]
    assert record.names and record.display_name
    assert record.schema == (2 if '"names"' in path.read_text(encoding="utf-8") else 1)
    assert record.status in ("active", "inactive", "withdrawn")
    assert all(is_grid(g) for g in record.grid) and all(isni(i) == i for i in record.isni)
    assert all(ror_id(r.ror) for r in record.relationships)


def test_v1_and_v2_of_one_release_say_the_same():
    for short in ("03grx7119", "00d7f8730", "03awzbc87"):
        v2 = read_ror(ROR_DIR / f"{short}__v1.54.json")
        v1 = read_ror(ROR_DIR / f"{short}__v1.54_schema_v1.json")
        assert (v1.schema, v2.schema) == (1, 2)
        assert (v1.grid, v1.isni, v1.wikidata, v1.established) == (v2.grid, v2.isni, v2.wikidata, v2.established)
        assert {n.value for n in v1.names} == {n.value for n in v2.names}
        assert {(r.type, r.ror) for r in v1.relationships} == {(r.type, r.ror) for r in v2.relationships}
        assert v1.place.geonames_id == v2.place.geonames_id


def test_the_newest_version_of_a_record_is_used():
    records = {r.id: r for r in read_ror_records([ROR_DIR])}
    assert len(records) == len({p.name[:9] for p in ROR_FILES})
    neu = records["03awzbc87"]
    assert (neu.release, neu.schema) == ("1.54", 2)
    assert neu.website == "https://www.neu.edu.cn"  # v1.41 said http://english.neu.edu.cn/


def test_the_withdrawn_lipeck_record_names_lstu_as_its_successor():
    record = read_ror(ROR_DIR / "00s6tnr74__v1.16.json")
    assert record.status == "withdrawn"
    assert record.display_name == "Lipeck State Technical University"
    assert record.successor == "https://ror.org/006fh5g40"


def test_identifier_forms():
    assert ror_id("https://ror.org/006fh5g40") == ror_id("ror.org/006FH5G40") == ror_id("006fh5g40") == "006fh5g40"
    assert ror_id("006fh5g41") is None  # checksum
    assert ror_id("https://ror.org/0000n5x0") is None
    assert is_grid("grid.412252.2") and not is_grid("g")
    assert isni("0000 0004 0368 6968") == "0000000403686968" and isni("0000000403686969") is None


def test_a_file_that_is_not_json_fails_with_its_line(tmp_path: Path):
    bad = tmp_path / "03awzbc87__v1.54.json"
    bad.write_text('{\n  "id": "https://ror.org/03awzbc87",\n  "names": [,]\n}\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_ror(bad)
    assert (caught.value.path, caught.value.line) == (str(bad), 3)
    assert "not JSON" in str(caught.value)


# ---------------------------------------------------------------- the founding article's mentions

#: Every mention of the four institutions in data/articles/lstu-2023-09-18.ru.txt, as written there.
ARTICLE_MENTIONS = [
    ("Липецкий Политех", "lstu"),  # title: «Липецкий Политех наращивает сотрудничество»
    ("ЛГТУ", "lstu"),  # «команды ЛГТУ», «делегация ЛГТУ», «глава ЛГТУ», «соглашение ЛГТУ»...
    ("Ляонинский университет науки и технологии", "ustl"),  # «Первым из них стал ...»
    ("ЛУНТ", "ustl"),  # «с президентом ЛУНТ»
    ("Липецкий Политех", "lstu"),  # «приедут ... в Липецкий Политех» (accusative = nominative)
    ("Шэньянским технологическим университетом", "sut"),  # «соглашение ЛГТУ с ...»
    ("Шэньянском технологическом университете", "sut"),  # «рабочие встречи ... в ...»
    ("Северо-восточном университете", "neu-shenyang"),  # «и в ... (г. Шэньян, Китай)»
    ("Липецкого Политеха", "lstu"),  # «налаживание связей ... с китайскими партнерами»
    ("Липецкий государственный технический университет", "lstu"),  # the signature
]
#: Mentions in the article's data file and other forms an author may write.
OTHER_MENTIONS = [
    ("Ляонинского университета науки и технологии", "ustl"),
    ("ЛИПЕЦКОГО ПОЛИТЕХА", "lstu"),
    ("Lipeck State Technical University", "lstu"),
    ("L.S.T.U.", "lstu"),
    ("lstu", "lstu"),
    ("cgid:lstu", "lstu"),
    ("https://w3id.org/coopgraph/id/lstu", "lstu"),
    ("https://ror.org/006fh5g40", "lstu"),
    ("ror.org/00d7f8730", "sut"),
    ("00d7f8730", "sut"),
    ("Q14478494", "ustl"),
    ("http://www.wikidata.org/entity/Q1363559", "neu-shenyang"),
    ("Dongbei Daxue", "neu-shenyang"),
    ("东北大学", "neu-shenyang"),
    ("Shenyang Mechanical and Electrical Engineering College", "sut"),
]


def test_the_article_mentions_are_really_in_the_article():
    text = (ROOT / "data" / "articles" / "lstu-2023-09-18.ru.txt").read_text(encoding="utf-8")
    for mention, _ in ARTICLE_MENTIONS:
        assert mention in text, mention


@pytest.mark.parametrize("mention, expected", ARTICLE_MENTIONS + OTHER_MENTIONS)
def test_a_mention_resolves_to_its_node_in_the_shipped_registry(shipped: Resolver, mention: str, expected: str):
    assert shipped.resolve(mention).id == expected


@pytest.mark.parametrize("mention, expected", ARTICLE_MENTIONS + OTHER_MENTIONS)
def test_a_mention_resolves_to_its_node_with_every_record_loaded(full: Resolver, mention: str, expected: str):
    assert full.resolve(mention).id == expected


def test_russian_inflection_is_ignored_word_by_word():
    assert name_key("Шэньянским технологическим университетом") != name_key("Шэньянский технологический университет")
    shenyang = [sorted(w) for w in name_key("Шэньянским технологическим университетом")]
    assert [min(w, key=len) for w in shenyang] == ["шэньянский", "технологический", "университет"]


# ---------------------------------------------------------------- never one node for two, never two for one


def test_the_two_northeastern_universities_stay_two_nodes(full: Resolver, full_graph: Graph):
    shenyang = full.resolve("03awzbc87")
    boston = full.resolve("https://ror.org/04t5xt781")
    assert (shenyang.id, boston.id) == ("neu-shenyang", "neu-boston")
    assert shenyang.iri != boston.iri
    assert set(full_graph.objects(shenyang.iri, OWL.sameAs)).isdisjoint(full_graph.objects(boston.iri, OWL.sameAs))
    assert full.resolve("Северо-Восточный университет").id == "neu-shenyang"  # only Shenyang has Russian names
    assert full.resolve("NU").id == "neu-boston"


@pytest.mark.parametrize("mention", ["NEU", "Northeastern University", "northeastern university", "N.E.U."])
def test_a_mention_of_both_northeastern_universities_is_ambiguous(full: Resolver, mention: str):
    with pytest.raises(AmbiguousInstitution) as caught:
        full.resolve(mention)
    message = str(caught.value)
    assert f"'{mention}' matches 2 institutions" in message
    assert "neu-shenyang: Northeastern University, Shenyang, China, ror:03awzbc87" in message
    assert "neu-boston: Northeastern University, Boston, United States, ror:04t5xt781" in message
    assert "use the id or the ROR id" in message
    assert [c.id for c in caught.value.candidates] == ["neu-boston", "neu-shenyang"]


def test_ustl_and_the_liaoning_institute_of_science_and_technology_stay_apart(full: Resolver):
    ustl = full.resolve("USTL")
    list_ = full.resolve("Liaoning Institute of Science and Technology")
    assert ustl.id == "ustl" and list_.id == "liaoning-institute-science-technology"
    assert ustl.iri != list_.iri
    assert full.resolve("辽宁科技学院").id == list_.id and full.resolve("辽宁科技大学").id == ustl.id
    with pytest.raises(UnknownInstitution) as caught:  # one word away from USTL's Russian name: no guess
        full.resolve("Ляонинский институт науки и технологии")
    assert "'Ляонинский университет науки и технологии' (ustl)" in str(caught.value)


def test_the_withdrawn_lipeck_record_resolves_to_lstu(shipped: Resolver, full: Resolver, full_graph: Graph):
    for resolver in (shipped, full):
        lstu = resolver.resolve("https://ror.org/00s6tnr74")
        assert lstu.id == "lstu" and lstu.ror[0] == "https://ror.org/006fh5g40"
        assert resolver.resolve("Lipeck State Technical University") == lstu
    node = ids.entity("lstu")
    assert set(full_graph.objects(node, OWL.sameAs)) == {URIRef(ror("006fh5g40"))}  # one live ROR id per node
    assert set(full_graph.objects(node, COOP.withdrawnRor)) == {URIRef(ror("00s6tnr74"))}
    assert not list(full_graph.subjects(OWL.sameAs, URIRef(ror("00s6tnr74"))))


def test_a_withdrawn_record_whose_successor_is_new_creates_the_successor(full: Resolver):
    platov = full.resolve("008a1t746")
    assert platov.ror == (ror("00vqyrr20"), ror("008a1t746"))
    assert platov.name == "Platov South-Russian State Polytechnic University"
    assert full.resolve("Южно-Российский государственный политехнический университет") == platov


def test_the_laboratories_of_neu_are_its_children(full_graph: Graph, full: Resolver):
    neu = full.resolve("neu-shenyang").iri
    labs = [full.resolve(short).iri for short in ("01h3km103", "0380ng272")]
    for lab in labs:
        assert (lab, ORG.subOrganizationOf, neu) in full_graph
        assert (neu, ORG.hasSubOrganization, lab) in full_graph
    assert set(full_graph.objects(neu, ORG.hasSubOrganization)) == set(labs)


def test_every_institution_is_one_node_with_at_most_one_live_ror_id(full_graph: Graph):
    seen: dict[str, URIRef] = {}
    for node, same in full_graph.subject_objects(OWL.sameAs):
        if str(same).startswith("https://ror.org/"):
            assert str(same) not in seen, f"{same} on {seen.get(str(same))} and {node}"
            seen[str(same)] = node
    live = {}
    for node in set(seen.values()):
        live[node] = [s for s in full_graph.objects(node, OWL.sameAs) if str(s).startswith("https://ror.org/")]
    assert all(len(v) == 1 for v in live.values())
    records = read_ror_records([ROR_DIR])
    expected = {r.ror for r in records if r.status != "withdrawn"} | {r.successor for r in records if r.status == "withdrawn"}
    assert set(seen) == expected  # the live records, and the successors of the withdrawn ones (LSTU, Platov)


# ---------------------------------------------------------------- errors


def test_an_unknown_name_gives_the_closest_names(shipped: Resolver):
    with pytest.raises(UnknownInstitution) as caught:
        shipped.resolve("Липецкий политехнический")
    assert "'Липецкий политехнический' matches no institution" in str(caught.value)
    assert "'Липецкий Политех' (lstu)" in str(caught.value)
    assert caught.value.closest[0] == ("Липецкий Политех", "lstu")


@pytest.mark.parametrize("mention", ["ЛГТУУ", "LSTUS", "LST", "NEUS"])
def test_acronyms_match_exactly_or_not_at_all(shipped: Resolver, mention: str):
    with pytest.raises(UnknownInstitution):
        shipped.resolve(mention)


def test_an_unknown_ror_id_says_to_import_it(shipped: Resolver):
    with pytest.raises(UnknownInstitution, match="no institution in the registry has this ROR id — import its record"):
        shipped.resolve("https://ror.org/04t5xt781")


# ---------------------------------------------------------------- importing


def test_the_shipped_registry_is_what_importing_the_article_records_gives(registry_copy: Path):
    before = {p.name: p.read_bytes() for p in registry_copy.parent.iterdir()}
    report = import_ror([ROR_DIR / name for name in ARTICLE_RECORDS], registry=registry_copy)
    assert report.written == [] and not report.warnings and not report.added
    assert {p.name: p.read_bytes() for p in registry_copy.parent.iterdir()} == before


def test_import_is_idempotent(registry_copy: Path):
    first = import_ror([ROR_DIR], registry=registry_copy)
    assert len(first.added) == 16 and first.places_added
    files = {p.name: p.read_bytes() for p in registry_copy.parent.iterdir()}
    second = import_ror([ROR_DIR], registry=registry_copy)
    assert second.written == [] and second.added == [] and second.places_added == []
    assert {p.name: p.read_bytes() for p in registry_copy.parent.iterdir()} == files


def test_the_merged_registry_builds_and_validates(full_data: Path):
    summary = pipeline.check([full_data])
    assert not summary.problems


def test_curated_values_survive_a_conflicting_import_with_a_warning(registry_copy: Path):
    text = registry_copy.read_text(encoding="utf-8")
    text = text.replace("en: University of Science and Technology Liaoning", "en: Liaoning University of Science and Technology")
    text = text.replace('founded: "1948"', 'founded: "1950"')
    text = text.replace("http://www.wikidata.org/entity/Q14478494", "http://www.wikidata.org/entity/Q4115189")
    registry_copy.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if fragment in line)

    report = import_ror([ROR_DIR / "03grx7119__v1.54.json"], registry=registry_copy)
    warnings = [str(w) for w in report.warnings]
    path = str(registry_copy)
    assert (f"{path}:{line_of('en: Liaoning University of Science')}: ustl: name@en is 'Liaoning University of Science "
            "and Technology', ROR 03grx7119 says 'University of Science and Technology Liaoning' — kept the curated name"
            ) in "\n".join(warnings)
    founded, wikidata = line_of('founded: "1950"'), line_of("Q4115189")
    assert f"{path}:{founded}: ustl: founded is '1950', ROR 03grx7119 says '1948' — kept the curated value" in warnings
    assert f"{path}:{wikidata}: ustl: Wikidata is Q4115189, ROR 03grx7119 says Q14478494 — kept the curated id" in warnings
    after = registry_copy.read_text(encoding="utf-8")
    assert 'founded: "1950"' in after and "Q4115189" in after and "Q14478494" not in after
    assert "en: Liaoning University of Science and Technology" in after
    assert load_resolver(registry_copy.parent).resolve("University of Science and Technology Liaoning").id == "ustl"


def test_ror_ids_match_records_to_entries_never_names(registry_copy: Path, tmp_path: Path):
    """A record named like an entry but with another ROR id becomes a new entry, never a merge."""
    report = import_ror([ROR_DIR / "04t5xt781__v1.49.json"], registry=registry_copy)
    assert report.added == ["neu-boston"] and report.updated == []
    resolver = load_resolver(registry_copy.parent)
    assert resolver.resolve("04t5xt781").id == "neu-boston"
    assert resolver.resolve("03awzbc87").id == "neu-shenyang"


def test_one_ror_id_on_two_entries_is_an_error(registry_copy: Path):
    text = registry_copy.read_text(encoding="utf-8")
    registry_copy.write_text(text.replace("sameAs: [https://ror.org/00d7f8730", "sameAs: [https://ror.org/03grx7119"),
                             encoding="utf-8")
    with pytest.raises(SourceError, match="https://ror.org/03grx7119 is given for both 'ustl'") as caught:
        import_ror([ROR_DIR / "03grx7119__v1.54.json"], registry=registry_copy)
    assert caught.value.line is not None


def test_import_ror_on_the_command_line(registry_copy: Path, capsys):
    code = main(["import", "ror", str(ROR_DIR / "04t5xt781__v1.49.json"), "--registry", str(registry_copy)])
    out = capsys.readouterr().out
    assert code == 0 and "institutions added: 1 (neu-boston)" in out and "places added: 2 (united-states, boston)" in out
    assert main(["resolve", "NEU", "--registry", str(registry_copy.parent)]) == 1
    assert "'NEU' matches 2 institutions" in capsys.readouterr().err
    assert main(["resolve", "Шэньянским технологическим университетом", "--registry", str(registry_copy.parent)]) == 0
    assert "sut: Shenyang University of Technology, Shenyang, China, ror:00d7f8730" in capsys.readouterr().out


# ---------------------------------------------------------------- third-party RDF is checked, not trusted


@pytest.fixture(scope="module")
def registry_graph() -> Graph:
    from coopgraph.sources import read_source, source_files

    graph = Graph()
    for path in source_files([ROOT / "data" / "registry"]):
        for triple in read_source(path).graph:
            graph.add(triple)
    return graph


@pytest.mark.parametrize(
    "file, line, fragment",
    [
        ("03grx7119.ttl", 19, "\"USTL\"@None: 'None' is not a language tag"),
        ("03awzbc87.ttl", 20, "\"NEU\"@None: 'None' is not a language tag"),
        ("0000n5x09.ttl", 17, "\"IATE\"@None: 'None' is not a language tag"),
        ("00s6tnr74.ttl", 23, "<https://grid.ac/institutions/g> is not a valid GRID identifier"),
        ("00d7f8730.ttl", 22, "owl:sameAs <https://en.wikipedia.org/wiki/Shenyang_University_of_Technology>: a Wikipedia"),
        ("03awzbc87.ttl", 23, "owl:sameAs <http://en.wikipedia.org/wiki/Northeastern_University_(China)>: a Wikipedia"),
        ("03awzbc87.ttl", 24, "an API URL is not an identifier — the Funder Registry id is https://doi.org/10.13039/501100004184"),
        ("03awzbc87.ttl", 21, "schema:url <http://neu.edu> is not the site the registry gives for 'neu-shenyang'"),
        ("03grx7119.ttl", 10, "ROR 03grx7119: no Wikidata id (the registry has Q14478494 for 'ustl')"),
        ("03grx7119.ttl", 10, "ROR 03grx7119: no name in ru, zh"),
        ("00s6tnr74.ttl", 10, "ROR 00s6tnr74 is a withdrawn duplicate record: the institution is 'lstu' (https://ror.org/006fh5g40)"),
        ("0000n5x09.ttl", 10, "ROR 0000n5x09 is not in the institutions registry"),
        ("00d7f8730.ttl", 3, "uses https://schema.org/"),
    ],
)
def test_third_party_rdf_defects_are_reported_with_file_and_line(registry_graph: Graph, file: str, line: int, fragment: str):
    warnings = check_rdf(THIRD_PARTY / file, registry=registry_graph)
    found = [w for w in warnings if fragment in w.message]
    assert found, "\n".join(map(str, warnings))
    assert found[0].path == str(THIRD_PARTY / file) and found[0].line == line
    assert str(found[0]).startswith(f"{THIRD_PARTY / file}:{line}: ")


def test_every_third_party_file_has_defects():
    for path in sorted(THIRD_PARTY.glob("*.ttl")):
        assert check_rdf(path), path.name


def test_clean_rdf_has_no_defects(tmp_path: Path):
    clean = tmp_path / "clean.ttl"
    clean.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://ror.org/03grx7119> skos:prefLabel "University of Science and Technology Liaoning"@en , "辽宁科技大学"@zh ;\n'
        "    owl:sameAs <http://www.wikidata.org/entity/Q14478494> , <https://grid.ac/institutions/grid.453697.a> .\n",
        encoding="utf-8",
    )
    assert check_rdf(clean) == []


def test_import_rdf_on_the_command_line(capsys):
    assert main(["import", "rdf", str(THIRD_PARTY)]) == 1  # anything reported exits 1 (--strict is a no-op alias)
    captured = capsys.readouterr()
    assert "nothing written" in captured.out
    assert f"{THIRD_PARTY / '00s6tnr74.ttl'}:23: <https://grid.ac/institutions/g>" in captured.err
    assert main(["import", "ror", str(THIRD_PARTY / "03awzbc87.ttl")]) == 1
    assert "check it with 'coopgraph import rdf'" in capsys.readouterr().err
