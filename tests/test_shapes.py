"""The SHACL shapes of ontology/shapes.ttl: what they cover, how they are laid out, what they report.

The bad inputs of tests/data/invalid/ (tests/test_bad_input.py) check one message each; here are the
rules that hold for the shapes as a whole (every class and property covered, closed kinds that allow
what the build adds), the severities (a warning is printed and the build goes on), dates of mixed
precision, and the lines of statements in RDF sources.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, SH

from conftest import DATA
from coopgraph import pipeline, resources
from coopgraph.build import build_dataset
from coopgraph.cli import main
from coopgraph.dataset import union
from coopgraph.errors import ValidationError
from coopgraph.namespaces import PREFIXES
from coopgraph.validate import validate

COOP = PREFIXES["coop"]
SHAPES = resources.shapes()
ONTOLOGY = resources.ontology()
#: Classes the rules of queries/rules derive: never written by hand, described by open shapes.
DERIVED_CLASSES = {URIRef(COOP + name) for name in ("Cooperation", "TimelineEntry", "CountryCooperation")}


def _kinds() -> dict[URIRef, list[URIRef]]:
    """Each closed shape's target class → the properties it allows."""
    kinds = {}
    for shape in SHAPES.subjects(SH.closed, None):
        allowed = list(Collection(SHAPES, SHAPES.value(shape, SH.ignoredProperties)))
        for target in SHAPES.objects(shape, SH.targetClass):
            kinds[target] = allowed  # type: ignore[index]
    return kinds


