"""Fact by fact, the built graph says what the founding article says — in the article's named graph.

Each fact is a SPARQL ASK pattern; the test runs it inside ``GRAPH <article graph>``. A second set of
patterns are things the article does NOT say (names, days, counts it leaves unknown): they must be absent.
"""

from __future__ import annotations

import pytest

from coopgraph import ids
from coopgraph.namespaces import PREFIXES

ARTICLE = ids.graph("source-lstu-2023-09-18")
PROLOGUE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

FACTS = {
    "the source: title, publication time, language, publisher": """
        cgid:source-lstu-2023-09-18 a coop:NewsArticle ;
            dcterms:title "На просторах Поднебесной: Липецкий Политех наращивает сотрудничество на международной арене."@ru ;
            dcterms:issued "2023-09-18T00:22:00"^^xsd:dateTime ; dcterms:language "ru"^^xsd:language ;
            dcterms:publisher cgid:lstu .""",
    "an official visit of LSTU to China, 11-15 September 2023": """
        ?v a coop:Visit ; coop:visitor cgid:lstu ; coop:official true ;
           schema:startDate "2023-09-11"^^xsd:date ; schema:endDate "2023-09-15"^^xsd:date ;
           schema:location cgid:liaoning .""",
    "the visit's purpose: new forms of interaction at all levels": """
        ?v a coop:Visit ; coop:purpose ?p . FILTER(CONTAINS(STR(?p), "новых форм взаимодействия"))""",
    "the visit's hosts are universities of Liaoning: USTL, SUT, NEU": """
        ?v a coop:Visit ; coop:visitor cgid:lstu ; coop:host cgid:ustl, cgid:sut, cgid:neu-shenyang .""",
    "Zageeva, acting rector of LSTU, is a delegation member in that post": """
        ?v coop:participation ?p . ?p coop:participant cgid:zageeva ; coop:roleInEvent coop:DelegationMember ;
           coop:inCapacityOf ?m . ?m org:member cgid:zageeva ; org:organization cgid:lstu ; org:role coop:ActingRector .""",
    "her name is Лилия Александровна Загеева": """
        cgid:zageeva a foaf:Person ; skos:prefLabel "Лилия Александровна Загеева"@ru ; foaf:familyName "Загеева"@ru .""",
    "Mazur, professor, head of the Department of Metal Forming, is a delegation member": """
        ?v coop:participation ?p . ?p coop:participant cgid:mazur ; coop:inCapacityOf ?m .
        ?m org:organization cgid:lstu-metal-forming-department ; org:role coop:HeadOfDepartment .
        cgid:mazur coop:academicTitle coop:Professor .
        cgid:lstu-metal-forming-department a coop:Department ; org:unitOf cgid:lstu ;
            skos:prefLabel "кафедра обработки металлов давлением"@ru .""",
    "Pozdnyakova, head of the international office, is a delegation member": """
        ?v coop:participation ?p . ?p coop:participant cgid:pozdnyakova ; coop:inCapacityOf ?m .
        ?m org:organization cgid:lstu-international-office ; org:role coop:HeadOfInternationalOffice .
        cgid:lstu-international-office a coop:InternationalOffice ; org:unitOf cgid:lstu .""",
    "the delegation has exactly three members": """
        { SELECT (COUNT(?p) AS ?n) WHERE { cgid:lstu-visit-liaoning-2023-09 coop:participation ?p } } FILTER(?n = 3)""",
    "USTL in Anshan was visited first": """
        cgid:lstu-visit-liaoning-2023-09 schema:subEvent ?u . ?u a coop:Visit ; coop:host cgid:ustl ;
            schema:location cgid:anshan ; schema:position 1 .""",
    "a joint double-degree programme in Metallurgy with USTL since 2020, ongoing": """
        ?prog a coop:DoubleDegreeProgramme ; schema:provider cgid:lstu, cgid:ustl ;
              coop:fieldOfStudy "Металлургия"@ru ; schema:startDate "2020"^^xsd:gYear ; coop:status coop:Ongoing .""",
    "sessions and business meetings with faculties, schools, teachers, researchers and students at USTL": """
        ?u schema:subEvent ?m . ?m a coop:Meeting ; coop:host cgid:ustl ; coop:audience ?a .
        FILTER(CONTAINS(STR(?a), "факультетов и школ") && CONTAINS(STR(?a), "учащиеся"))""",
    "5 LSTU teachers teach in Anshan now (staff mobility, ongoing)": """
        ?mob a coop:Mobility ; coop:mobilityKind coop:StaffTeaching ; coop:sender cgid:lstu ; coop:receiver cgid:ustl ;
             schema:location cgid:anshan ; coop:participantCount "5"^^xsd:integer ; coop:status coop:Ongoing .""",
    "a meeting with those colleagues": """
        ?m a coop:Meeting ; coop:about ?mob . ?mob coop:mobilityKind coop:StaffTeaching .""",
    "the acting rector met USTL's president about developing the programme": """
        ?m a coop:Meeting ; schema:attendee cgid:zageeva, ?president ; coop:about ?prog .
        ?prog a coop:DoubleDegreeProgramme . ?post org:member ?president ; org:organization cgid:ustl ; org:role coop:President .""",
    "next year (2024) the first Chinese students will come to LSTU: planned, not done": """
        ?mob a coop:Mobility ; coop:mobilityKind coop:StudentStudies ; coop:sender cgid:ustl ; coop:receiver cgid:lstu ;
             schema:startDate "2024"^^xsd:gYear ; coop:status coop:Planned .""",
    "the acting rector visited the university's museum": """
        ?s a coop:SiteVisit ; coop:visited cgid:ustl-museum ; schema:attendee cgid:zageeva .
        cgid:ustl-museum a coop:Museum ; org:unitOf cgid:ustl .""",
    "the delegation took part in the conference in Shenyang, 14-15 September 2023": """
        cgid:lstu-visit-liaoning-2023-09 coop:attended ?c . ?c a coop:Conference ; schema:location cgid:shenyang ;
            schema:startDate "2023-09-14"^^xsd:date ; schema:endDate "2023-09-15"^^xsd:date ;
            skos:prefLabel "International Conference on the Cooperation and Integration of Industry, Education, Research and Application 2023"@en .""",
    "agreements for Liaoning's regional development are traditionally signed there": """
        ?c a coop:Conference ; schema:description ?d . FILTER(CONTAINS(STR(?d), "традиционно подписываются"))""",
    "an agreement of LSTU with SUT was signed at the conference": """
        ?a a coop:CooperationAgreement ; coop:party cgid:lstu, cgid:sut ; coop:signedAt ?c ; coop:status coop:Completed .
        ?c a coop:Conference .""",
    "working meetings at SUT and NEU in Shenyang": """
        ?v schema:subEvent ?m1, ?m2 . ?m1 a coop:Meeting ; coop:host cgid:sut ; schema:location cgid:shenyang .
        ?m2 a coop:Meeting ; coop:host cgid:neu-shenyang ; schema:location cgid:shenyang .""",
    "topics discussed: joint programmes, short- and long-term mobility, summer schools, joint research and social projects": """
        ?m coop:host cgid:sut ; coop:topic cgid:topic-joint-programmes, cgid:topic-short-term-mobility,
            cgid:topic-long-term-mobility, cgid:topic-summer-schools, cgid:topic-joint-research-projects,
            cgid:topic-joint-social-projects .""",
    "a joint action plan will result: planned": """
        ?m coop:expectedOutcome ?plan . ?plan a coop:ActionPlan ; coop:status coop:Planned .""",
    "every entity of the article is derived from the article": """
        FILTER NOT EXISTS { ?e a ?t . FILTER(STRSTARTS(STR(?e), STR(cgid:)) && ?e != cgid:source-lstu-2023-09-18)
                            FILTER NOT EXISTS { ?e prov:wasDerivedFrom cgid:source-lstu-2023-09-18 } }""",
}

NOT_SAID = {
    "USTL's president has no name": "?post org:role coop:President ; org:member ?p . ?p skos:prefLabel ?name .",
    "no signing day is given": "?a a coop:Agreement ; coop:signedOn ?d .",
    "no number of Chinese students is given": "?m coop:mobilityKind coop:StudentStudies ; coop:participantCount ?n .",
    "the meetings at SUT and NEU have no dates": "?m coop:host cgid:sut ; a coop:Meeting ; schema:startDate ?d .",
    "no signatory is named": "?a coop:signatory ?p .",
}


def _ask(dataset, pattern: str) -> bool:
    query = f"{PROLOGUE}\nASK {{ GRAPH <{ARTICLE}> {{ {pattern} }} }}"
    return bool(dataset.query(query).askAnswer)


@pytest.mark.parametrize("fact", FACTS, ids=list(FACTS))
def test_the_article_states(fact: str, shipped_build):
    assert _ask(shipped_build.dataset, FACTS[fact]), fact


@pytest.mark.parametrize("unknown", NOT_SAID, ids=list(NOT_SAID))
def test_what_the_article_does_not_say_is_not_invented(unknown: str, shipped_build):
    assert not _ask(shipped_build.dataset, NOT_SAID[unknown]), unknown


def test_a_fact_pattern_that_is_false_fails(shipped_build):
    """The ASK machinery can say no: a visit by SUT to LSTU is not in the article."""
    assert not _ask(shipped_build.dataset, "?v a coop:Visit ; coop:visitor cgid:sut ; coop:host cgid:lstu .")