def _context_properties() -> set[URIRef]:
    """Every property of the authoring format (the JSON-LD context generated from the ontology)."""
    context = resources.context()["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    found = set()
    for definition in context.values():
        if isinstance(definition, dict):
            prefix, _, local = (definition.get("@id") or definition["@reverse"]).partition(":")
            found.add(URIRef(prefixes[prefix] + local))
    return found


# ------------------------------------------------------------------ coverage and layout


def test_every_property_of_the_authoring_format_has_a_shape():
    paths = set(SHAPES.objects(None, SH.path))
    missing = sorted(str(p) for p in _context_properties() - paths)
    assert len(_context_properties()) >= 97 and missing == []  # 98 keys: posts is org:member written backwards


ONTOLOGY_NOTE = URIRef(COOP + "TermUse")


def test_every_class_of_the_ontology_is_covered():
    """A coop: class is the target of a closed kind, itself or through a superclass (a Museum is a unit,
    a Role a concept), or one of the derived classes, which have open shapes of their own."""
    kinds = _kinds()
    for cls in ONTOLOGY.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(COOP) or cls == ONTOLOGY_NOTE:
            continue  # a coop:TermUse describes the ontology's use of a borrowed term: it is in no data
        if cls in DERIVED_CLASSES:
            assert (None, SH.targetClass, cls) in SHAPES, cls
            continue
        lineage = {cls} | resources.closure(RDFS.subClassOf).get(cls, frozenset())  # type: ignore[arg-type]
        assert lineage & kinds.keys(), f"no closed shape covers {cls}"


def test_every_property_can_be_written_somewhere():
    """Each property of the authoring format is allowed by some kind, or belongs to a derived class."""
    allowed = {p for properties in _kinds().values() for p in properties}
    derived = {p for shape in SHAPES.subjects(SH.targetClass, None)
               if SHAPES.value(shape, SH.targetClass) in DERIVED_CLASSES
               for ps in SHAPES.objects(shape, SH.property) for p in SHAPES.objects(ps, SH.path)}
    assert sorted(str(p) for p in _context_properties() - allowed - derived) == []


def test_closed_kinds_allow_what_the_build_adds():
    """rdf:type (with the superclasses), prov:wasDerivedFrom, and every super-property of a property a
    kind allows (the build states coop:visitor also as prov:wasAssociatedWith)."""
    parents = resources.closure(RDFS.subPropertyOf)
    for cls, allowed in _kinds().items():
        assert RDF.type in allowed and PROV.wasDerivedFrom in allowed, cls
        for prop in allowed:
            missing = parents.get(prop, frozenset()) - set(allowed)  # type: ignore[arg-type]
            assert not missing, f"{cls} allows {prop} but not its super-properties {sorted(missing)}"


def test_severities_are_violation_or_warning():
    assert set(SHAPES.objects(None, SH.severity)) == {SH.Warning}  # the rest: sh:Violation, the default


def test_sparql_runs_once_per_shape_not_once_per_entity():
    """A shape with a SPARQL constraint finds its focus nodes with a SPARQL target, which selects the
    entities at fault in one query; pySHACL then runs the constraint on those only. A SPARQL constraint
    on a class target would be parsed and run once per instance (35-45 s at 50k triples)."""
    constrained = set(SHAPES.subjects(SH.sparql, None))
    assert constrained
    for shape in constrained:
        target = SHAPES.value(shape, SH.target)
        assert target is not None and (target, RDF.type, SH.SPARQLTarget) in SHAPES, shape
        assert not set(SHAPES.predicates(shape)) & {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


def test_constraints_are_not_property_shapes_of_node_shapes_with_many_focus_nodes():
    """pySHACL validates a node shape's sh:property shapes once per focus node; constraints on authored
    kinds are property shapes with targets of their own, validated in one pass."""
    kinds = set(SHAPES.subjects(SH.closed, None))
    assert not [k for k in kinds if (k, SH.property, None) in SHAPES]


# ------------------------------------------------------------------ what the shipped and synthetic data give


def test_the_shipped_data_has_no_problem_and_no_warning(shipped_build):
    assert validate(shipped_build) == []


def test_a_dump_with_its_derived_graph_conforms(shipped_build):
    """What coopgraph build writes (sources and derived graph) conforms, as a consumer would check it."""
    data = union(shipped_build.dataset)
    for triple in ONTOLOGY:
        data.add(triple)
    conforms, _, text = pyshacl.validate(data, shacl_graph=SHAPES, inference="none", advanced=True)
    assert conforms, text


# ------------------------------------------------------------------ severities


def _source(folder: Path, name: str, text: str) -> Path:
    path = folder / "sources" / name
    path.write_text(text, encoding="utf-8")
    return path


SELF_VISIT = """\
source:
  id: source-self-visit
  type: NewsArticle
  title: {en: LSTU hosts its own delegation}
  issued: 2024-01-01
  language: en
graph:
  - id: lstu-self-visit-2024
    type: Visit
    visitor: lstu
    host: [lstu, ustl]
    startDate: 2024-03-04
"""


def test_a_warning_is_printed_and_the_build_goes_on(data_copy: Path, tmp_path: Path, capsys):
    path = _source(data_copy, "self-visit.yaml", SELF_VISIT)
    out = tmp_path / "out"

    assert main(["build", str(data_copy), "-o", str(out)]) == 0

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"{path}:10: warning: 'lstu-self-visit-2024': the visiting institution is also a host — check the ids "
        "of 'visitor' and 'host' (got 'lstu', an Institution)"
    ]
    assert "validation: valid (SHACL shapes and references), 1 warning" in captured.out
    assert (out / "coop.ttl").exists()


def test_validate_prints_the_warning_and_exits_0(data_copy: Path, capsys):
    path = _source(data_copy, "self-visit.yaml", SELF_VISIT)
    assert main(["validate", str(data_copy)]) == 0
    assert f"{path}:10: warning: " in capsys.readouterr().err


def test_errors_stop_the_build_and_come_before_warnings(data_copy: Path):
    _source(data_copy, "self-visit.yaml", SELF_VISIT.replace("    startDate: 2024-03-04\n", ""))
    with pytest.raises(ValidationError) as caught:
        pipeline.check([data_copy])
    first, second = caught.value.problems
    assert "'lstu-self-visit-2024': a visit needs a 'startDate'" in first and ": warning: " not in first
    assert ": warning: 'lstu-self-visit-2024': the visiting institution is also a host" in second


@pytest.mark.parametrize(("lines", "message"), [
    ("    sender: lstu\n    receiver: lstu\n", "the sending institution is also the receiving one"),
    ("    sender: lstu\n    receiver: ustl\n    participantCount: '0'\n", "participantCount is 0 — leave it out"),
    ("    sender: lstu\n    receiver: ustl\n    endDate: 2024-06\n", "has an endDate but no startDate"),
], ids=["sender-is-receiver", "no-participants", "end-without-start"])
def test_what_is_suspicious_is_a_warning(data_copy: Path, lines: str, message: str):
    text = SELF_VISIT.replace("""    type: Visit
    visitor: lstu
    host: [lstu, ustl]
    startDate: 2024-03-04
""", "    type: Mobility\n    mobilityKind: StaffTeaching\n    status: Planned\n" + lines)
    _source(data_copy, "suspicious.yaml", text)
    summary = pipeline.check([data_copy])
    assert [message in str(w) for w in summary.warnings] == [True], summary.warnings


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(("start", "end", "fault"), [
    ('"2023-09"^^xsd:gYearMonth', '"2023-09-15"^^xsd:date', None),
    ('"2023-09-15"^^xsd:date', '"2023-09"^^xsd:gYearMonth', None),  # the same month: not before
    ('"2023"^^xsd:gYear', '"2023-01-01"^^xsd:date', None),
    ('"2024"^^xsd:gYear', '"2023-12"^^xsd:gYearMonth', "endDate 2023-12 is before startDate 2024"),
    ('"2023-09-15"^^xsd:date', '"2023-09-14"^^xsd:date', "endDate 2023-09-14 is before startDate 2023-09-15"),
])
def test_start_before_end_compares_dates_of_mixed_precision(tmp_path: Path, start: str, end: str, fault: str | None):
    source = tmp_path / "visit.ttl"
    source.write_text(
        "@prefix coop: <https://w3id.org/coopgraph/ns#> . @prefix schema: <http://schema.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix cgid: <https://w3id.org/coopgraph/id/> .\n"
        f"cgid:v a coop:Visit ; coop:visitor cgid:lstu ; coop:host cgid:ustl ;\n"
        f"    schema:startDate {start} ;\n    schema:endDate {end} .\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(build_dataset([source, DATA / "registry"]))]
    assert problems == ([f"{source}:5: 'v': {fault} — swap or correct the dates"] if fault else [])


@pytest.mark.parametrize(("value", "refused"), [
    ('"2023-09"^^xsd:gYearMonth', False), ('"2023"^^xsd:gYear', False), ('"2023-09-15"^^xsd:date', False),
    ('"next spring"', True), ('"2023-09"', True), ('"2023-02-30"^^xsd:date', True),
    ('"2023-09-15T10:00:00"^^xsd:dateTime', True), ('"0202"^^xsd:gYear', True),
])
def test_dated_properties_are_dates_within_their_years(tmp_path: Path, value: str, refused: bool):
    source = tmp_path / "mobility.ttl"
    source.write_text(
        "@prefix coop: <https://w3id.org/coopgraph/ns#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix cgid: <https://w3id.org/coopgraph/id/> .\n"
        "cgid:m a coop:Mobility ; coop:mobilityKind coop:StaffTeaching ; coop:sender cgid:lstu ; coop:receiver cgid:ustl ;\n"
        f"    coop:status coop:Ongoing ; coop:statusAsOf {value} .\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in validate(build_dataset([source, DATA / "registry"]))]
    assert [p.startswith(f"{source}:4: 'm': statusAsOf is one date from 1800 to 2100") for p in problems] == \
        ([True] if refused else [])


# ------------------------------------------------------------------ lines of statements in RDF sources


@pytest.mark.parametrize(("name", "text", "line"), [
    ("misspelt.nt",
     '<https://w3id.org/coopgraph/id/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Person> .\n'
     '<https://w3id.org/coopgraph/id/p> <http://xmlns.com/foaf/0.1/familyName> "Mazur"@en .\n'
     '<https://w3id.org/coopgraph/id/p> <http://xmlns.com/foaf/0.1/familyname> "Mazur"@en .\n', 3),
    ("misspelt.rdf",
     '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
     '         xmlns:foaf="http://xmlns.com/foaf/0.1/">\n'
     '  <foaf:Person rdf:about="https://w3id.org/coopgraph/id/p">\n'
     '    <foaf:familyName xml:lang="en">Mazur</foaf:familyName>\n'
     '    <foaf:familyname xml:lang="en">Mazur</foaf:familyname>\n'
     '  </foaf:Person>\n</rdf:RDF>\n', 6),
    ("misspelt.ttl",
     "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n@base <https://w3id.org/coopgraph/id/> .\n\n"
     "<q> a foaf:Person ; foaf:familyname \"Other\"@en .\n"
     "<p> a foaf:Person ;\n    foaf:familyName \"Mazur\"@en ;\n    foaf:familyname \"Mazur\"@en .\n", 7),
], ids=["n-triples", "rdf-xml", "turtle-with-base"])
def test_a_misspelt_predicate_is_reported_at_its_line(tmp_path: Path, name: str, text: str, line: int):
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate(build_dataset([source]))]
    assert f"{source}:{line}: 'p': foaf:familyname is not a property of a person — did you mean foaf:familyName?" in problems


def test_a_problem_in_a_turtle_source_is_reported_in_that_file_not_where_the_entity_is_defined(data_copy: Path):
    source = data_copy / "sources" / "extra.ttl"
    source.write_text("@prefix coop: <https://w3id.org/coopgraph/ns#> .\n\n"
                      "<https://w3id.org/coopgraph/id/lstu>\n    coop:acronymm \"LSTU\"@en .\n", encoding="utf-8")
    # the registry defines lstu (data/registry/institutions.yaml); the misspelt statement is here
    with pytest.raises(ValidationError) as caught:
        pipeline.check([data_copy])
    assert caught.value.problems == [
        f"{source}:4: 'lstu': coop:acronymm is not a property of an institution — did you mean coop:acronym?"
    ]
